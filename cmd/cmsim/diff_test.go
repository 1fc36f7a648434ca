package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cmsim/compare"
)

// diffRuns runs the quickstart under Get (so that every sync is a GET)
// with syncFrequency 1m into tmp/a and 2m into tmp/b.
func diffRuns(t *testing.T) (tmp, a, b string) {
	t.Helper()
	tmp = t.TempDir()
	a, b = filepath.Join(tmp, "a"), filepath.Join(tmp, "b")
	for dir, sync := range map[string]string{a: "1m", b: "2m"} {
		_, stderr, code := run(t, "run", "quickstart", "--out", dir, "--plots", "none", "-q",
			"--set", "cluster.kubelet.changeDetectionStrategy=Get", "--set", "cluster.kubelet.syncFrequency="+sync)
		if code != 0 {
			t.Fatal(stderr)
		}
	}
	return tmp, a, b
}

func diffJSON(t *testing.T, stdout string) *compare.Diff {
	t.Helper()
	var d compare.Diff
	if err := json.Unmarshal([]byte(stdout), &d); err != nil {
		t.Fatalf("stdout is not the diff's JSON: %v\n%s", err, stdout)
	}
	return &d
}

func metricRow(t *testing.T, d *compare.Diff, name string) compare.Row {
	t.Helper()
	if len(d.Points) != 1 {
		t.Fatalf("%d matched points, want 1", len(d.Points))
	}
	for _, r := range d.Points[0].Rows {
		if r.Metric == name {
			return r
		}
	}
	t.Fatalf("no metric %s", name)
	return compare.Row{}
}

func TestDiff(t *testing.T) {
	tmp, a, b := diffRuns(t)
	out := filepath.Join(tmp, "diff")

	// A run against itself: nothing differs.
	stdout, stderr, code := run(t, "diff", a, a, "--format", "json", "--plots", "none", "-o", out)
	if code != 0 {
		t.Fatalf("diff A A: exit %d: %s", code, stderr)
	}
	d := diffJSON(t, stdout)
	if len(d.ScenarioChanges) != 0 {
		t.Errorf("diff A A: scenario changes %v", d.ScenarioChanges)
	}
	for _, r := range d.Points[0].Rows {
		if r.Verdict != compare.Same || r.Delta != 0 {
			t.Errorf("diff A A: %s: %v, delta %v", r.Metric, r.Verdict, r.Delta)
		}
	}
	if !strings.Contains(stderr, "diff in "+out) {
		t.Errorf("stderr does not say where the diff is: %q", stderr)
	}
	stdout, _, _ = run(t, "diff", a, a, "--plots", "none", "-o", out)
	if !strings.Contains(stdout, "scenario: the same") || !strings.Contains(stdout, "\n0 of ") {
		t.Errorf("diff A A table:\n%s", stdout)
	}

	// A longer sync: later updates, fewer GETs and syncs.
	stdout, stderr, code = run(t, "diff", a, b, "--format", "json", "--plots", "svg", "-o", out)
	if code != 0 {
		t.Fatalf("diff A B: exit %d: %s", code, stderr)
	}
	d = diffJSON(t, stdout)
	want := compare.Change{Path: "cluster.kubelet.syncFrequency", A: "1m", B: "2m"}
	if len(d.ScenarioChanges) != 1 || d.ScenarioChanges[0] != want {
		t.Errorf("scenario changes %v, want %v", d.ScenarioChanges, want)
	}
	for name, sign := range map[string]float64{
		"latency.mean": 1, "latency.p50": 1, "apiserver.get_per_sec": -1,
		"apiserver.requests_total.configmaps.GET": -1, "kubelet.syncs_per_sec": -1,
	} {
		r := metricRow(t, d, name)
		if float64(r.Delta)*sign <= 0 {
			t.Errorf("%s: A %v, B %v; want B %s", name, r.A, r.B, map[float64]string{1: "higher", -1: "lower"}[sign])
		}
		if r.Verdict != compare.NoCI {
			t.Errorf("%s: verdict %q with one replication, want %q", name, r.Verdict, compare.NoCI)
		}
	}
	if r := metricRow(t, d, "latency.count"); r.Verdict != compare.Same {
		t.Errorf("latency.count: %v against %v, want the same pairs", r.A, r.B)
	}
	files := readDir(t, out)
	for _, name := range []string{"diff.json", "diff.html", "charts/latency_cdf.svg", "charts/apiserver_load.svg"} {
		if len(files[name]) == 0 {
			t.Errorf("no %s written", name)
		}
	}
	if string(files["diff.json"]) != stdout {
		t.Error("diff.json differs from the JSON on stdout")
	}
	if html := string(files["diff.html"]); strings.Count(html, "<svg") != 2 || !strings.Contains(html, "cluster.kubelet.syncFrequency") {
		t.Error("diff.html lacks its two charts or the scenario change")
	}
}

func TestDiffFailIf(t *testing.T) {
	tmp, a, b := diffRuns(t)
	out := filepath.Join(tmp, "diff")
	for _, tt := range []struct {
		conds []string
		code  int
	}{
		{[]string{"latency.mean>+10%"}, 1},
		{[]string{"latency.mean<-10%"}, 0},
		{[]string{"apiserver.get_per_sec<-40%", "latency.max>1h"}, 1},
		{[]string{"latency.max>1h"}, 0},
		{[]string{"kubelet.syncs_per_sec<=-0.001"}, 1},
		// One replication: no interval separates, so none holds.
		{[]string{"latency.mean>+10%", "--separate-only"}, 0},
	} {
		args := []string{"diff", a, b, "--plots", "none", "-o", out}
		for _, c := range tt.conds {
			if strings.HasPrefix(c, "--") {
				args = append(args, c)
			} else {
				args = append(args, "--fail-if", c)
			}
		}
		stdout, stderr, code := run(t, args...)
		if code != tt.code {
			t.Errorf("%v: exit %d, want %d; stderr %s", tt.conds, code, tt.code, stderr)
		}
		if tt.code == 1 && (!strings.Contains(stderr, "--fail-if holds") || !strings.Contains(stdout, ": holds at quickstart")) {
			t.Errorf("%v: the failure is not named:\n%s%s", tt.conds, stdout, stderr)
		}
	}
}

func TestDiffBadInput(t *testing.T) {
	tmp, a, _ := diffRuns(t)
	plan := filepath.Join(tmp, "plan")
	os.MkdirAll(plan, 0o755)
	os.WriteFile(filepath.Join(plan, "plan.json"), []byte("{}"), 0o644)
	empty := filepath.Join(tmp, "empty")
	os.MkdirAll(empty, 0o755)
	broken := filepath.Join(tmp, "broken")
	os.MkdirAll(broken, 0o755)
	os.WriteFile(filepath.Join(broken, "summary.json"), []byte(`{"scenario": "x", "points": [`), 0o644)
	out := filepath.Join(tmp, "diff")
	for _, tt := range []struct {
		args []string
		msg  string
	}{
		{[]string{a, filepath.Join(tmp, "nope")}, "no such folder"},
		{[]string{a, filepath.Join(a, "summary.json")}, "not a folder"},
		{[]string{plan, a}, "output of 'cmsim plan'"},
		{[]string{a, empty}, "no summary.json"},
		{[]string{a, broken}, "summary.json"},
		{[]string{a, a, "--fail-if", "latency.p999>+10%"}, `no metric "latency.p999"`},
		{[]string{a, a, "--fail-if", "latency.p99>>1"}, "threshold"},
		{[]string{a, a, "--format", "yaml"}, "--format"},
		{[]string{a, a, "-o", a}, "one of the folders compared"},
		{[]string{a, a, "-o", plan}, "holds another cmsim output (plan.json)"},
		{[]string{a}, "wrong number of arguments"},
	} {
		args := append([]string{"diff"}, tt.args...)
		if !strings.Contains(strings.Join(tt.args, " "), "-o") {
			args = append(args, "-o", out)
		}
		stdout, stderr, code := run(t, args...)
		if code != 2 || !strings.Contains(stderr, tt.msg) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, code, stderr, tt.msg)
		}
		if stdout != "" {
			t.Errorf("%v: wrote to stdout: %q", tt.args, stdout)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("bad input created %s", out)
	}
}

// TestDiffTableGolden pins the terminal table of a small deterministic
// pair of runs.
func TestDiffTableGolden(t *testing.T) {
	tmp, a, b := diffRuns(t)
	stdout, stderr, code := run(t, "diff", a, b, "--plots", "none", "-o", filepath.Join(tmp, "diff"))
	if code != 0 {
		t.Fatal(stderr)
	}
	golden(t, "diff-quickstart.stdout", []byte(strings.ReplaceAll(stdout, tmp, "TMP")))
}
