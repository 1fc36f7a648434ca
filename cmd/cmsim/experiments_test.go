package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func cli(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	code = cmsim(args, &o, &e)
	return o.String(), e.String(), code
}

func files(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[rel] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameFiles(t *testing.T, what string, want, got map[string][]byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d files, want %d", what, len(got), len(want))
	}
	for name, b := range want {
		if !bytes.Equal(got[name], b) {
			t.Errorf("%s: %s differs", what, name)
		}
	}
}

// sweep is 3 strategies × 2 sync frequencies × 3 replications, small.
var sweep = []string{"strategies", "--set", "cluster.nodes=4", "--set", "duration=20m", "--set", "replications=3",
	"--set", "sweep.cluster.kubelet.syncFrequency=[30s, 1m]", "--plots", "svg"}

func TestRunJobsShardsAndMergeGiveTheSameFiles(t *testing.T) {
	tmp := t.TempDir()
	dir := func(name string) string { return filepath.Join(tmp, name) }
	run := func(args ...string) string {
		t.Helper()
		stdout, stderr, code := cli(t, append(append([]string{"run"}, sweep...), args...)...)
		if code != 0 {
			t.Fatalf("cmsim run %v: exit %d\n%s", args, code, stderr)
		}
		if stdout != "" && args[len(args)-2] == "--shard" {
			t.Errorf("a shard printed on stdout:\n%s", stdout)
		}
		return stderr
	}
	run("--out", dir("j1"), "-j", "1")
	run("--out", dir("j3"), "-j", "3")
	want := files(t, dir("j1"))
	sameFiles(t, "-j 3 vs -j 1", want, files(t, dir("j3")))
	if !bytes.Contains(want["summary.json"], []byte(`"ci95"`)) {
		t.Error("summary.json has no ci95")
	}

	var shards []string
	for _, i := range []string{"2", "0", "1"} {
		d := dir("shard-" + i)
		out := run("--out", d, "--shard", i+"/3", "-j", "2")
		if !strings.Contains(out, "partial result (shard "+i+"/3)") {
			t.Errorf("shard %s stderr:\n%s", i, out)
		}
		shards = append(shards, d)
	}
	stdout, stderr, code := cli(t, append([]string{"merge", "--out", dir("merged"), "--plots", "svg"}, shards...)...)
	if code != 0 {
		t.Fatalf("merge: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "merged 3 shard(s)") || !strings.Contains(stdout, "syncFrequency") {
		t.Errorf("merge stdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
	sameFiles(t, "merged vs unsharded", want, files(t, dir("merged")))

	// A different seed for one shard, a missing and a repeated shard.
	run("--out", dir("other-1"), "--shard", "1/3", "--seed", "9")
	for _, tt := range []struct {
		dirs []string
		want string
	}{
		{[]string{shards[0], shards[1]}, "missing shard(s) [1/3]"},
		{[]string{shards[0], shards[1], shards[2], shards[2]}, "is given twice"},
		{[]string{shards[0], shards[1], dir("other-1")}, "has seed 9"},
		{[]string{dir("j1")}, "not a partial result"},
	} {
		_, stderr, code := cli(t, append([]string{"merge", "--out", dir("bad")}, tt.dirs...)...)
		if code != 2 || !strings.Contains(stderr, tt.want) || !strings.HasPrefix(stderr, "cmsim: ") {
			t.Errorf("merge %v: exit %d, stderr %q; want 2 and %q", tt.dirs, code, stderr, tt.want)
		}
	}
	if _, err := os.Stat(dir("bad")); !os.IsNotExist(err) {
		t.Error("a refused merge wrote files")
	}
}

func TestRunUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"run", "quickstart", "--shard", "3/3"},
		{"run", "quickstart", "--shard", "1"},
		{"run", "quickstart", "-j", "-2"},
		{"plan", "quickstart", "--param", "cluster.nodes", "--min", "1", "--max", "9", "--objective", "latency.p42<=1s"},
		{"plan", "quickstart", "--param", "cluster.nodes", "--min", "1", "--max", "5s", "--objective", "latency.p99<=1s"},
		{"plan", "quickstart", "--param", "cluster.nodes", "--min", "1", "--max", "9", "--objective", "latency.p99<=1s", "--find", "best"},
		{"plan", "quickstart", "--param", "cluster.nodes", "--min", "0", "--max", "9", "--objective", "latency.p99<=1s"},
		{"merge", "/nonexistent"},
	} {
		if _, stderr, code := cli(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2; stderr %s", args, code, stderr)
		}
	}
}

func TestInterruptedRunWritesNothingWhenNoPointFinished(t *testing.T) {
	saved := interruptContext
	defer func() { interruptContext = saved }()
	interruptContext = func() (context.Context, context.CancelFunc) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		return ctx, func() {}
	}
	out := filepath.Join(t.TempDir(), "out")
	_, stderr, code := cli(t, append(append([]string{"run"}, sweep...), "--out", out)...)
	if code != 1 || !strings.Contains(stderr, "interrupted") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Error("an interrupted run with no finished point wrote files")
	}
}

func TestPlanFindsTheLargestSyncFrequency(t *testing.T) {
	out := t.TempDir()
	stdout, stderr, code := cli(t, "plan", "sync-frequency",
		"--set", "cluster.kubelet.changeDetectionStrategy=Watch", "--set", "cluster.nodes=10", "--set", "duration=30m",
		"--param", "cluster.kubelet.syncFrequency", "--min", "10s", "--max", "2m", "--resolution", "5s",
		"--objective", "latency.p99<=60s", "--replications", "3", "--out", out, "--plots", "svg")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if want := "sweep over cluster.kubelet.changeDetectionStrategy, cluster.kubelet.syncFrequency is dropped"; !strings.Contains(stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr)
	}
	for _, want := range []string{"answer: cluster.kubelet.syncFrequency = 40s", "decision: a value meets latency.p99 <= 60s only if the upper end"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	var pf struct {
		Found       bool
		Answer      string
		Evaluations []struct {
			Value   string
			Mean    float64
			CI95    float64
			Verdict string
		}
	}
	b, err := os.ReadFile(filepath.Join(out, "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &pf); err != nil {
		t.Fatal(err)
	}
	if !pf.Found || pf.Answer != "40s" || len(pf.Evaluations) < 3 || pf.Evaluations[0].CI95 <= 0 {
		t.Errorf("plan.json: %s", b)
	}
	// --format json: stdout is plan.json alone.
	jsonOut, stderr, code := cli(t, "plan", "sync-frequency",
		"--set", "cluster.kubelet.changeDetectionStrategy=Watch", "--set", "cluster.nodes=10", "--set", "duration=30m",
		"--param", "cluster.kubelet.syncFrequency", "--min", "10s", "--max", "2m", "--resolution", "5s",
		"--objective", "latency.p99<=60s", "--replications", "3", "--out", out, "--plots", "svg", "--format", "json")
	if code != 0 || jsonOut != string(b) || !json.Valid([]byte(jsonOut)) {
		t.Errorf("plan --format json: exit %d, stdout is not plan.json:\n%s\nstderr:\n%s", code, jsonOut, stderr)
	}
	svg, err := os.ReadFile(filepath.Join(out, "charts", "plan.svg"))
	if err != nil || !bytes.Contains(svg, []byte("threshold")) {
		t.Errorf("charts/plan.svg missing or without the threshold (%v)", err)
	}
}
