package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	goldenfile "cmsim/internal/golden"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name (see package golden).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Check(t, name, got, *update)
}

func run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	code = cmsim(args, &o, &e)
	return o.String(), e.String(), code
}

func TestCLIGolden(t *testing.T) {
	out := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"help", []string{"help"}, 0},
		{"help-run", []string{"help", "run"}, 0},
		{"scenarios", []string{"scenarios"}, 0},
		{"validate-quickstart", []string{"validate", "quickstart"}, 0},
		{"run-quickstart", []string{"run", "quickstart", "--out", out, "--plots", "none"}, 0},
		{"run-quickstart-json", []string{"run", "quickstart", "--out", out, "--plots", "none", "--format", "json", "--set", "cluster.kubelet.changeDetectionStrategy=Get"}, 0},
		{"bad-nodes", []string{"run", "testdata/bad-nodes.yaml", "--out", out}, 2},
		{"bad-key", []string{"validate", "testdata/bad-key.yaml"}, 2},
		{"bad-set", []string{"run", "quickstart", "--set", "cluster.nodez=3", "--out", out}, 2},
		{"bad-flag", []string{"run", "quickstart", "--bogus"}, 2},
		{"bad-command", []string{"frobnicate"}, 2},
		{"missing-file", []string{"run", "nosuch.yaml"}, 2},
		{"trace-sweep", []string{"run", "strategies", "--trace", filepath.Join(out, "t.txt"), "--out", out}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := run(t, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			norm := func(s string) []byte { return []byte(strings.ReplaceAll(s, out, "OUT")) }
			golden(t, tt.name+".stdout", norm(stdout))
			golden(t, tt.name+".stderr", norm(stderr))
		})
	}
}

// readDir returns every file under dir by relative path.
func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[rel] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestRunIsDeterministicAndPlotReproduces(t *testing.T) {
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		if _, stderr, code := run(t, "run", "strategies", "--out", dir, "--plots", "svg,png", "--set", "cluster.nodes=5", "--set", "duration=20m"); code != 0 {
			t.Fatal(stderr)
		}
	}
	fa, fb := readDir(t, a), readDir(t, b)
	if fi, err := os.Stat(filepath.Join(a, "summary.json")); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("summary.json mode %v, %v; want 0644", fi.Mode(), err)
	}
	if len(fa) < 10 {
		t.Fatalf("only %d files written", len(fa))
	}
	for name, data := range fa {
		if !bytes.Equal(data, fb[name]) {
			t.Errorf("%s differs between two runs with the same seed", name)
		}
	}
	if _, stderr, code := run(t, "run", "strategies", "--out", c, "--plots", "none", "--seed", "2", "--set", "cluster.nodes=5", "--set", "duration=20m"); code != 0 {
		t.Fatal(stderr)
	}
	if bytes.Equal(fa["latencies.csv"], readDir(t, c)["latencies.csv"]) {
		t.Error("another seed gave the same latencies")
	}
	// cmsim plot redraws the same charts and report from the files.
	for name := range fa {
		if strings.HasPrefix(name, "charts/") || name == "report.html" {
			os.Remove(filepath.Join(a, name))
		}
	}
	if _, stderr, code := run(t, "plot", a, "--plots", "svg,png"); code != 0 {
		t.Fatal(stderr)
	}
	for name, data := range readDir(t, a) {
		if !bytes.Equal(data, fb[name]) {
			t.Errorf("cmsim plot wrote a different %s", name)
		}
	}
}

func TestBadInputLeavesNoFiles(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	if _, _, code := run(t, "run", "testdata/bad-nodes.yaml", "--out", out); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatalf("a failed run created %s", out)
	}
	// cmsim plot on a missing folder, and on a truncated CSV.
	if _, stderr, code := run(t, "plot", filepath.Join(dir, "nope")); code != 2 || !strings.Contains(stderr, "not an output folder") {
		t.Fatalf("plot on a missing folder: exit %d, %s", code, stderr)
	}
	if _, stderr, code := run(t, "run", "quickstart", "--out", out, "--plots", "svg"); code != 0 {
		t.Fatal(stderr)
	}
	before := readDir(t, out)
	csv := filepath.Join(out, "latencies.csv")
	b := before["latencies.csv"]
	os.WriteFile(csv, b[:len(b)/2], 0o644) // cut mid-row
	_, stderr, code := run(t, "plot", out)
	if code != 2 || !strings.Contains(stderr, "latencies.csv") {
		t.Fatalf("plot on a truncated CSV: exit %d, stderr %q", code, stderr)
	}
	after := readDir(t, out)
	for name, data := range before {
		if name != "latencies.csv" && !bytes.Equal(data, after[name]) {
			t.Errorf("a failed plot changed %s", name)
		}
	}
	if len(after) != len(before) {
		t.Errorf("a failed plot left %d files, want %d", len(after), len(before))
	}
}

// TestTrace writes the step-by-step trace of a short quickstart and compares
// it with testdata/trace-quickstart.txt.
func TestTrace(t *testing.T) {
	dir := t.TempDir()
	trace := filepath.Join(dir, "trace.txt")
	if _, stderr, code := run(t, "run", "quickstart", "--set", "duration=12m", "--set", "updates.0.at=[10m]", "--plots", "none", "--out", dir, "--trace", trace); code != 0 {
		t.Fatal(stderr)
	}
	b, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "trace-quickstart.txt", b)
}
