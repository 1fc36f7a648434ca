package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const testManifests = `apiVersion: v1
kind: ConfigMap
metadata: {name: c}
data: {k: v1}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
      volumes: [{name: conf, configMap: {name: c}}]
`

func writeTemp(t *testing.T, dir, name, data string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// writeTimes returns the distinct written_at_seconds of latencies.csv.
func writeTimes(t *testing.T, dir string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "latencies.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(rows[0], "written_at_seconds")
	var out []string
	for _, r := range rows[1:] {
		if !slices.Contains(out, r[col]) {
			out = append(out, r[col])
		}
	}
	return out
}

// TestImportAuditReplay: an audit log's writes happen at exactly their
// offsets from the log's first event.
func TestImportAuditReplay(t *testing.T) {
	dir := t.TempDir()
	m := writeTemp(t, dir, "app.yaml", testManifests)
	ev := func(verb string, code int, ts string) string {
		return fmt.Sprintf(`{"kind":"Event","apiVersion":"audit.k8s.io/v1","stage":"ResponseComplete","verb":%q,"objectRef":{"resource":"configmaps","namespace":"default","name":"c"},"responseStatus":{"code":%d},"requestReceivedTimestamp":%q}`, verb, code, ts)
	}
	audit := writeTemp(t, dir, "audit.log", strings.Join([]string{
		ev("get", 200, "2026-11-29T08:00:00.000000Z"),
		ev("update", 200, "2026-11-29T08:01:40.000000Z"), // 100 s
		ev("patch", 200, "2026-11-29T08:04:10.500000Z"),  // 250.5 s
		ev("update", 500, "2026-11-29T08:05:00.000000Z"), // failed: no write
	}, "\n"))
	scen := filepath.Join(dir, "s.yaml")
	if _, stderr, code := run(t, "import", m, "--audit-log", audit, "-o", scen); code != 0 {
		t.Fatalf("import exit %d: %s", code, stderr)
	}
	out := filepath.Join(dir, "out")
	if _, stderr, code := run(t, "run", scen, "--out", out, "--plots", "none", "-q"); code != 0 {
		t.Fatalf("run exit %d: %s", code, stderr)
	}
	if got := writeTimes(t, out); !slices.Equal(got, []string{"100.000000", "250.500000"}) {
		t.Errorf("write times %v, want [100.000000 250.500000]", got)
	}
}

// TestImportThenRunEqualsHandWritten: the import of testManifests runs
// exactly as the scenario one would write for it by hand.
func TestImportThenRunEqualsHandWritten(t *testing.T) {
	dir := t.TempDir()
	m := writeTemp(t, dir, "app.yaml", testManifests)
	hand := writeTemp(t, dir, "hand.yaml", `apiVersion: cmsim/v1
kind: Scenario
name: imported
duration: 1h
cluster:
  nodes: 3
  imagePullSecret: false
objects:
  - {kind: ConfigMap, name: c, sizeBytes: 3}
workloads:
  - name: web
    replicas: 2
    mounts:
      - {object: c}
updates:
  - {object: c, at: [30m]}
`)
	imported := filepath.Join(dir, "imported.yaml")
	if _, stderr, code := run(t, "import", m, "-o", imported); code != 0 {
		t.Fatalf("import exit %d: %s", code, stderr)
	}
	for _, src := range []string{imported, hand, m} { // m: run imports it on the fly
		if _, stderr, code := run(t, "run", src, "--out", filepath.Join(dir, "out-"+filepath.Base(src)), "--plots", "none", "-q"); code != 0 {
			t.Fatalf("run %s exit %d: %s", src, code, stderr)
		}
	}
	for _, f := range []string{"latencies.csv", "load.csv"} {
		h, _ := os.ReadFile(filepath.Join(dir, "out-hand.yaml", f))
		for _, other := range []string{"out-imported.yaml", "out-app.yaml"} {
			b, _ := os.ReadFile(filepath.Join(dir, other, f))
			if len(h) == 0 || string(b) != string(h) {
				t.Errorf("%s of %s differs from the hand-written scenario's (%d vs %d bytes)", f, other, len(b), len(h))
			}
		}
	}
}

func TestLintExitCodes(t *testing.T) {
	dir := t.TempDir()
	clean := writeTemp(t, dir, "clean.yaml", testManifests)
	bad := writeTemp(t, dir, "bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [\n")
	for _, c := range []struct {
		args   []string
		code   int
		stdout string
	}{
		{[]string{"lint", "../../importer/testdata/lint.yaml"}, 1, "did you mean \"app-config\"?"},
		{[]string{"lint", clean}, 0, ""},
		{[]string{"lint", bad}, 2, ""},
		{[]string{"lint", filepath.Join(dir, "nosuch.yaml")}, 2, ""},
		{[]string{"lint", t.TempDir()}, 2, ""},
	} {
		stdout, stderr, code := run(t, c.args...)
		if code != c.code || !strings.Contains(stdout, c.stdout) {
			t.Errorf("%v: exit %d, want %d; stdout %q; stderr %q", c.args, code, c.code, stdout, stderr)
		}
	}
}

func TestImportBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := writeTemp(t, dir, "bad.yaml", testManifests+"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: [\n")
	out := filepath.Join(dir, "s.yaml")
	_, stderr, code := run(t, "import", bad, "-o", out)
	if code != 2 || !strings.Contains(stderr, "bad.yaml:20: invalid YAML") {
		t.Errorf("exit %d, stderr %q; want 2 and the line", code, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed import left %s behind", out)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("a failed import left files: %v", entries)
	}
}

func TestValidateManifests(t *testing.T) {
	stdout, stderr, code := run(t, "validate", "../../examples/shop/manifests")
	if code != 0 || !strings.Contains(stdout, "valid, 1 point(s)") || !strings.Contains(stdout, "name: frontend") {
		t.Errorf("validate on a folder of manifests: exit %d, stderr %q", code, stderr)
	}
}

// TestRunSeveralManifests: run and validate take several manifest paths, as
// import does, and give what the import of the same paths gives.
func TestRunSeveralManifests(t *testing.T) {
	dir := t.TempDir()
	shop := "../../examples/shop/manifests/"
	paths := []string{shop + "api.yaml", shop + "config.yaml", shop + "frontend.yaml"}
	stdout, stderr, code := run(t, append([]string{"validate"}, paths...)...)
	if code != 0 || !strings.Contains(stdout, "name: api") || !strings.Contains(stdout, "name: frontend") || strings.Contains(stdout, "name: fluent-bit") {
		t.Fatalf("validate of three manifests: exit %d, stderr %q\n%s", code, stderr, stdout)
	}
	imported := filepath.Join(dir, "imported.yaml")
	if _, stderr, code := run(t, append(append([]string{"import"}, paths...), "-o", imported)...); code != 0 {
		t.Fatalf("import exit %d: %s", code, stderr)
	}
	for name, args := range map[string][]string{"imported": {imported}, "paths": paths} {
		args = append(append([]string{"run"}, args...), "--out", filepath.Join(dir, name), "--plots", "none", "-q")
		if _, stderr, code := run(t, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
	}
	a, _ := os.ReadFile(filepath.Join(dir, "imported", "latencies.csv"))
	b, _ := os.ReadFile(filepath.Join(dir, "paths", "latencies.csv"))
	if len(a) == 0 || string(a) != string(b) {
		t.Errorf("run of the paths differs from run of their import (%d vs %d bytes)", len(b), len(a))
	}
	if _, stderr, code := run(t, "validate", shop+"api.yaml", dir+"/missing.yaml"); code != 2 || !strings.Contains(stderr, "missing.yaml") {
		t.Errorf("a missing path: exit %d, %q", code, stderr)
	}
}

// TestImportKubernetesVersion: --kubernetes-version sets the release, whose
// kubeAPIQPS defaults the import leaves to it; an unmodelled one is refused.
func TestImportKubernetesVersion(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "v.yaml")
	if _, stderr, code := run(t, "import", "../../examples/shop/manifests", "--kubernetes-version", "1.26", "-o", out); code != 0 {
		t.Fatalf("import exit %d: %s", code, stderr)
	}
	stdout, stderr, code := run(t, "validate", out)
	if code != 0 || !strings.Contains(stdout, `version: "1.26" # defaults: kubeAPIQPS: 5, kubeAPIBurst: 10`) {
		t.Errorf("validate of the import: exit %d, %s\n%s", code, stderr, stdout)
	}
	_, stderr, code = run(t, "import", "../../examples/shop/manifests", "--kubernetes-version", "1.20", "-o", filepath.Join(dir, "bad.yaml"))
	if code != 2 || !strings.Contains(stderr, "cmsim models 1.26 to 1.37") {
		t.Errorf("import --kubernetes-version 1.20: exit %d, %q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "bad.yaml")); err == nil {
		t.Errorf("a refused import wrote its file")
	}
}

// TestLintKubeletConfig: lint --kubelet-config reports a misspelt field at
// its line as an error (exit 1), passes a good file and refuses a file that
// is not a KubeletConfiguration (exit 2).
func TestLintKubeletConfig(t *testing.T) {
	dir := t.TempDir()
	bad := writeTemp(t, dir, "kc.yaml", "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nsyncFrequency: 30s\nsyncFrequnecy: 10s\n")
	m := "../../examples/shop/manifests"
	stdout, _, code := run(t, "lint", m, "--kubelet-config", bad)
	if code != 1 || !strings.Contains(stdout, "kc.yaml:4:1: error: unknown field syncFrequnecy") {
		t.Errorf("a misspelt field: exit %d\n%s", code, stdout)
	}
	if _, stderr, code := run(t, "lint", m, "--kubelet-config", "../../examples/shop/kubelet.yaml"); code != 0 {
		t.Errorf("the example's KubeletConfiguration: exit %d, %s", code, stderr)
	}
	if _, stderr, code := run(t, "lint", m, "--kubelet-config", m+"/api.yaml"); code != 2 || !strings.Contains(stderr, "expected one KubeletConfiguration") {
		t.Errorf("a manifest as --kubelet-config: exit %d, %q", code, stderr)
	}
}
