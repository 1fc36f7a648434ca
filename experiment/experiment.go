package experiment

import (
	"context"
	"fmt"
	"runtime"
	"strconv"

	"cmsim/model"
	"cmsim/results"
	"cmsim/scenarios"
	"cmsim/sim"
)

// Job is one (point, replication) run of a plan.
type Job struct {
	Point       int
	Replication int
	Seed        uint64 // sim.NewStreams(scenario seed).Derive(Point, Replication)
}

// Run is what one job leaves behind: its metrics, load rows and the digest
// of the latency rows it kept (subject to the sample limit; the rows
// themselves went to Options.Rows). It never holds the model.
type Run struct {
	Job
	Metrics results.Metrics
	Load    []results.LoadRow
	Latency results.LatencyDigest
	Events  uint64 // events the engine processed
	// Trace is the run's step-by-step trace, with Options.Trace.
	Trace []model.TraceEvent
}

// Plan is a scenario expanded into its points and jobs.
type Plan struct {
	Scenario     *scenarios.Scenario
	Points       []scenarios.Point
	Replications int
	Jobs         []Job // point-major: job p*Replications + r
}

// NewPlan expands s into its points and jobs.
func NewPlan(s *scenarios.Scenario) (*Plan, error) {
	points, err := s.Points()
	if err != nil {
		return nil, err
	}
	reps := max(s.Replications, 1)
	p := &Plan{Scenario: s, Points: points, Replications: reps}
	streams := sim.NewStreams(s.Seed)
	p.Jobs = make([]Job, 0, len(points)*reps)
	for _, pt := range points {
		for r := 0; r < reps; r++ {
			p.Jobs = append(p.Jobs, Job{Point: pt.Index, Replication: r, Seed: streams.Derive(uint64(pt.Index), uint64(r))})
		}
	}
	return p, nil
}

// All returns the indices of every job.
func (p *Plan) All() []int {
	idx := make([]int, len(p.Jobs))
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// Shard returns the indices of the jobs of shard i of n (0 <= i < n): job j
// belongs to shard j mod n, so every shard gets a share of every part of the
// grid.
func (p *Plan) Shard(i, n int) []int {
	var idx []int
	for j := i; j < len(p.Jobs); j += n {
		idx = append(idx, j)
	}
	return idx
}

// ParseShard parses "I/N" (0 <= I < N).
func ParseShard(s string) (i, n int, err error) {
	a, b, ok := cutByte(s, '/')
	if ok {
		i, err = strconv.Atoi(a)
		if err == nil {
			n, err = strconv.Atoi(b)
		}
	}
	if !ok || err != nil || n < 1 || i < 0 || i >= n {
		return 0, 0, fmt.Errorf("--shard must be I/N with 0 <= I < N (0-based, like JOB_COMPLETION_INDEX), not %q", s)
	}
	return i, n, nil
}

func cutByte(s string, c byte) (string, string, bool) {
	for k := 0; k < len(s); k++ {
		if s[k] == c {
			return s[:k], s[k+1:], true
		}
	}
	return s, "", false
}

// Progress is a snapshot of an execution, in runs and events.
type Progress struct {
	RunsDone, RunsTotal     int
	PointsDone, PointsTotal int    // points whose every selected run finished
	Events                  uint64 // events of the finished runs
}

// Options control an execution.
type Options struct {
	// Workers is the number of runs simulated at once; <= 0 means
	// runtime.NumCPU().
	Workers int
	// Samples bounds the latency rows kept per run: -1 keeps all, 0 none,
	// n a uniform subsample of at most n. Metrics always use every sample.
	Samples int
	// Rows, if set, takes each run's kept latency rows as the run
	// finishes; only their digest stays in the Run.
	Rows LatencySink
	// Progress, if set, is called after each finished run, from the
	// goroutine that called Execute.
	Progress func(Progress)
	// Trace records each run's steps in Run.Trace (small clusters only).
	Trace bool
}

// LatencySink takes the latency rows of runs as they finish, so that no
// run's rows stay in memory (cmd spills them to files). Open is called from
// the goroutines simulating the runs, so it must be safe for concurrent use.
type LatencySink interface {
	// Open returns the writer of the rows of job j (an index into
	// Plan.Jobs). The job's run closes it after its last row.
	Open(j int) (LatencyRowWriter, error)
}

// LatencyRowWriter writes the latency rows of one run, in order.
type LatencyRowWriter interface {
	Write(*results.LatencyRow) error
	Close() error
}

// SoloRunPods is the size above which a run is simulated alone, its node
// partitions on every worker, rather than beside other runs: a model of
// that many pods takes hundreds of MB.
const SoloRunPods = 400_000

// scenarioPods is the number of pods a scenario starts with.
func scenarioPods(s *scenarios.Scenario) int {
	n := 0
	for _, w := range s.Workloads {
		n += w.Pods(s.Cluster.Nodes)
	}
	return n
}

// JobError is the failure of one job.
type JobError struct {
	Job Job
	Err error
}

func (e *JobError) Error() string {
	return fmt.Sprintf("point %d replication %d: %v", e.Job.Point, e.Job.Replication, e.Err)
}

func (e *JobError) Unwrap() error { return e.Err }

// Execute runs the jobs whose indices are listed and returns one slot per
// job of the plan: the job's Run, or nil when it was not selected or did not
// finish. The result does not depend on opt.Workers.
//
// When ctx is cancelled, Execute stops starting jobs and returns at once with
// the runs finished so far and ctx's error; runs still in flight are
// abandoned (their goroutines finish and their results are dropped). When a
// job fails, Execute returns its *JobError.
func (p *Plan) Execute(ctx context.Context, jobs []int, opt Options) ([]*Run, error) {
	slots := make([]*Run, len(p.Jobs))
	if len(jobs) == 0 {
		return slots, nil
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	// With fewer runs than workers, the spare workers simulate a run's
	// node partitions in parallel (results do not depend on either).
	partWorkers := max(1, workers/len(jobs))

	// Per-point bookkeeping for progress.
	need := map[int]int{}
	for _, j := range jobs {
		need[p.Jobs[j].Point]++
	}
	prog := Progress{RunsTotal: len(jobs), PointsTotal: len(need)}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		idx int
		run *Run
		err error
	}
	done := make(chan result, len(jobs)) // buffered: abandoned runs never block
	// Each run holds one of the workers' tokens; a run of more than
	// SoloRunPods holds all of them and simulates its partitions on every
	// worker, so that two such models are never in memory at once.
	tokens := make(chan struct{}, workers)
	go func() {
		for _, j := range jobs {
			job := p.Jobs[j]
			sc := p.Points[job.Point].Scenario
			take, pw := 1, partWorkers
			if workers > 1 && scenarioPods(sc) > SoloRunPods {
				take, pw = workers, workers
			}
			for k := range take {
				select {
				case tokens <- struct{}{}:
				case <-ctx.Done():
					for range k {
						<-tokens
					}
					return
				}
			}
			go func() {
				var open func() (LatencyRowWriter, error)
				if opt.Rows != nil {
					open = func() (LatencyRowWriter, error) { return opt.Rows.Open(j) }
				}
				var r *Run
				err := ctx.Err()
				if err == nil {
					r, err = RunOne(sc, job, opt.Samples, pw, opt.Trace, open)
				}
				for range take {
					<-tokens
				}
				done <- result{idx: j, run: r, err: err}
			}()
		}
	}()
	for range jobs {
		if ctx.Err() != nil { // cancelled: take no further result
			return slots, ctx.Err()
		}
		select {
		case <-ctx.Done():
			return slots, ctx.Err()
		case res := <-done:
			if res.err != nil {
				return slots, &JobError{Job: p.Jobs[res.idx], Err: res.err}
			}
			slots[res.idx] = res.run
			prog.RunsDone++
			prog.Events += res.run.Events
			pt := res.run.Point
			if need[pt]--; need[pt] == 0 {
				prog.PointsDone++
			}
			if opt.Progress != nil {
				opt.Progress(prog)
			}
		}
	}
	return slots, nil
}

// RunOne simulates one job of a point's scenario and reduces it to a Run.
// samples is as in [Options]; the kept rows are digested into Run.Latency
// and, if open is not nil, written to the writer it opens once the
// simulation is done (and closed). workers goroutines simulate the
// cluster's node partitions (the result does not depend on it).
func RunOne(s *scenarios.Scenario, job Job, samples, workers int, trace bool, open func() (LatencyRowWriter, error)) (run *Run, err error) {
	cfg, err := s.ModelConfig(job.Seed)
	if err != nil {
		return nil, err
	}
	cfg.Workers = workers
	cfg.Trace = trace
	c, err := model.New(cfg)
	if err != nil {
		return nil, err
	}
	r, err := c.Run()
	if err != nil {
		return nil, err
	}
	run = &Run{Job: job, Metrics: r.Metrics, Load: r.LoadRows(job.Point, job.Replication), Events: r.Events, Trace: r.Trace}
	total := len(r.Recorder.Samples)
	keep := total
	if samples >= 0 && samples < total {
		keep = samples
	}
	if keep == 0 {
		return run, nil
	}
	var rows LatencyRowWriter
	if open != nil {
		if rows, err = open(); err != nil {
			return nil, err
		}
		defer func() {
			if cerr := rows.Close(); err == nil && cerr != nil {
				run, err = nil, cerr
			}
		}()
	}
	dg := results.NewRunDigester(job.Replication)
	dg.Reserve(keep)
	i := 0
	err = pipeRows(r, job, func(row *results.LatencyRow) error {
		// A uniform subsample: row i is kept when it crosses a
		// multiple of total/keep.
		k := keep == total || (i*keep)/total != ((i+1)*keep)/total
		i++
		if !k {
			return nil
		}
		if rows != nil {
			if err := rows.Write(row); err != nil {
				return err
			}
		}
		// The digest sees the numbers as latencies.csv stores them, so
		// that charts redrawn from the file are the same.
		c := results.LatencyRow{Update: row.Update, NeverUpdated: row.NeverUpdated,
			WrittenAtSeconds: results.CanonicalSeconds(row.WrittenAtSeconds), LatencySeconds: results.CanonicalSeconds(row.LatencySeconds)}
		return dg.Add(&c)
	})
	if err != nil {
		return nil, err
	}
	run.Latency = dg.Digest()
	return run, nil
}

// pipeRows calls fn with every latency row of r, in order. Building the
// rows (names, times) and writing them (encoding, digest) each take about
// a second for two million rows, so they run on two goroutines, handing
// over batches of rows.
func pipeRows(r *model.Result, job Job, fn func(*results.LatencyRow) error) error {
	const batchRows = 4096
	full := make(chan []results.LatencyRow, 4)
	empty := make(chan []results.LatencyRow, 5)
	for range 5 {
		empty <- make([]results.LatencyRow, 0, batchRows)
	}
	stop := make(chan struct{})
	errStopped := fmt.Errorf("stopped")
	go func() {
		defer close(full)
		batch := <-empty
		err := r.EachLatencyRow(job.Point, job.Replication, func(row *results.LatencyRow) error {
			batch = append(batch, *row)
			if len(batch) < batchRows {
				return nil
			}
			select {
			case full <- batch:
			case <-stop:
				return errStopped
			}
			select {
			case batch = <-empty:
			case <-stop:
				return errStopped
			}
			return nil
		})
		if err == nil && len(batch) > 0 {
			select {
			case full <- batch:
			case <-stop:
			}
		}
	}()
	var err error
	for batch := range full {
		for k := range batch {
			if err == nil {
				err = fn(&batch[k])
			}
		}
		if err != nil {
			break
		}
		empty <- batch[:0]
	}
	close(stop)
	for range full { // let the producer finish
	}
	return err
}

// PointParams names a point: its swept values, plus the parameters every
// chart and table needs to label it.
func PointParams(pt scenarios.Point) map[string]string {
	s := pt.Scenario
	m := map[string]string{
		"cluster.kubelet.changeDetectionStrategy": s.Cluster.Kubelet.ChangeDetectionStrategy,
		"cluster.kubelet.syncFrequency":           s.Cluster.Kubelet.SyncFrequency.String(),
		"cluster.nodes":                           strconv.Itoa(s.Cluster.Nodes),
	}
	for _, p := range pt.Params {
		m[p.Path] = p.Value
	}
	return m
}

// Summarized is what [Summarize] makes of the runs of an execution or a merge.
type Summarized struct {
	Summary *results.Summary
	// Latency[k] pools the latency digests of summary point k's runs.
	Latency []results.LatencyDigest
	// Load holds the rows of load.csv, in job order.
	Load []results.LoadRow
	// PlanPoints[k] is the plan point of summary point k: after an
	// unfinished point they differ, and the rows of job
	// PlanPoints[k]*reps+r are renumbered to point k in latencies.csv.
	PlanPoints []int
}

// Summarize reduces the slots of an execution (or a merge) to summary.json,
// the latency digests of the charts and the rows of load.csv, in job order.
// Only finished points (every replication present) are included;
// Incomplete is set when any point is missing. params[i] labels point i
// (see [PointParams]). The load rows move out of the runs (their Load is
// emptied), and each row's Point becomes its point's index in the summary.
func Summarize(name string, seed uint64, reps int, params []map[string]string, slots []*Run) *Summarized {
	s := &results.Summary{Scenario: name, Seed: seed}
	out := &Summarized{Summary: s}
	complete := func(runs []*Run) bool {
		for _, r := range runs {
			if r == nil {
				return false
			}
		}
		return true
	}
	nLoad := 0
	for pi := range params {
		if runs := slots[pi*reps : (pi+1)*reps]; complete(runs) {
			for _, r := range runs {
				nLoad += len(r.Load)
			}
		}
	}
	out.Load = make([]results.LoadRow, 0, nLoad)
	for pi := range params {
		runs := slots[pi*reps : (pi+1)*reps]
		if !complete(runs) {
			s.Incomplete = true
			continue
		}
		ms := make([]results.Metrics, 0, reps)
		for _, r := range runs {
			ms = append(ms, r.Metrics)
		}
		mean, ci := results.Aggregate(ms)
		p := results.Point{Params: params[pi], Metrics: mean, CI95: ci}
		if reps > 1 {
			p.Replications = reps
		}
		// Rows name their point by its place in Points, which skips
		// unfinished points.
		point := len(s.Points)
		s.Points = append(s.Points, p)
		out.PlanPoints = append(out.PlanPoints, pi)
		var d results.LatencyDigest
		for _, r := range runs {
			d.Pool(&r.Latency)
			for i := range r.Load {
				r.Load[i].Point = point
			}
			out.Load = append(out.Load, r.Load...)
			r.Load = nil // the rows live on in out.Load only
		}
		out.Latency = append(out.Latency, d)
	}
	return out
}

// Params returns the labels of every point of the plan.
func (p *Plan) Params() []map[string]string {
	out := make([]map[string]string, len(p.Points))
	for i, pt := range p.Points {
		out[i] = PointParams(pt)
	}
	return out
}

// Evaluate runs every replication of a single-point scenario (seeds as in a
// plan: Derive(0, r)) and returns the mean and 95% half-widths of its
// metrics, exactly as 'cmsim run' would report that point.
func Evaluate(ctx context.Context, s *scenarios.Scenario, opt Options) (Measurement, error) {
	p, err := NewPlan(s)
	if err != nil {
		return Measurement{}, err
	}
	if len(p.Points) != 1 {
		return Measurement{}, fmt.Errorf("evaluate: the scenario has %d points, want 1", len(p.Points))
	}
	opt.Samples = 0
	slots, err := p.Execute(ctx, p.All(), opt)
	if err != nil {
		return Measurement{}, err
	}
	ms := make([]results.Metrics, len(slots))
	var m Measurement
	for i, r := range slots {
		ms[i] = r.Metrics
		m.Events += r.Events
	}
	m.Metrics, m.CI95 = results.Aggregate(ms)
	m.Runs = len(slots)
	return m, nil
}
