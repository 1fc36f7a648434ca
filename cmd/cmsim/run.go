package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"cmsim/experiment"
	"cmsim/plots"
	"cmsim/results"

	"github.com/spf13/pflag"
)

type runOptions struct {
	out     string
	seed    int64
	sets    []string
	format  string
	plots   string
	samples string
	stats   bool
	cpuProf string
	trace   string
	jobs    int
	quiet   bool
	shard   string
	force   bool
	reps    int
}

var runCommand = &command{
	usage: "run FILE|BUILTIN|MANIFESTS... [flags]",
	short: "run a scenario and write its results",
	long: `Run simulates a scenario (a YAML file, or a built-in by name: see
'cmsim scenarios'; folders, Kubernetes manifest files and - for stdin are
imported first, as 'cmsim import' does) and writes into the output folder:

  summary.json    headline metrics per parameter point, also by workload
                  and by object group, and derived values (Cache TTL in
                  force, expected latency bound)
  latencies.csv   one row per (update, consumer) pair, with its workload
                  and the point's parameters
  load.csv        apiserver and kubelet load per time bucket
  scenario.yaml   the scenario as run, every default filled in
  charts/         latency and apiserver-load charts (SVG and PNG)
  report.html     a self-contained report of all of the above

stdout carries only the result: the summary as a table, or with --format
json exactly summary.json, or with --format csv one row per point (see
docs/output.md). Everything else (the seed, the resolved scenario, where
the files went, progress, warnings) goes to stderr, so that
'cmsim run X --format json | jq .' works; the exit code says whether the
run succeeded. The same scenario and seed always give byte-identical files,
whatever -j.

The files are written into a staging folder inside --out and replace the
previous cmsim output there as a whole only once every one is written:
files the last cmsim command wrote (listed in --out/.cmsim-files) that this
run does not write are removed, so the folder never mixes two runs, and
files cmsim did not write are never touched. A non-empty folder without
.cmsim-files is refused unless --force (or unless it holds only files named
as cmsim names its outputs: an older cmsim's, replaced whole).

Every sweep point runs 'replications' times on independent seeds; summary.json
holds each metric's mean over replications and its 95% confidence half-width
(ci95). Runs go in parallel on -j cores. A progress bar on stderr shows
points done, events per second and time left (not with --quiet, or when
stderr is not a terminal). Ctrl-C stops cleanly: the points whose every
replication finished are written, summary.json says "incomplete": true, and
the exit code is 1.

--shard I/N runs only shard I (0-based, as Kubernetes' JOB_COMPLETION_INDEX)
of N of the (point, replication) runs and writes a partial result into
--out instead (manifest.json, scenario.yaml, latencies.csv, load.csv);
'cmsim merge' combines the N partials into exactly the files of an
unsharded run. See docs/experiments.md.`,
	flags: func(fs *pflag.FlagSet) any {
		o := &runOptions{}
		fs.StringVarP(&o.out, "out", "o", "cmsim-out", "write results into `DIR`")
		fs.Int64Var(&o.seed, "seed", -1, "override the scenario's seed with `N`")
		fs.StringArrayVar(&o.sets, "set", nil, "override a scenario value by dotted `PATH=VALUE` (repeatable), e.g. cluster.kubelet.syncFrequency=5s or workloads.web.replicas=100")
		fs.IntVar(&o.reps, "replications", 0, "runs per point on independent seeds, `N` (default: the scenario's replications)")
		fs.StringVar(&o.format, "format", "table", "summary on stdout: `table`, json or csv")
		fs.StringVar(&o.plots, "plots", "svg,png", plotsUsage)
		fs.StringVar(&o.samples, "samples", "all", "rows in latencies.csv per run: all, none, or at most `N` (a uniform subsample); the summary always uses every sample")
		fs.BoolVar(&o.stats, "stats", false, "print events, events/s, the simulation's and the outputs' wall time (charts and report apart) and peak memory to stderr after the run")
		fs.StringVar(&o.cpuProf, "cpuprofile", "", "write a CPU profile of the run to `FILE` (go tool pprof)")
		fs.StringVar(&o.trace, "trace", "", "write every step of the run (syncs, remounts, requests, watch events, file swaps) to `FILE`; one point and replication, at most 2000 pods")
		fs.IntVarP(&o.jobs, "jobs", "j", 0, "simulate `N` runs in parallel; 0 means one per core")
		fs.BoolVarP(&o.quiet, "quiet", "q", false, "no progress bar on stderr")
		fs.StringVar(&o.shard, "shard", "", "run only shard `I/N` (0-based) of the runs and write a partial result for 'cmsim merge'")
		fs.BoolVar(&o.force, "force", false, "write into a non-empty --out that holds no previous cmsim output (its files are left alone)")
		return o
	},
	args: atLeast(1),
	run: func(e *env, opts any, args []string) error {
		return runScenario(e, opts.(*runOptions), args)
	},
}

// sampleLimit parses --samples: -1 means all.
func sampleLimit(s string) (int, error) {
	switch s {
	case "all":
		return -1, nil
	case "none":
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, usagef("--samples must be all, none or a whole number, not %q", s)
	}
	return n, nil
}

func plotFormats(s string) ([]string, error) {
	if s == "none" || s == "" {
		return nil, nil
	}
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f != "svg" && f != "png" {
			return nil, usagef("--plots must be a list of svg and png, or none; not %q", s)
		}
		out = append(out, f)
	}
	return out, nil
}

// checkFormat validates --format.
func checkFormat(f string) error {
	switch f {
	case "table", "json", "csv":
		return nil
	}
	return usagef("--format must be table, json or csv, not %q", f)
}

func runScenario(e *env, o *runOptions, args []string) error {
	if err := checkFormat(o.format); err != nil {
		return err
	}
	if o.reps < 0 {
		return usagef("--replications must be >= 1, not %d", o.reps)
	}
	limit, err := sampleLimit(o.samples)
	if err != nil {
		return err
	}
	formats, err := plotFormats(o.plots)
	if err != nil {
		return err
	}
	if o.jobs < 0 {
		return usagef("-j must be >= 1 (0 means every core), not %d", o.jobs)
	}
	if o.cpuProf != "" {
		f, err := os.Create(o.cpuProf)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	shard := experiment.Shard{Index: 0, Count: 1}
	if o.shard != "" {
		i, n, err := experiment.ParseShard(o.shard)
		if err != nil {
			return usageError{err}
		}
		shard = experiment.Shard{Index: i, Count: n}
	}
	sets := o.sets
	if o.seed >= 0 {
		sets = append(append([]string(nil), sets...), "seed="+strconv.FormatInt(o.seed, 10))
	}
	if o.reps > 0 {
		sets = append(append([]string(nil), sets...), "replications="+strconv.Itoa(o.reps))
	}
	s, err := loadScenario(args, sets)
	if err != nil {
		return err
	}
	plan, err := experiment.NewPlan(s)
	if err != nil {
		return usageError{err}
	}
	if o.trace != "" {
		pods := 0
		for _, w := range s.Workloads {
			pods += w.Pods(s.Cluster.Nodes)
		}
		switch {
		case len(plan.Jobs) != 1:
			return usagef("--trace needs a scenario with one point and one replication, not %d runs (narrow it with e.g. --set 'sweep.cluster.kubelet.changeDetectionStrategy=[Watch]' --set replications=1)", len(plan.Jobs))
		case o.shard != "":
			return usagef("--trace and --shard cannot be combined")
		case pods > traceMaxPods:
			return usagef("--trace is for small clusters: %d pods, at most %d", pods, traceMaxPods)
		}
	}
	if err := checkOutDir(o.out, o.force); err != nil {
		return err
	}
	resolved := s.ResolvedYAML()
	fmt.Fprintf(e.stderr, "cmsim: scenario %s (%s), seed %d, %d point(s) × %d replication(s)\n", s.Name, s.Source, s.Seed, len(plan.Points), s.Replications)
	if o.shard != "" {
		fmt.Fprintf(e.stderr, "cmsim: shard %s: %d of %d runs\n", shard, len(plan.Shard(shard.Index, shard.Count)), len(plan.Jobs))
	}
	fmt.Fprintf(e.stderr, "--- resolved scenario\n%s---\n", resolved)

	jobs := plan.All()
	if o.shard != "" {
		jobs = plan.Shard(shard.Index, shard.Count)
	}
	ctx, stop := interruptContext()
	defer stop()
	// Every file goes into a staging folder first: the runs' latency rows
	// too, as each run finishes.
	st := &stager{dir: o.out}
	defer st.abort() // nothing, once the outputs are committed
	var spill *latencySpill
	if limit != 0 {
		spill = newLatencySpill(st, plan.Params())
	}
	opt := experiment.Options{Workers: o.jobs, Samples: limit, Trace: o.trace != ""}
	if spill != nil {
		opt.Rows = spill
	}
	wallStart := time.Now()
	var heap *heapSampler
	if o.stats {
		heap = startHeapSampler()
	}
	bar := newProgressBar(e.stderr, o.quiet, wallStart)
	opt.Progress = bar.update
	slots, err := plan.Execute(ctx, jobs, opt)
	bar.close()
	spill.close()
	stop() // a second Ctrl-C while writing kills the process
	wall := time.Since(wallStart)
	var events uint64
	for _, r := range slots {
		if r != nil {
			events += r.Events
		}
	}
	interrupted := false
	if err != nil {
		var je *experiment.JobError
		switch {
		case errors.As(err, &je):
			return fmt.Errorf("%v (reproduce with: cmsim run %s --seed %d)", err, strings.Join(args, " "), s.Seed)
		case ctx.Err() != nil:
			interrupted = true
		default:
			return err
		}
	}

	outStart := time.Now()
	if o.shard != "" {
		if interrupted {
			return fmt.Errorf("interrupted: shard %s not written", shard)
		}
		files, err := writePartial(st, experiment.NewPartial(plan, shard, limit, slots), func(w io.Writer) error {
			return spill.writeShardLatencies(w, jobs)
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "partial result (shard %s) in %s/: %s\n", shard, filepath.Clean(o.out), strings.Join(files, ", "))
		fmt.Fprintf(e.stderr, "combine every shard with: cmsim merge DIR... --out DIR\n")
		if o.stats {
			printStats(e.stderr, events, wall, time.Since(outStart), 0, heap)
		}
		return nil
	}

	// A trace inside --out is part of the run's output; elsewhere it is a
	// file of its own.
	var extra func(st *stager) error
	if o.trace != "" && slots[0] != nil {
		trace := slots[0].Trace
		write := func(w io.Writer) error { return writeTrace(w, trace) }
		if rel, err := filepath.Rel(o.out, o.trace); err == nil && filepath.IsLocal(rel) {
			extra = func(st *stager) error { return st.file(filepath.ToSlash(rel), write) }
		} else if err := writeFileAtomic(o.trace, write); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "trace: %s (%d steps)\n", o.trace, len(trace))
	}
	sm := experiment.Summarize(s.Name, s.Seed, plan.Replications, plan.Params(), slots)
	if interrupted && len(sm.Summary.Points) == 0 {
		return fmt.Errorf("interrupted before any point finished; nothing written")
	}
	f := &runFiles{
		summary: sm.Summary, latency: sm.Latency, load: sm.Load, scenarioYAML: resolved,
		latencies: func(w io.Writer) error { return spill.writeLatencies(w, sm, plan.Replications) },
	}
	if err := finishRun(e, st, o.format, extra, f, formats); err != nil {
		return err
	}
	if o.stats {
		printStats(e.stderr, events, wall, time.Since(outStart), f.chartsWall, heap)
	}
	if interrupted {
		return fmt.Errorf("interrupted: wrote the %d finished point(s) of %d to %s (summary.json says \"incomplete\": true)", len(sm.Summary.Points), len(plan.Points), o.out)
	}
	return nil
}

// finishRun writes a run's outputs and prints its summary: shared by run
// and merge, so that both give the same files.
func finishRun(e *env, st *stager, format string, extra func(st *stager) error, f *runFiles, formats []string) error {
	files, err := writeOutputs(st, extra, f, formats)
	if err != nil {
		return err
	}
	summary := f.summary
	switch format {
	case "json":
		err = results.WriteSummary(e.stdout, summary)
	case "csv":
		err = results.WriteSummaryCSV(e.stdout, summary)
	default:
		printSummary(e.stdout, summary)
		printByWorkload(e.stdout, summary)
	}
	if err != nil {
		return err
	}
	printFiles(e.stderr, st.dir, files)
	return nil
}

// printFiles says where the results are: the top-level files, and the
// charts folder by count.
func printFiles(w io.Writer, dir string, files []string) {
	var top []string
	charts := 0
	for _, f := range files {
		if strings.HasPrefix(f, "charts/") {
			charts++
		} else {
			top = append(top, f)
		}
	}
	if charts > 0 {
		top = append(top, fmt.Sprintf("charts/ (%d files)", charts))
	}
	fmt.Fprintf(w, "results in %s/: %s\n", filepath.Clean(dir), strings.Join(top, ", "))
	fmt.Fprintf(w, "open %s in a browser for the report\n", filepath.Join(dir, "report.html"))
}

func printSummary(w io.Writer, s *results.Summary) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	keys := paramKeys(s)
	hdr := []string{}
	for _, k := range keys {
		hdr = append(hdr, shortParam(k))
	}
	// Pair counts are whole; with replications they are rounded means.
	meanOf := plots.MeanOf(s.Points[0].Replications)
	hdr = append(hdr, "pairs"+meanOf, "p50 s", "p90 s", "p99 s", "max s", "never env/subPath/immut"+meanOf,
		"GET/s", "etcd GET/s", "LIST/s", "WATCH/s", "watches", "events/s", "syncs/s/node")
	fmt.Fprintln(tw, strings.Join(hdr, "\t")+"\t")
	for _, p := range s.Points {
		var row []string
		for _, k := range keys {
			row = append(row, p.Params[k])
		}
		l, n, a := p.LatencySeconds, p.NeverUpdated, p.APIServer
		p99 := sec(l.P99)
		if p.CI95 != nil {
			p99 = plots.PlusMinus(l.P99, p.CI95.LatencySeconds.P99, sec)
		}
		row = append(row, plots.Count(l.Count), sec(l.P50), sec(l.P90), p99, sec(l.Max),
			plots.Count(n.Env)+"/"+plots.Count(n.SubPath)+"/"+plots.Count(n.Immutable),
			rate(a.GetPerSec), rate(a.GetEtcdPerSec), rate(a.ListPerSec), rate(a.WatchRequestsPerSec),
			rate(a.OpenWatchesMean), rate(a.WatchEventsPerSec), rate(p.Kubelet.SyncsPerSec))
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	tw.Flush()
}

// paramKeys returns the parameters that tell points apart (see
// plots.LabelParams), or the strategy when there is one point.
func paramKeys(s *results.Summary) []string {
	keys := plots.LabelParams(s)
	if len(keys) == 0 {
		keys = []string{"cluster.kubelet.changeDetectionStrategy"}
	}
	return keys
}

func shortParam(k string) string {
	if i := strings.LastIndexByte(k, '.'); i >= 0 {
		k = k[i+1:]
	}
	if k == "changeDetectionStrategy" {
		return "strategy"
	}
	return k
}

func sec(v float64) string  { return strconv.FormatFloat(v, 'f', 2, 64) }
func rate(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }
