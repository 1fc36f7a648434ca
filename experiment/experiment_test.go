package experiment

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strings"
	"sync"
	"testing"

	"cmsim/results"
	"cmsim/scenarios"
)

// load loads a built-in scenario with overrides.
func load(t *testing.T, name string, sets ...string) *scenarios.Scenario {
	t.Helper()
	b, ok := scenarios.Builtin(name)
	if !ok {
		t.Fatalf("no built-in %s", name)
	}
	s, err := scenarios.Load("builtin:"+name, b, sets)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// small is a 3 strategies × 2 sync frequencies × 3 replications sweep on a
// small cluster.
func small(t *testing.T, sets ...string) *Plan {
	t.Helper()
	s := load(t, "strategies", append([]string{"cluster.nodes=4", "duration=20m", "replications=3",
		"sweep.cluster.kubelet.syncFrequency=[30s, 1m]"}, sets...)...)
	p, err := NewPlan(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Points) != 6 || len(p.Jobs) != 18 {
		t.Fatalf("%d points, %d jobs; want 6, 18", len(p.Points), len(p.Jobs))
	}
	return p
}

// memSink keeps each job's latency rows in memory, encoded as latencies.csv
// holds them.
type memSink struct {
	mu     sync.Mutex
	params []map[string]string
	rows   map[int]*bytes.Buffer
}

func newMemSink(p *Plan) *memSink { return &memSink{params: p.Params(), rows: map[int]*bytes.Buffer{}} }

func (m *memSink) Open(j int) (LatencyRowWriter, error) {
	b := &bytes.Buffer{}
	m.mu.Lock()
	m.rows[j] = b
	m.mu.Unlock()
	return memRows{results.NewLatencyRowWriter(b, m.params)}, nil
}

type memRows struct{ lw *results.LatencyWriter }

func (w memRows) Write(r *results.LatencyRow) error { return w.lw.Write(r) }
func (w memRows) Close() error                      { return w.lw.Flush() }

// latencies returns latencies.csv for the given jobs' rows, in order.
func (m *memSink) latencies(t *testing.T, jobs []int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteLatencyHeader(&b, m.params); err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		if r := m.rows[j]; r != nil {
			b.Write(r.Bytes())
		}
	}
	return b.Bytes()
}

// encode returns the bytes of summary.json and load.csv.
func encode(t *testing.T, s *results.Summary, load []results.LoadRow) [2][]byte {
	t.Helper()
	var out [2]bytes.Buffer
	if err := results.WriteSummary(&out[0], s); err != nil {
		t.Fatal(err)
	}
	if err := results.WriteLoad(&out[1], load); err != nil {
		t.Fatal(err)
	}
	return [2][]byte{out[0].Bytes(), out[1].Bytes()}
}

// execution is what an unsharded run writes, and its digests.
type execution struct {
	files   [3][]byte // summary.json, latencies.csv, load.csv
	latency []results.LatencyDigest
}

func execute(t *testing.T, p *Plan, jobs []int, workers int) execution {
	t.Helper()
	sink := newMemSink(p)
	slots, err := p.Execute(context.Background(), jobs, Options{Workers: workers, Samples: -1, Rows: sink})
	if err != nil {
		t.Fatal(err)
	}
	sm := Summarize(p.Scenario.Name, p.Scenario.Seed, p.Replications, p.Params(), slots)
	enc := encode(t, sm.Summary, sm.Load)
	return execution{files: [3][]byte{enc[0], sink.latencies(t, jobs), enc[1]}, latency: sm.Latency}
}

func TestOutputDoesNotDependOnWorkers(t *testing.T) {
	p := small(t)
	want := execute(t, p, p.All(), 1)
	for _, w := range []int{2, 5, 32} {
		got := execute(t, p, p.All(), w)
		for i, name := range []string{"summary.json", "latencies.csv", "load.csv"} {
			if !bytes.Equal(got.files[i], want.files[i]) {
				t.Errorf("-j %d: %s differs from -j 1", w, name)
			}
		}
		if !reflect.DeepEqual(got.latency, want.latency) {
			t.Errorf("-j %d: the latency digests differ from -j 1", w)
		}
	}
	if !bytes.Contains(want.files[0], []byte(`"ci95"`)) || !bytes.Contains(want.files[0], []byte(`"replications": 3`)) {
		t.Errorf("summary.json lacks ci95 or replications:\n%.400s", want.files[0])
	}
	// The digests are those of the rows written.
	fromFile, err := results.DigestLatencies(bytes.NewReader(want.files[1]), len(p.Points))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromFile, want.latency) {
		t.Error("the digests of latencies.csv differ from the run's")
	}
}

func TestSeedsFollowPointAndReplication(t *testing.T) {
	p := small(t)
	seen := map[uint64]bool{}
	for j, job := range p.Jobs {
		if job.Point != j/3 || job.Replication != j%3 {
			t.Fatalf("job %d is (%d, %d)", j, job.Point, job.Replication)
		}
		if seen[job.Seed] {
			t.Fatalf("job %d reuses a seed", j)
		}
		seen[job.Seed] = true
	}
}

// memFS is a directory in memory, for partial results.
type memFS map[string][]byte

func (m memFS) write(t *testing.T, pr *Partial, rows []byte) {
	for _, f := range pr.Files(func(w io.Writer) error { _, err := w.Write(rows); return err }) {
		var b bytes.Buffer
		if err := f.Write(&b); err != nil {
			t.Fatal(err)
		}
		m[f.Name] = b.Bytes()
	}
}

func (m memFS) open(name string) (io.ReadCloser, error) {
	b, ok := m[name]
	if !ok {
		return nil, fmt.Errorf("open %s: no such file", name)
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

// shard runs shard i of n of plan p and reads its partial result back.
func shard(t *testing.T, p *Plan, i, n int) *Partial {
	t.Helper()
	sink := newMemSink(p)
	slots, err := p.Execute(context.Background(), p.Shard(i, n), Options{Workers: 2, Samples: -1, Rows: sink})
	if err != nil {
		t.Fatal(err)
	}
	fs := memFS{}
	var rows []byte
	for _, j := range p.Shard(i, n) {
		if r := sink.rows[j]; r != nil {
			rows = append(rows, r.Bytes()...)
		}
	}
	fs.write(t, NewPartial(p, Shard{i, n}, -1, slots), rows)
	pr, err := ReadPartial(fs.open)
	if err != nil {
		t.Fatal(err)
	}
	shardFiles[pr] = fs
	return pr
}

// shardFiles keeps the files of the partials that shard made.
var shardFiles = map[*Partial]memFS{}

func TestShardsMergeToTheUnshardedRun(t *testing.T) {
	p := small(t)
	want := execute(t, p, p.All(), 3)
	for _, n := range []int{1, 4, 18, 25} {
		var parts []*Partial
		var names []string
		byName := map[string]memFS{}
		for i := n - 1; i >= 0; i-- { // any order
			pr := shard(t, p, i, n)
			parts = append(parts, pr)
			names = append(names, fmt.Sprintf("shard-%d", i))
			byName[names[len(names)-1]] = shardFiles[pr]
		}
		mg, err := Merge(names, parts)
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		sm := Summarize(mg.Scenario, mg.Seed, mg.Replications, mg.Params, mg.Slots)
		var lat bytes.Buffer
		digests, err := mg.WriteLatencies(&lat, func(name string) (io.ReadCloser, error) { return byName[name].open(LatenciesFile) })
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		enc := encode(t, sm.Summary, sm.Load)
		got := [3][]byte{enc[0], lat.Bytes(), enc[1]}
		for i, name := range []string{"summary.json", "latencies.csv", "load.csv"} {
			if !bytes.Equal(got[i], want.files[i]) {
				t.Errorf("%d shards: merged %s differs from the unsharded run", n, name)
			}
		}
		if !reflect.DeepEqual(digests, want.latency) {
			t.Errorf("%d shards: merged latency digests differ from the unsharded run's", n)
		}
		if !bytes.Equal(mg.ScenarioYAML, p.Scenario.ResolvedYAML()) {
			t.Errorf("%d shards: merged scenario.yaml differs", n)
		}
	}
}

func TestMergeRefusesMismatches(t *testing.T) {
	p := small(t)
	s0, s1, s2 := shard(t, p, 0, 3), shard(t, p, 1, 3), shard(t, p, 2, 3)
	other := shard(t, small(t, "seed=7"), 1, 3)
	otherSet := shard(t, small(t, "cluster.nodes=5"), 1, 3)
	of4 := shard(t, p, 1, 4)
	// A shard that lost a run.
	short := shard(t, p, 2, 3)
	short.Runs = short.Runs[1:]
	tests := []struct {
		name  string
		parts []*Partial
		want  string
	}{
		{"missing", []*Partial{s0, s2}, "missing shard(s) [1/3]"},
		{"duplicate", []*Partial{s0, s1, s1, s2}, "shard 1/3 is given twice"},
		{"seed", []*Partial{s0, other, s2}, "seed 7"},
		{"settings", []*Partial{s0, otherSet, s2}, "different scenario settings"},
		{"count", []*Partial{s0, of4, s2}, "shard counts differ"},
		{"lacks a run", []*Partial{s0, s1, short}, "lacks run (point 0, replication 2)"},
	}
	for _, tt := range tests {
		names := make([]string, len(tt.parts))
		for i := range names {
			names[i] = fmt.Sprintf("dir%d", i)
		}
		_, err := Merge(names, tt.parts)
		var me *MergeError
		if !errors.As(err, &me) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want a MergeError containing %q", tt.name, err, tt.want)
		}
	}
}

func TestCancelKeepsFinishedPointsInOrder(t *testing.T) {
	p := small(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var last Progress
	slots, err := p.Execute(ctx, p.All(), Options{Workers: 1, Samples: -1, Progress: func(pr Progress) {
		last = pr
		if pr.PointsDone == 2 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if last.PointsDone != 2 || last.RunsTotal != 18 || last.PointsTotal != 6 {
		t.Fatalf("last progress %+v", last)
	}
	sm := Summarize(p.Scenario.Name, p.Scenario.Seed, p.Replications, p.Params(), slots)
	s := sm.Summary
	if !s.Incomplete || len(s.Points) != 2 {
		t.Fatalf("incomplete=%v with %d points; want true with 2", s.Incomplete, len(s.Points))
	}
	if !reflect.DeepEqual(sm.PlanPoints, []int{0, 1}) || len(sm.Latency) != 2 {
		t.Fatalf("plan points %v, %d digests; want [0 1] and 2", sm.PlanPoints, len(sm.Latency))
	}
	// The finished points are those of a complete run.
	full := Summarize(p.Scenario.Name, p.Scenario.Seed, p.Replications, p.Params(), mustExecute(t, p)).Summary
	for i := range s.Points {
		if !reflect.DeepEqual(s.Points[i].Metrics, full.Points[i].Metrics) {
			t.Errorf("point %d differs from the complete run", i)
		}
	}
}

func mustExecute(t *testing.T, p *Plan) []*Run {
	slots, err := p.Execute(context.Background(), p.All(), Options{Workers: 4, Samples: 0})
	if err != nil {
		t.Fatal(err)
	}
	return slots
}

// watch60 is a single Watch point with syncFrequency 60s on a modest
// cluster (20 nodes × 10 pods, an update a minute, 1h).
func watch60(t *testing.T, reps int) *Plan {
	t.Helper()
	s := load(t, "sync-frequency", "sweep={}", "cluster.kubelet.changeDetectionStrategy=Watch",
		"cluster.kubelet.syncFrequency=60s", fmt.Sprintf("replications=%d", reps))
	p, err := NewPlan(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestWatchMeanLatencyMatchesRenewalTheory checks the simulated mean
// latency under Watch against renewal theory. The kubelet resyncs a pod
// every X seconds, X uniform on the integers S+1..1.5S (S = syncFrequency =
// 60s: U[S, 1.5S) rounded up to the next 1s sync tick), so an update waits
// E[X²]/(2E[X]) = 38.25s on average for the next resync, plus ~0.15s of
// volume-manager and watch delays. (The run drains after its duration, so
// the updates of its last minutes are observed too and the mean is not
// biased low.)
func TestWatchMeanLatencyMatchesRenewalTheory(t *testing.T) {
	var ex, ex2 float64
	for x := 61; x <= 90; x++ {
		ex += float64(x) / 30
		ex2 += float64(x*x) / 30
	}
	want := ex2/(2*ex) + 0.15
	if math.Abs(want-38.4) > 0.01 {
		t.Fatalf("analytic mean %.3f", want)
	}
	// meanCI returns the summary's mean latency and its 95% half-width.
	meanCI := func(reps int) (mean, ci float64) {
		m, err := Evaluate(context.Background(), watch60(t, reps).Scenario, Options{})
		if err != nil {
			t.Fatal(err)
		}
		return m.Metrics.LatencySeconds.Mean, m.CI95.LatencySeconds.Mean
	}
	m4, c4 := meanCI(4)
	m10, c10 := meanCI(10)
	m40, c40 := meanCI(40)
	t.Logf("mean latency (renewal theory %.3f s): %.3f ± %.3f (4 replications), %.3f ± %.3f (10), %.3f ± %.3f (40)", want, m4, c4, m10, c10, m40, c40)
	for _, c := range []struct {
		reps     int
		mean, ci float64
	}{{4, m4, c4}, {10, m10, c10}, {40, m40, c40}} {
		if math.Abs(c.mean-want) > c.ci {
			t.Errorf("%d replications: mean latency %.3f ± %.3f s does not cover the analytic %.3f s", c.reps, c.mean, c.ci, want)
		}
	}
	// Half-widths shrink as replications grow (about as 1/sqrt(n)).
	if !(c40 < c10 && c10 < c4) {
		t.Errorf("ci95 does not shrink with replications: %.3f, %.3f, %.3f", c4, c10, c40)
	}
}

// TestSummarizeSkipsUnfinishedPoints: with a gap (a later point finished, an
// earlier one not, as parallel workers leave it), rows are renumbered to
// their point's place in the summary.
func TestSummarizeSkipsUnfinishedPoints(t *testing.T) {
	run := func(point, rep int) *Run {
		return &Run{Job: Job{Point: point, Replication: rep},
			Latency: results.LatencyDigest{Pending: int64(10*point + rep + 1)},
			Load:    []results.LoadRow{{Point: point, Replication: rep}}}
	}
	params := []map[string]string{{"p": "0"}, {"p": "1"}, {"p": "2"}}
	slots := []*Run{run(0, 0), nil, run(1, 0), run(1, 1), run(2, 0), run(2, 1)}
	sm := Summarize("x", 1, 2, params, slots)
	s, load := sm.Summary, sm.Load
	if !s.Incomplete || len(s.Points) != 2 || s.Points[0].Params["p"] != "1" || s.Points[1].Params["p"] != "2" {
		t.Fatalf("summary %+v", s)
	}
	if !reflect.DeepEqual(sm.PlanPoints, []int{1, 2}) {
		t.Fatalf("plan points %v, want [1 2]", sm.PlanPoints)
	}
	if len(sm.Latency) != 2 || sm.Latency[0].Pending != 11+12 || sm.Latency[1].Pending != 21+22 {
		t.Fatalf("latency digests %+v: want each point's runs pooled", sm.Latency)
	}
	if len(load) != 4 {
		t.Fatalf("%d load rows; want 4", len(load))
	}
	for i, want := range []int{0, 0, 1, 1} {
		if load[i].Point != want {
			t.Fatalf("row %d names point %d, want %d", i, load[i].Point, want)
		}
	}
}

// TestMergeRefusesRowsOutOfPlace: a shard's latencies.csv whose runs are
// out of job order is a MergeError naming the shard and line.
func TestMergeRefusesRowsOutOfPlace(t *testing.T) {
	p := small(t)
	parts := []*Partial{shard(t, p, 0, 2), shard(t, p, 1, 2)}
	files := map[string]memFS{"s0": shardFiles[parts[0]], "s1": {}}
	for k, v := range shardFiles[parts[1]] {
		files["s1"][k] = v
	}
	// Move shard 1's first row to the end of its file.
	lines := strings.SplitAfter(string(files["s1"][LatenciesFile]), "\n")
	moved := append(append([]string{lines[0]}, lines[2:len(lines)-1]...), lines[1])
	files["s1"][LatenciesFile] = []byte(strings.Join(moved, ""))
	mg, err := Merge([]string{"s0", "s1"}, parts)
	if err != nil {
		t.Fatal(err)
	}
	_, err = mg.WriteLatencies(io.Discard, func(name string) (io.ReadCloser, error) { return files[name].open(LatenciesFile) })
	var me *MergeError
	if !errors.As(err, &me) || !strings.Contains(err.Error(), "s1: latencies.csv:") || !strings.Contains(err.Error(), "out of place") {
		t.Fatalf("err = %v, want a MergeError naming s1's latencies.csv", err)
	}
}
