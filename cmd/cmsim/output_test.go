package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"cmsim/results"
)

// TestStdoutIsTheDocument: with --format json stdout is exactly
// summary.json, and with --format csv one CSV row per point; every human
// line is on stderr.
func TestStdoutIsTheDocument(t *testing.T) {
	dir := t.TempDir()
	args := []string{"run", "strategies", "--set", "cluster.nodes=4", "--set", "duration=15m", "--replications", "2", "--plots", "none", "-q", "--out", dir}
	stdout, stderr, code := cli(t, append(args, "--format", "json")...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
	}
	summary, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if stdout != string(summary) {
		t.Errorf("stdout differs from summary.json")
	}
	for _, want := range []string{"cmsim: scenario strategies", "--- resolved scenario", "results in "} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	var s struct {
		Points []struct {
			Replications int
			Params       map[string]string
		}
	}
	json.Unmarshal(summary, &s)
	if len(s.Points) != 3 || s.Points[0].Replications != 2 {
		t.Fatalf("--replications 2: summary.json has %d points of %d replications, want 3 of 2", len(s.Points), s.Points[0].Replications)
	}

	stdout, stderr, code = cli(t, append(args, "--format", "csv")...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	rows, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if err != nil {
		t.Fatalf("stdout is not CSV: %v\n%s", err, stdout)
	}
	if len(rows) != 4 {
		t.Fatalf("%d CSV rows, want a header and 3 points", len(rows))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, h := range []string{"point", "cluster.kubelet.changeDetectionStrategy", "replications", "latency_seconds.p99", "ci95.latency_seconds.p99", "apiserver.request_latency.GET.p99"} {
		if _, ok := col[h]; !ok {
			t.Errorf("CSV header lacks %s: %v", h, rows[0])
		}
	}
	for i, p := range s.Points {
		if got := rows[i+1][col["cluster.kubelet.changeDetectionStrategy"]]; got != p.Params["cluster.kubelet.changeDetectionStrategy"] {
			t.Errorf("CSV row %d strategy %s, want %s", i, got, p.Params["cluster.kubelet.changeDetectionStrategy"])
		}
	}

	// A failing run still says so by its exit code, with stdout empty.
	stdout, _, code = cli(t, "run", "testdata/bad-nodes.yaml", "--format", "json", "--out", filepath.Join(dir, "x"))
	if code != 2 || stdout != "" {
		t.Errorf("bad scenario with --format json: exit %d, stdout %q", code, stdout)
	}
}

// names lists the files under dir, sorted, without the manifest.
func names(t *testing.T, dir string) []string {
	var out []string
	for name := range files(t, dir) {
		if name != manifestName {
			out = append(out, filepath.ToSlash(name))
		}
	}
	sort.Strings(out)
	return out
}

// TestReusedFolderHoldsOneRun: a run into an old sweep's folder leaves none
// of the sweep's files behind and every file cmsim did not write in place;
// a folder of other files is refused without --force.
func TestReusedFolderHoldsOneRun(t *testing.T) {
	dir := t.TempDir()
	fresh := t.TempDir()
	small := []string{"--set", "cluster.nodes=4", "--plots", "svg", "-q"}
	cmd := func(dir string, args ...string) {
		t.Helper()
		if _, stderr, code := cli(t, append(args, append(small, "--out", dir)...)...); code != 0 {
			t.Fatalf("%v: exit %d\n%s", args, code, stderr)
		}
	}
	cmd(dir, "run", "strategies", "--set", "sweep.cluster.kubelet.syncFrequency=[30s, 1m]")
	sweepCharts := 0
	for _, n := range names(t, dir) {
		if strings.HasPrefix(n, "charts/") {
			sweepCharts++
		}
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644)
	os.WriteFile(filepath.Join(dir, "charts", "mine.svg"), []byte("mine"), 0o644)

	cmd(dir, "run", "quickstart")
	cmd(fresh, "run", "quickstart")
	want := append(names(t, fresh), "charts/mine.svg", "notes.txt")
	sort.Strings(want)
	got := names(t, dir)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("after a sweep (%d charts) and a quickstart run, the folder holds\n%s\nwant\n%s", sweepCharts, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	sameFiles(t, "quickstart into a reused folder vs a fresh one", files(t, fresh), without(files(t, dir), "charts/mine.svg", "notes.txt"))

	// plot with fewer formats drops the charts it no longer draws.
	if _, stderr, code := cli(t, "plot", dir, "--plots", "png"); code != 0 {
		t.Fatal(stderr)
	}
	for _, n := range names(t, dir) {
		if strings.HasSuffix(n, ".svg") && n != "charts/mine.svg" {
			t.Errorf("plot --plots png left %s", n)
		}
	}

	// plan into a run's folder replaces the run's files.
	cmd(dir, "plan", "sync-frequency", "--param", "cluster.kubelet.syncFrequency", "--min", "10s", "--max", "20s",
		"--resolution", "10s", "--objective", "latency.p99<=10m", "--replications", "1")
	if got := strings.Join(names(t, dir), " "); got != "charts/mine.svg charts/plan.svg notes.txt plan.json scenario.yaml" {
		t.Errorf("plan into a run's folder left: %s", got)
	}

	// An older cmsim's sweep folder (no manifest, only cmsim's names) is
	// replaced whole.
	legacy := t.TempDir()
	cmd(legacy, "run", "strategies", "--set", "sweep.cluster.kubelet.syncFrequency=[30s, 1m]")
	os.Remove(filepath.Join(legacy, manifestName))
	cmd(legacy, "run", "quickstart")
	if got, want := strings.Join(names(t, legacy), " "), strings.Join(names(t, fresh), " "); got != want {
		t.Errorf("quickstart into an older cmsim's sweep folder left\n%s\nwant\n%s", got, want)
	}

	// A folder of other files is refused, and --force leaves them alone.
	foreign := t.TempDir()
	os.WriteFile(filepath.Join(foreign, "thesis.tex"), []byte("mine"), 0o644)
	_, stderr, code := cli(t, append([]string{"run", "quickstart", "--out", foreign}, small...)...)
	if code != 2 || !strings.Contains(stderr, "thesis.tex") || !strings.Contains(stderr, "--force") {
		t.Errorf("run into a foreign folder: exit %d, stderr %q", code, stderr)
	}
	if got := names(t, foreign); len(got) != 1 {
		t.Errorf("a refused run wrote %v", got)
	}
	cmd(foreign, "run", "quickstart", "--force")
	if b, err := os.ReadFile(filepath.Join(foreign, "thesis.tex")); err != nil || string(b) != "mine" {
		t.Errorf("--force changed a file cmsim did not write: %q, %v", b, err)
	}
	for _, d := range []string{dir, foreign} {
		entries, _ := os.ReadDir(d)
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), stagingPrefix) {
				t.Errorf("%s left in %s", e.Name(), d)
			}
		}
	}
}

func without(m map[string][]byte, names ...string) map[string][]byte {
	for _, n := range names {
		delete(m, filepath.FromSlash(n))
	}
	return m
}

// TestSummaryTable: whole pair counts (means say so), p99 ± its half-width
// to the table's precision, and an interrupted run's table keeps the
// strategy column although the points that finished share it.
func TestSummaryTable(t *testing.T) {
	pt := func(sync string, pairs, p99, ci float64) results.Point {
		p := results.Point{Params: map[string]string{"cluster.kubelet.changeDetectionStrategy": "Get", "cluster.kubelet.syncFrequency": sync, "cluster.nodes": "10"},
			Replications: 3, CI95: &results.Metrics{}}
		p.LatencySeconds.Count, p.LatencySeconds.P99, p.CI95.LatencySeconds.P99 = pairs, p99, ci
		p.NeverUpdated.Env = 51.7
		return p
	}
	s := &results.Summary{Incomplete: true, Points: []results.Point{pt("30s", 6911.3, 41.86, 0.52), pt("1m", 6911.7, 81.6, 1e-17)}}
	var b strings.Builder
	printSummary(&b, s)
	lines := strings.Split(b.String(), "\n")
	for _, want := range []string{"strategy", "syncFrequency", "pairs (mean of 3)", "never env/subPath/immut (mean of 3)"} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("header lacks %q:\n%s", want, b.String())
		}
	}
	for i, want := range []string{"Get 30s 6,911", "Get 1m 6,912"} {
		if got := strings.Join(strings.Fields(lines[i+1])[:3], " "); got != want {
			t.Errorf("row %d lacks %q:\n%s", i, want, b.String())
		}
	}
	if !strings.Contains(lines[1], "41.86 ± 0.52") || !strings.Contains(lines[2], "81.60 ± 0 ") || !strings.Contains(lines[1], "52/0/0") {
		t.Errorf("p99 ± ci95 or never counts:\n%s", b.String())
	}
}

// TestReusedDiffFolderHoldsOneDiff: a diff of two points into the folder of
// a diff of four leaves only its own charts, and a foreign folder is
// refused without --force.
func TestReusedDiffFolderHoldsOneDiff(t *testing.T) {
	small := []string{"--set", "cluster.nodes=4", "--plots", "none", "-q"}
	run := func(dir string, args ...string) string {
		t.Helper()
		if _, stderr, code := cli(t, append(args, append(small, "--out", dir)...)...); code != 0 {
			t.Fatalf("%v: exit %d\n%s", args, code, stderr)
		}
		return dir
	}
	sweep := run(t.TempDir(), "run", "strategies")
	one := run(t.TempDir(), "run", "quickstart")
	out := t.TempDir()
	diff := func(a, b string, extra ...string) (string, int) {
		_, stderr, code := cli(t, append([]string{"diff", a, b, "--plots", "svg", "-o", out}, extra...)...)
		return stderr, code
	}
	if stderr, code := diff(sweep, sweep); code != 0 {
		t.Fatal(stderr)
	}
	if n := len(names(t, out)); n < 5 {
		t.Fatalf("a diff of a 3-point sweep wrote only %v", names(t, out))
	}
	if stderr, code := diff(one, one); code != 0 {
		t.Fatal(stderr)
	}
	if got := strings.Join(names(t, out), " "); got != "charts/apiserver_load.svg charts/latency_cdf.svg diff.html diff.json" {
		t.Errorf("a diff into an earlier diff's folder left: %s", got)
	}
	out = t.TempDir()
	os.WriteFile(filepath.Join(out, "notes.txt"), []byte("mine"), 0o644)
	if stderr, code := diff(one, one); code != 2 || !strings.Contains(stderr, "--force") {
		t.Errorf("diff into a foreign folder: exit %d, %s", code, stderr)
	}
	if stderr, code := diff(one, one, "--force"); code != 0 || len(names(t, out)) != 5 {
		t.Errorf("diff --force: exit %d, %s, wrote %v", code, stderr, names(t, out))
	}
}
