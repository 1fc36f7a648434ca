package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"cmsim/model"
	"cmsim/results"
	"cmsim/scenarios"
	"cmsim/sim"

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
}

var runCommand = &command{
	usage: "run FILE|BUILTIN [flags]",
	short: "run a scenario and write its results",
	long: `Run simulates a scenario (a YAML file, or a built-in by name: see
'cmsim scenarios') and writes into the output folder:

  summary.json    headline metrics per parameter point
  latencies.csv   one row per (update, consumer) pair
  load.csv        apiserver and kubelet load per time bucket
  scenario.yaml   the scenario as run, every default filled in
  charts/         latency and apiserver-load charts (SVG and PNG)
  report.html     a self-contained report of all of the above

It prints the seed and the resolved scenario first, then a summary table.
The same scenario and seed always give byte-identical files.`,
	flags: func(fs *pflag.FlagSet) any {
		o := &runOptions{}
		fs.StringVarP(&o.out, "out", "o", "cmsim-out", "write results into `DIR`")
		fs.Int64Var(&o.seed, "seed", -1, "override the scenario's seed with `N`")
		fs.StringArrayVar(&o.sets, "set", nil, "override a scenario value by dotted `PATH=VALUE` (repeatable), e.g. cluster.kubelet.syncFrequency=5s or workloads.web.replicas=100")
		fs.StringVar(&o.format, "format", "table", "summary on stdout: `table` or json")
		fs.StringVar(&o.plots, "plots", "svg,png", "chart formats: `LIST` of svg and png, or none")
		fs.StringVar(&o.samples, "samples", "all", "rows in latencies.csv per run: all, none, or at most `N` (a uniform subsample); the summary always uses every sample")
		fs.BoolVar(&o.stats, "stats", false, "print events, events/s, wall time and peak memory to stderr after the run")
		return o
	},
	args: exactly(1),
	run: func(e *env, opts any, args []string) error {
		return runScenario(e, opts.(*runOptions), args[0])
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

// runResult is what one (point, replication) run leaves behind: small
// enough to keep for every run of a sweep.
type runResult struct {
	metrics results.Metrics
	load    []results.LoadRow
	lat     []results.LatencyRow
	events  uint64
}

func runScenario(e *env, o *runOptions, arg string) error {
	if o.format != "table" && o.format != "json" {
		return usagef("--format must be table or json, not %q", o.format)
	}
	limit, err := sampleLimit(o.samples)
	if err != nil {
		return err
	}
	formats, err := plotFormats(o.plots)
	if err != nil {
		return err
	}
	sets := o.sets
	if o.seed >= 0 {
		sets = append(append([]string(nil), sets...), "seed="+strconv.FormatInt(o.seed, 10))
	}
	s, err := loadScenario(arg, sets)
	if err != nil {
		return err
	}
	points, err := s.Points()
	if err != nil {
		return usageError{err}
	}
	resolved := s.ResolvedYAML()
	fmt.Fprintf(e.stdout, "cmsim: scenario %s (%s), seed %d, %d point(s) × %d replication(s)\n", s.Name, s.Source, s.Seed, len(points), s.Replications)
	fmt.Fprintf(e.stdout, "--- resolved scenario\n%s---\n", resolved)

	wallStart := time.Now()
	streams := sim.NewStreams(s.Seed)
	summary := &results.Summary{Scenario: s.Name, Seed: s.Seed}
	var all []runResult
	var events uint64
	for _, pt := range points {
		reps := make([]results.Metrics, s.Replications)
		for r := 0; r < s.Replications; r++ {
			rr, err := runOne(pt.Scenario, streams.Derive(uint64(pt.Index), uint64(r)), pt.Index, r, limit)
			if err != nil {
				return fmt.Errorf("point %d replication %d: %v (reproduce with: cmsim run %s --seed %d)", pt.Index, r, err, arg, s.Seed)
			}
			reps[r] = rr.metrics
			events += rr.events
			all = append(all, rr)
		}
		mean, ci := results.Aggregate(reps)
		p := results.Point{Params: pointParams(pt), Metrics: mean, CI95: ci}
		if s.Replications > 1 {
			p.Replications = s.Replications
		}
		summary.Points = append(summary.Points, p)
	}
	wall := time.Since(wallStart)

	var lat []results.LatencyRow
	var load []results.LoadRow
	for _, rr := range all {
		lat = append(lat, rr.lat...)
		load = append(load, rr.load...)
	}
	files, err := writeOutputs(o.out, summary, lat, load, resolved, formats)
	if err != nil {
		return err
	}
	if o.format == "json" {
		if err := results.WriteSummary(e.stdout, summary); err != nil {
			return err
		}
	} else {
		printSummary(e.stdout, summary)
	}
	printFiles(e.stdout, o.out, files)
	if o.stats {
		printStats(e.stderr, events, wall)
	}
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

// pointParams names a point: its swept values, plus the parameters every
// chart and table needs to label it.
func pointParams(pt scenarios.Point) map[string]string {
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

// runOne simulates one (point, replication) and reduces it to a runResult.
func runOne(s *scenarios.Scenario, seed uint64, point, rep, limit int) (runResult, error) {
	cfg, err := s.ModelConfig(seed)
	if err != nil {
		return runResult{}, err
	}
	c, err := model.New(cfg)
	if err != nil {
		return runResult{}, err
	}
	r, err := c.Run()
	if err != nil {
		return runResult{}, err
	}
	rr := runResult{metrics: r.Metrics, load: r.LoadRows(point, rep), events: r.Events}
	total := len(r.Recorder.Samples)
	keep := total
	if limit >= 0 && limit < total {
		keep = limit
	}
	if keep > 0 {
		rr.lat = make([]results.LatencyRow, 0, keep)
		i := 0
		err = r.EachLatencyRow(point, rep, func(row *results.LatencyRow) error {
			// A uniform subsample: row i is kept when it crosses a multiple
			// of total/keep.
			if keep == total || (i*keep)/total != ((i+1)*keep)/total {
				rr.lat = append(rr.lat, *row)
			}
			i++
			return nil
		})
	}
	return rr, err
}

func printSummary(w io.Writer, s *results.Summary) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	keys := paramKeys(s)
	hdr := []string{}
	for _, k := range keys {
		hdr = append(hdr, shortParam(k))
	}
	hdr = append(hdr, "pairs", "p50 s", "p90 s", "p99 s", "max s", "never env/subPath/immut",
		"GET/s", "etcd GET/s", "LIST/s", "WATCH/s", "watches", "events/s", "syncs/s/node")
	fmt.Fprintln(tw, strings.Join(hdr, "\t")+"\t")
	for _, p := range s.Points {
		var row []string
		for _, k := range keys {
			row = append(row, p.Params[k])
		}
		l, n, a := p.LatencySeconds, p.NeverUpdated, p.APIServer
		row = append(row, num(l.Count), sec(l.P50), sec(l.P90), sec(l.P99), sec(l.Max),
			num(n.Env)+"/"+num(n.SubPath)+"/"+num(n.Immutable),
			rate(a.GetPerSec), rate(a.GetEtcdPerSec), rate(a.ListPerSec), rate(a.WatchRequestsPerSec),
			num(a.OpenWatchesMean), rate(a.WatchEventsPerSec), rate(p.Kubelet.SyncsPerSec))
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	tw.Flush()
}

// paramKeys returns the parameters that differ between points, or the
// strategy when there is one point.
func paramKeys(s *results.Summary) []string {
	var keys []string
	for k := range s.Points[0].Params {
		for _, p := range s.Points[1:] {
			if p.Params[k] != s.Points[0].Params[k] {
				keys = append(keys, k)
				break
			}
		}
	}
	sort.Strings(keys)
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
func num(v float64) string  { return strconv.FormatFloat(v, 'f', -1, 64) }
func rate(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }

func printStats(w io.Writer, events uint64, wall time.Duration) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(w, "stats: events %d, %.3g events/s, wall %.3fs, heap in use %.1f MB, peak RSS %s\n",
		events, float64(events)/math.Max(wall.Seconds(), 1e-9), wall.Seconds(),
		float64(ms.HeapAlloc)/1e6, peakRSS())
}

// peakRSS reads the process's peak resident set size (Linux VmHWM).
func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err == nil {
				return fmt.Sprintf("%.1f MB", float64(kb)/1e3)
			}
		}
	}
	return "unknown"
}
