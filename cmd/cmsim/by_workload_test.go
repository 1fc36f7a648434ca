package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cmsim/results"
)

// TestByWorkloadAddsUp runs the reloader study (two workloads, one of
// them reading its ConfigMap as env vars) with replications: in
// summary.json the workloads' and the object groups' mean counts add up to
// the pooled ones, latencies.csv's workload column gives the same counts,
// and the terminal names the workload that misses updates, with the fix.
func TestByWorkloadAddsUp(t *testing.T) {
	out := t.TempDir()
	stdout, stderr, code := cli(t, "run", "reloader", "--set", "replications=3", "--set", "duration=20m",
		"--plots", "none", "--out", out, "-q")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	f, err := os.Open(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := results.ReadSummary(f)
	if err != nil {
		t.Fatal(err)
	}
	pt := &s.Points[0]
	if len(pt.ByWorkload) != 2 || pt.CI95 == nil || len(pt.CI95.ByWorkload) != 2 {
		t.Fatalf("by_workload %+v, ci95 %+v", pt.ByWorkload, pt.CI95)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }
	for name, groups := range map[string][]results.Group{"by_workload": pt.ByWorkload, "by_object": pt.ByObject} {
		var count, env float64
		for _, g := range groups {
			count += g.LatencySeconds.Count
			env += g.NeverUpdated.Env
		}
		if !near(count, pt.LatencySeconds.Count) || !near(env, pt.NeverUpdated.Env) {
			t.Errorf("%s: counts %v and %v env, pooled %v and %v", name, count, env, pt.LatencySeconds.Count, pt.NeverUpdated.Env)
		}
	}
	if pt.NeverUpdated.Env == 0 || pt.ByWorkload[1].Name != "legacy" || pt.ByWorkload[1].NeverUpdated.Env != pt.NeverUpdated.Env {
		t.Errorf("legacy should hold every env pair: %+v", pt.ByWorkload)
	}
	b, err := os.ReadFile(filepath.Join(out, "latencies.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := results.ReadLatencies(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	observed := map[string]float64{}
	for _, r := range rows {
		if !math.IsNaN(r.LatencySeconds) {
			observed[r.Workload]++
		}
	}
	for _, g := range pt.ByWorkload {
		if !near(observed[g.Name]/3, g.LatencySeconds.Count) {
			t.Errorf("latencies.csv: %v observed rows of %s over 3 replications, summary.json %v a replication", observed[g.Name], g.Name, g.LatencySeconds.Count)
		}
	}
	if header := strings.SplitN(string(b), "\n", 2)[0]; !strings.HasSuffix(header, ",never_updated,strategy,syncFrequency,nodes") {
		t.Errorf("latencies.csv header %q", header)
	}
	if !strings.Contains(stdout, "note: Workload legacy misses updates") || !strings.Contains(stdout, "cmsim run reloader") {
		t.Errorf("stdout does not name legacy with its fix:\n%s", stdout)
	}
}
