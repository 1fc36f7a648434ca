package importer

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	goldenfile "cmsim/internal/golden"
	"cmsim/scenarios"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name (see package golden).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Check(t, name, got, *update)
}

func read(t *testing.T, paths ...string) []Input {
	t.Helper()
	in, err := ReadPaths(paths, nil)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func load(t *testing.T, r *Result) *scenarios.Scenario {
	t.Helper()
	s, err := scenarios.Load("imported.yaml", r.YAML, nil)
	if err != nil {
		t.Fatalf("imported scenario does not load: %v\n%s", err, r.YAML)
	}
	return s
}

func findingLines(fs []Finding) []byte {
	var b bytes.Buffer
	for _, f := range fs {
		fmt.Fprintln(&b, f)
	}
	return b.Bytes()
}

// TestImportList imports a 'kubectl get -A -o yaml' List with every
// workload kind and every reference form. The counts are by hand:
//
//	pods: standalone 1 + web 3 + db 2 + agent 1 per node × 2 nodes + legacy 1 = 9
//	job pods per arrival: migrate 2 + backup 1 = 3
//	objects: web-config, env-config, proj-cm, db-secret, proj-secret, pull = 6
//	  (kube-root-ca.crt is cluster.kubeAPIAccess's; the web ReplicaSet and
//	  its pod are the Deployment's)
//	references per pod: standalone 3 (volume, env, kube-api-access),
//	  web 5 (2 projected, subPath, pull secret, kube-api-access; the missing
//	  optional "maybe" left out), db 3 (volume, envFrom, kube-api-access),
//	  agent 1 (automount off), legacy 2:
//	  3 + 3×5 + 2×3 + 2×1 + 2 = 28
func TestImportList(t *testing.T) {
	r, err := Import(read(t, "testdata/list.yaml"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Pods != 9 || r.JobPods != 3 || r.Objects != 6 || r.Refs != 28 || r.Nodes != 2 {
		t.Errorf("pods %d, job pods %d, objects %d, refs %d, nodes %d; want 9, 3, 6, 28, 2", r.Pods, r.JobPods, r.Objects, r.Refs, r.Nodes)
	}
	s := load(t, r)
	if len(s.Workloads) != 7 || len(s.Objects) != 6 {
		t.Errorf("%d workloads, %d objects; want 7, 6", len(s.Workloads), len(s.Objects))
	}
	if got := s.ExpectedPods(); got < 9 {
		t.Errorf("expected pods %v, want at least the 9 long-running ones", got)
	}
	kinds := map[string]string{}
	for _, w := range s.Workloads {
		for _, m := range w.Mounts {
			kinds[w.Name+"/"+m.Object] += m.As + " "
		}
	}
	want := map[string]string{
		"standalone/env-config": "env ", "standalone/web-config": "volume ",
		"web/proj-cm": "projected ", "web/proj-secret": "projected ", "web/web-config": "subPath ",
		"db/db-secret": "envFrom volume ", "agent/web-config": "volume ", "migrate/env-config": "envFrom ",
		"backup/db-secret": "volume ", "legacy/web-config": "volume ",
	}
	if !maps_equal(kinds, want) {
		t.Errorf("mounts %v, want %v", kinds, want)
	}
	golden(t, "list.golden.yaml", r.YAML)
	golden(t, "list.findings", findingLines(r.Findings))
	if !strings.Contains(strings.Join(r.Summary, "\n"), "skipped (not modelled): 1 Service") {
		t.Errorf("summary does not count the Service: %q", r.Summary)
	}
}

func maps_equal(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestImportFolder imports the example app, a folder of multi-document
// YAML and JSON files, with a KubeletConfiguration. By hand:
//
//	pods: frontend 6 + api 8 + db 2 + log-agent 4 (nodes) = 20; nightly-report 2 per run
//	objects: 4 ConfigMaps + 3 Secrets = 7
//	references per pod: frontend 4 (volume, subPath, pull secret regcred from
//	  ServiceAccount shop, kube-api-access), api 6 (env, envFrom, 2 projected,
//	  regcred, kube-api-access), db 1 (env; automount off), log-agent 2
//	  (volume, kube-api-access; default ServiceAccount, no pull secret):
//	  6×4 + 8×6 + 2×1 + 4×2 = 82
func TestImportFolder(t *testing.T) {
	kc, err := os.ReadFile("../examples/shop/kubelet.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Import(read(t, "../examples/shop/manifests"), Options{Nodes: 4, KubeletConfig: &Input{Name: "kubelet.yaml", Data: kc}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Pods != 20 || r.JobPods != 2 || r.Objects != 7 || r.Refs != 82 || r.Nodes != 4 {
		t.Errorf("pods %d, job pods %d, objects %d, refs %d, nodes %d; want 20, 2, 7, 82, 4", r.Pods, r.JobPods, r.Objects, r.Refs, r.Nodes)
	}
	s := load(t, r)
	for _, w := range s.Workloads {
		if w.Name == "nightly-report" && (w.Job == nil || w.Job.Every != 15*time.Minute || w.Job.Parallelism != 2 || w.Job.RunFor != 4*time.Minute) {
			t.Errorf("nightly-report job %+v, want every 15m, parallelism 2, runFor 4m", w.Job)
		}
		if w.Name == "frontend" && !slices.Equal(w.ImagePullSecrets, []string{"regcred"}) {
			t.Errorf("frontend pull secrets %v, want its ServiceAccount's [regcred]", w.ImagePullSecrets)
		}
	}
}

func TestKubeletConfig(t *testing.T) {
	kc, err := os.ReadFile("testdata/kubelet.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Import(read(t, "testdata/list.yaml"), Options{KubeletConfig: &Input{Name: "kubelet.yaml", Data: kc}})
	if err != nil {
		t.Fatal(err)
	}
	k := load(t, r).Cluster.Kubelet
	if k.SyncFrequency != 30*time.Second || k.ChangeDetectionStrategy != scenarios.StrategyCache || k.KubeAPIQPS != 20 || k.KubeAPIBurst != 40 {
		t.Errorf("kubelet %+v, want syncFrequency 30s, Cache, QPS 20, burst 40", k)
	}
	if !strings.Contains(string(findingLines(r.Findings)), "kubelet.yaml:9:1: error: unknown field syncFrequncy") {
		t.Errorf("the misspelt syncFrequncy is not reported:\n%s", findingLines(r.Findings))
	}
	_, err = Import(read(t, "testdata/list.yaml"), Options{KubeletConfig: &Input{Name: "k.yaml", Data: []byte("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nconfigMapAndSecretChangeDetectionStrategy: Sometimes\n")}})
	if err == nil || err.Error() != `k.yaml:3:1: configMapAndSecretChangeDetectionStrategy "Sometimes" is not one of Get, Cache, Watch` {
		t.Errorf("bad strategy: got %v", err)
	}
}

func TestLintGolden(t *testing.T) {
	fs, err := Lint(read(t, "testdata/lint.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "lint.golden", findingLines(fs))
	if w, _ := Worst(fs); w != Error {
		t.Errorf("worst severity %v, want error", w)
	}
	// The old apiVersion is still read, as apps/v1.
	r, err := Import(read(t, "testdata/lint.yaml"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Pods != 3 {
		t.Errorf("pods %d, want 3 (web 2 from extensions/v1beta1, api 1)", r.Pods)
	}
}

const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: %s}\n---\n"
const deploy = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 2\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec:\n      containers: [{name: c, image: i}]\n      volumes: [{name: v, configMap: {name: c}}]\n"

func TestVersionTimeline(t *testing.T) {
	// v1, v1 again (no change), v2, v3: two updates, --update-interval apart.
	in := []Input{{Name: "a.yaml", Data: []byte(fmt.Sprintf(cm, "v1") + fmt.Sprintf(cm, "v1") + fmt.Sprintf(cm, "v2") + fmt.Sprintf(cm, "v3") + deploy)}}
	r, err := Import(in, Options{UpdateInterval: 5 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	s := load(t, r)
	if len(s.Updates) != 1 || !slices.Equal(s.Updates[0].At, []time.Duration{5 * time.Minute, 10 * time.Minute}) {
		t.Errorf("updates %+v, want one rule at 5m, 10m", s.Updates)
	}
	if !strings.Contains(string(r.YAML), "# from a.yaml:1: ConfigMap default/c, 3 versions") {
		t.Errorf("provenance comment missing:\n%s", r.YAML)
	}
}

func TestAuditLog(t *testing.T) {
	ev := func(verb, resource, name string, code int, ts string) string {
		return fmt.Sprintf(`{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","stage":"ResponseComplete","verb":%q,"objectRef":{"resource":%q,"namespace":"default","name":%q,"apiVersion":"v1"},"responseStatus":{"metadata":{},"code":%d},"requestReceivedTimestamp":%q,"stageTimestamp":%q}`,
			verb, resource, name, code, ts, ts)
	}
	log := strings.Join([]string{
		ev("get", "configmaps", "c", 200, "2026-11-29T10:00:00.000000Z"),    // t0, not a write
		ev("update", "configmaps", "c", 200, "2026-11-29T10:02:30.250000Z"), // 150.25 s
		ev("patch", "configmaps", "c", 200, "2026-11-29T10:07:00.000000Z"),  // 420 s
		ev("update", "configmaps", "c", 409, "2026-11-29T10:08:00.000000Z"), // conflict: not a write
		`{"kind":"Event", broken`,
		ev("update", "configmaps", "other", 200, "2026-11-29T10:09:00.000000Z"), // not in the manifests
		ev("delete", "configmaps", "c", 200, "2026-11-29T10:10:00.000000Z"),     // not modelled
		"",
	}, "\n")
	r, err := Import([]Input{{Name: "a.yaml", Data: []byte(fmt.Sprintf(cm, "v1") + deploy)}}, Options{AuditLog: &Input{Name: "audit.log", Data: []byte(log)}})
	if err != nil {
		t.Fatal(err)
	}
	s := load(t, r)
	if len(s.Updates) != 1 || !slices.Equal(s.Updates[0].At, []time.Duration{150250 * time.Millisecond, 420 * time.Second}) {
		t.Errorf("updates %+v, want one rule at 2m30.25s, 7m", s.Updates)
	}
	sum := strings.Join(r.Summary, "\n")
	for _, want := range []string{"6 event(s), 2 write(s) replayed, 1 delete(s) not replayed", "0 write(s) to immutable objects not replayed, 1 broken line(s)", "1 write(s) to 1 object(s) the manifests do not define, not replayed (e.g. ConfigMap default/other)"} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary %q does not say %q", sum, want)
		}
	}
	if f := findingLines(r.Findings); !strings.Contains(string(f), "audit.log:5:1: warning: not a JSON audit event") {
		t.Errorf("broken line 5 not reported:\n%s", f)
	}
}

func TestBadInput(t *testing.T) {
	big := fmt.Sprintf(cm, strings.Repeat("x", 1<<20)) + deploy
	for _, c := range []struct {
		name, data, want string
	}{
		{"malformed YAML", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [\n", "a.yaml:3: invalid YAML: did not find expected node content"},
		{"malformed JSON", `{"apiVersion": "v1", "kind": "ConfigMap",`, "a.yaml:1: invalid YAML"},
		{"not an object", "- a\n- b\n", "a.yaml:1:1: expected a Kubernetes object"},
		{"no kind", "apiVersion: v1\nmetadata: {name: x}\n", "a.yaml:1:1: object without apiVersion and kind"},
		{"wrong type", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: [1]}\n", "a.yaml:1: ConfigMap c cannot be read"},
		{"too big", big, "ConfigMap default/c data is 1048577 bytes; the apiserver rejects more than 1048576"},
		{"no pods", fmt.Sprintf(cm, "v"), "nothing to simulate: the manifests define no pods"},
		{"no objects", deploy[:strings.Index(deploy, "      volumes")], "nothing to simulate: the manifests define no ConfigMap or Secret"},
		{"empty", "", "nothing to simulate"},
		{"objects elsewhere", deploy, "the pods reference 1 defined elsewhere (e.g. ConfigMap default/c): give their manifests too"},
		{"no template", "apiVersion: v1\nkind: ReplicationController\nmetadata: {name: rc}\nspec: {replicas: 2}\n---\n" + fmt.Sprintf(cm, "v"), "nothing to simulate: the manifests define no pods"},
	} {
		_, err := Import([]Input{{Name: "a.yaml", Data: []byte(c.data)}}, Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
	}
	// Unknown kinds are counted, not fatal.
	r, err := Import([]Input{{Name: "a.yaml", Data: []byte("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n---\n" + fmt.Sprintf(cm, "v") + deploy)}}, Options{})
	if err != nil || !strings.Contains(strings.Join(r.Summary, "\n"), "skipped (not modelled): 1 Widget") {
		t.Errorf("unknown kind: %v, summary %q", err, r.Summary)
	}
	in, err := ReadPaths([]string{"-"}, strings.NewReader(fmt.Sprintf(cm, "v")+deploy))
	if err != nil || len(in) != 1 || in[0].Name != "<stdin>" {
		t.Errorf("stdin: %v, %v", in, err)
	} else if r, err := Import(in, Options{}); err != nil || r.Pods != 2 {
		t.Errorf("stdin import: %v", err)
	}
	if _, err := ReadPaths([]string{t.TempDir()}, nil); err == nil || !strings.Contains(err.Error(), "no .yaml, .yml or .json files") {
		t.Errorf("empty folder: got %v", err)
	}
}

func TestCronPeriod(t *testing.T) {
	for _, c := range []struct {
		schedule string
		want     time.Duration
	}{
		{"*/15 * * * *", 15 * time.Minute}, {"0 * * * *", time.Hour}, {"@daily", 24 * time.Hour},
		{"0 3 * * *", 24 * time.Hour}, {"0,30 9-16 * * *", 24 * time.Hour / 16}, {"0 0 * * 1-5", 7 * 24 * time.Hour / 5},
		{"@every 90s", 90 * time.Second}, {"bogus", time.Hour},
	} {
		if got, _ := cronPeriod(c.schedule); got != c.want {
			t.Errorf("%q: %v, want %v", c.schedule, got, c.want)
		}
	}
}
