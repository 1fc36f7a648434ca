package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"cmsim/experiment"
	"cmsim/plots"
	"cmsim/results"
	"cmsim/scenarios"

	"github.com/spf13/pflag"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

type planOptions struct {
	out          string
	seed         int64
	sets         []string
	param        string
	min, max     string
	resolution   string
	objective    string
	find         string
	replications int
	plots        string
	jobs         int
	quiet        bool
	format       string
	force        bool
}

var planCommand = &command{
	usage: "plan FILE|BUILTIN --param PATH --min V --max V --objective OBJ [flags]",
	short: "find the largest or smallest parameter value that meets an objective",
	long: `Plan searches one scenario parameter (a duration or an integer) between
--min and --max for the largest (or, with --find smallest, the smallest)
value whose metric meets an objective, for capacity planning, e.g.

  cmsim plan sync-frequency --set cluster.kubelet.changeDetectionStrategy=Watch \
    --param cluster.kubelet.syncFrequency --min 5s --max 5m \
    --objective 'latency.p99<=30s' --resolution 1s --replications 5

It bisects on the grid min, min+resolution, ... (and max), assuming the
objective holds on one side of a single boundary, and says when the runs
contradict that. Each value is run --replications times (seeds as 'cmsim
run' uses for a single point). A value meets the objective only if the whole
95% confidence interval of the metric's mean does: for <= the upper end
(mean + ci95) must be within the threshold, for >= the lower end (mean -
ci95). A sweep in the scenario is dropped: fix other parameters with --set.

Metrics: latency.p50, .p90, .p99, .mean, .max (seconds; thresholds may be
durations such as 30s), apiserver.KEY and kubelet.KEY with the keys of
summary.json, nested keys joined by dots (e.g. apiserver.get_per_sec,
apiserver.open_watches_mean, apiserver.rejected_per_sec,
apiserver.request_latency.p99, apiserver.request_latency.GET.p99,
kubelet.syncs_per_sec), never.env/subPath/immutable.

With a finite apiserver (cluster.apiserver.capacity) this finds the largest
cluster a strategy can serve, e.g.

  cmsim plan saturation --set cluster.kubelet.changeDetectionStrategy=Get \
    --param cluster.nodes --min 100 --max 5000 --resolution 100 \
    --objective 'apiserver.request_latency.p99<=1s'

When no value meets the objective, plan says why: the best value found
and, for an update-latency objective, the term that sets the floor (the
Cache TTL, the sync wait, the sync tick and volume loops, or the
apiserver's request latency), with the expected latency bound there.

It writes plan.json (the answer, the reason when there is none, and every
value run, with mean, ci95 and verdict), scenario.yaml and
charts/plan.svg|png (the metric at each value run, as points with 95%
error bars and no line between them, the threshold drawn) into --out, and
prints a table on stdout (with --format json, plan.json alone); everything
else goes to stderr. The files replace the previous cmsim output in --out as
'cmsim run' does.`,
	flags: func(fs *pflag.FlagSet) any {
		o := &planOptions{}
		fs.StringVar(&o.param, "param", "", "the parameter to search, a dotted scenario `PATH` such as cluster.kubelet.syncFrequency or cluster.nodes")
		fs.StringVar(&o.min, "min", "", "smallest value to consider (a duration such as 5s, or an integer)")
		fs.StringVar(&o.max, "max", "", "largest value to consider")
		fs.StringVar(&o.resolution, "resolution", "", "stop when the boundary is known to within this step (default 1s for durations, 1 for integers)")
		fs.StringVar(&o.objective, "objective", "", "the condition to meet, `METRIC<=VALUE` (or <, >=, >), e.g. latency.p99<=30s or apiserver.get_per_sec<=1000")
		fs.StringVar(&o.find, "find", "largest", "`largest` or smallest value that meets the objective")
		fs.IntVar(&o.replications, "replications", 0, "runs per value, `N` (default: the scenario's replications)")
		fs.StringArrayVar(&o.sets, "set", nil, "override a scenario value by dotted `PATH=VALUE` (repeatable)")
		fs.Int64Var(&o.seed, "seed", -1, "override the scenario's seed with `N`")
		fs.StringVarP(&o.out, "out", "o", "cmsim-plan", "write plan.json and the chart into `DIR`")
		fs.StringVar(&o.plots, "plots", "svg,png", plotsUsage)
		fs.IntVarP(&o.jobs, "jobs", "j", 0, "simulate `N` runs in parallel; 0 means one per core")
		fs.BoolVarP(&o.quiet, "quiet", "q", false, "no progress bar on stderr")
		fs.StringVar(&o.format, "format", "table", "the answer on stdout: `table` or json (plan.json)")
		fs.BoolVar(&o.force, "force", false, "write into a non-empty --out that holds no previous cmsim output (its files are left alone)")
		return o
	},
	args: exactly(1),
	run: func(e *env, opts any, args []string) error {
		return runPlan(e, opts.(*planOptions), args[0])
	},
}

// planFile is plan.json.
type planFile struct {
	Scenario     string  `json:"scenario"`
	Seed         uint64  `json:"seed"`
	Param        string  `json:"param"`
	Find         string  `json:"find"`
	Objective    string  `json:"objective"`
	Metric       string  `json:"metric"`
	Op           string  `json:"op"`
	Threshold    float64 `json:"threshold"`
	Min          string  `json:"min"`
	Max          string  `json:"max"`
	Resolution   string  `json:"resolution"`
	Replications int     `json:"replications"`
	Decision     string  `json:"decision"`
	// Reason says, when no value meets the objective, why: the best value
	// found and the term that sets the floor.
	Reason string `json:"reason,omitempty"`
	experiment.Outcome
}

func runPlan(e *env, o *planOptions, arg string) error {
	if o.param == "" || o.min == "" || o.max == "" || o.objective == "" {
		return usagef("plan needs --param, --min, --max and --objective")
	}
	if o.find != "largest" && o.find != "smallest" {
		return usagef("--find must be largest or smallest, not %q", o.find)
	}
	if o.replications < 0 {
		return usagef("--replications must be >= 1, not %d", o.replications)
	}
	if o.jobs < 0 {
		return usagef("-j must be >= 1 (0 means every core), not %d", o.jobs)
	}
	if o.format != "table" && o.format != "json" {
		return usagef("--format must be table or json, not %q", o.format)
	}
	formats, err := plotFormats(o.plots)
	if err != nil {
		return err
	}
	obj, err := experiment.ParseObjective(o.objective)
	if err != nil {
		return usageError{err}
	}
	search := experiment.Search{Param: o.param, Largest: o.find == "largest", Objective: obj}
	if err := parseRange(&search, o.min, o.max, o.resolution); err != nil {
		return err
	}

	sets := append([]string(nil), o.sets...)
	if o.seed >= 0 {
		sets = append(sets, "seed="+strconv.FormatInt(o.seed, 10))
	}
	if o.replications > 0 {
		sets = append(sets, "replications="+strconv.Itoa(o.replications))
	}
	base, err := loadScenario([]string{arg}, sets)
	if err != nil {
		return err
	}
	var dropped []string
	if len(base.Sweep) > 0 {
		for _, a := range base.Sweep {
			dropped = append(dropped, a.Path)
		}
		sets = append(sets, "sweep={}")
	}
	load := func(value string) (*scenarios.Scenario, error) {
		return loadScenario([]string{arg}, append(append([]string(nil), sets...), o.param+"="+value))
	}
	// Both ends must be valid scenarios before anything runs.
	for _, x := range []int64{search.Min, search.Max} {
		if _, err := load(search.Format(x)); err != nil {
			return err
		}
	}
	s, err := load(search.Format(search.Min))
	if err != nil {
		return err
	}
	if err := checkOutDir(o.out, o.force); err != nil {
		return err
	}
	reps := max(s.Replications, 1)
	fmt.Fprintf(e.stderr, "cmsim: plan on scenario %s (%s), seed %d: the %s %s in [%s, %s] with %s, %d replication(s) per value\n",
		s.Name, s.Source, s.Seed, o.find, o.param, search.Format(search.Min), search.Format(search.Max), obj.Text, reps)
	if len(dropped) > 0 {
		fmt.Fprintf(e.stderr, "cmsim: the scenario's sweep over %s is dropped; fix those parameters with --set\n", strings.Join(dropped, ", "))
	}

	ctx, stop := interruptContext()
	defer stop()
	eval := func(ctx context.Context, value string) (experiment.Measurement, error) {
		sc, err := load(value)
		if err != nil {
			return experiment.Measurement{}, err
		}
		bar := newProgressBar(e.stderr, o.quiet, time.Now())
		bar.label = o.param + "=" + value + " "
		m, err := experiment.Evaluate(ctx, sc, experiment.Options{Workers: o.jobs, Progress: bar.update})
		bar.close()
		if err != nil && ctx.Err() == nil {
			err = fmt.Errorf("%s=%s: %v", o.param, value, err)
		}
		return m, err
	}
	out, err := experiment.Seek(ctx, search, eval)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted; nothing written")
		}
		return err
	}
	stop()

	decision := decisionText(obj, reps)
	pf := planFile{
		Scenario: s.Name, Seed: s.Seed, Param: o.param, Find: o.find, Objective: obj.Text,
		Metric: obj.Metric, Op: obj.Op, Threshold: obj.Threshold,
		Min: search.Format(search.Min), Max: search.Format(search.Max), Resolution: search.Format(search.Resolution),
		Replications: reps, Decision: decision, Outcome: *out,
	}
	if !pf.Found {
		pf.Reason = noneReason(&pf, search)
	}
	files, err := writePlan(o.out, &pf, s.ResolvedYAML(), search, formats)
	if err != nil {
		return err
	}
	if o.format == "json" {
		b, err := planJSON(&pf)
		if err != nil {
			return err
		}
		if _, err := e.stdout.Write(b); err != nil {
			return err
		}
	} else {
		printPlan(e.stdout, &pf, search)
	}
	fmt.Fprintf(e.stderr, "results in %s/: %s\n", filepath.Clean(o.out), strings.Join(files, ", "))
	return nil
}

// parseRange fills the kind, bounds and resolution of a search from flags.
func parseRange(s *experiment.Search, minS, maxS, resS string) error {
	lo, err1 := strconv.ParseInt(minS, 10, 64)
	hi, err2 := strconv.ParseInt(maxS, 10, 64)
	if err1 != nil || err2 != nil {
		dlo, e1 := time.ParseDuration(minS)
		dhi, e2 := time.ParseDuration(maxS)
		if e1 != nil || e2 != nil {
			return usagef("--min and --max must both be durations (such as 5s, 5m) or both integers, not %q and %q", minS, maxS)
		}
		s.Duration, lo, hi = true, int64(dlo), int64(dhi)
	}
	if lo > hi {
		return usagef("--min %s is above --max %s", minS, maxS)
	}
	s.Min, s.Max, s.Resolution = lo, hi, 1
	if s.Duration {
		s.Resolution = int64(time.Second)
	}
	if resS != "" {
		if s.Duration {
			d, err := time.ParseDuration(resS)
			if err != nil || d <= 0 {
				return usagef("--resolution must be a positive duration, not %q", resS)
			}
			s.Resolution = int64(d)
		} else {
			n, err := strconv.ParseInt(resS, 10, 64)
			if err != nil || n <= 0 {
				return usagef("--resolution must be a positive integer, not %q", resS)
			}
			s.Resolution = n
		}
	}
	return nil
}

func decisionText(obj experiment.Objective, reps int) string {
	if reps < 2 {
		return fmt.Sprintf("with one replication there is no confidence interval: a value meets %s when the metric itself does", obj.Text)
	}
	end, sign := "upper", "+"
	if !obj.Upper() {
		end, sign = "lower", "-"
	}
	return fmt.Sprintf("a value meets %s only if the %s end of its 95%% confidence interval (mean %s ci95, Student t over %d replications) does", obj.Text, end, sign, reps)
}

// fmtMetric formats a metric value: seconds with 2 decimals for latency.
func fmtMetric(metric string, v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	if experiment.IsLatency(metric) {
		return strconv.FormatFloat(v, 'f', 2, 64) + "s"
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

func printPlan(w io.Writer, pf *planFile, s experiment.Search) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	bound := "mean+ci95"
	if !s.Objective.Upper() {
		bound = "mean-ci95"
	}
	fmt.Fprintf(tw, "run\t%s\t%s mean\tci95\t%s\tverdict\t\n", plots.ParamName(pf.Param), pf.Metric, bound)
	for i, ev := range pf.Evaluations {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t\n", i+1, ev.Value, fmtMetric(pf.Metric, ev.Mean), fmtMetric(pf.Metric, ev.CI95), fmtMetric(pf.Metric, ev.Bound), ev.Verdict)
	}
	tw.Flush()
	if pf.Found {
		fmt.Fprintf(w, "answer: %s = %s, the %s value in [%s, %s] that meets %s (to within %s)\n",
			pf.Param, pf.Answer, pf.Find, pf.Min, pf.Max, pf.Objective, pf.Resolution)
	} else {
		fmt.Fprintf(w, "answer: none. %s\n", pf.Reason)
	}
	fmt.Fprintf(w, "decision: %s\n", pf.Decision)
	if !pf.Monotone {
		fmt.Fprintf(w, "warning: the runs do not fit a single boundary (the metric is not monotone in %s here, or noise is large); sweep the range with 'cmsim run' to see its shape\n", pf.Param)
	}
}

// planJSON is plan.json's content.
func planJSON(pf *planFile) ([]byte, error) {
	b, err := json.MarshalIndent(pf, "", "  ")
	return append(b, '\n'), err
}

// writePlan writes plan.json, scenario.yaml and the chart into dir.
func writePlan(dir string, pf *planFile, scenarioYAML []byte, s experiment.Search, formats []string) ([]string, error) {
	st := &stager{dir: dir}
	err := func() error {
		if err := st.file("plan.json", func(w io.Writer) error {
			b, err := planJSON(pf)
			if err != nil {
				return err
			}
			_, err = w.Write(b)
			return err
		}); err != nil {
			return err
		}
		if err := st.file("scenario.yaml", func(w io.Writer) error { _, err := w.Write(scenarioYAML); return err }); err != nil {
			return err
		}
		if len(formats) == 0 {
			return nil
		}
		p, err := planChart(pf, s)
		if errors.Is(err, plots.ErrNoSweep) {
			return nil // a single value: nothing to chart
		}
		if err != nil {
			return fmt.Errorf("chart: %v", err)
		}
		for _, f := range formats {
			var buf bytes.Buffer
			if err := plots.Render(p, f, plots.DefaultWidth, plots.DefaultHeight, &buf); err != nil {
				return fmt.Errorf("chart: %v", err)
			}
			if err := st.file("charts/plan."+f, func(w io.Writer) error { _, err := w.Write(buf.Bytes()); return err }); err != nil {
				return err
			}
		}
		return nil
	}()
	return st.finish(err)
}

// planChart draws the objective's metric at every value run, as points
// with 95% error bars and no line between them (the search skips most
// values), the threshold as a dashed line and the answer as a dotted
// vertical line.
func planChart(pf *planFile, s experiment.Search) (*plot.Plot, error) {
	sorted := pf.Outcome.Sorted()
	points := make([]results.Point, len(sorted))
	for i := range sorted {
		points[i] = sorted[i].Point(pf.Param)
	}
	metric := pf.Metric
	m := plots.Metric{
		Key: strings.ReplaceAll(metric, ".", "_"), Name: metric,
		Seconds: experiment.IsLatency(metric), Latency: experiment.IsLatency(metric), PointsOnly: true,
		Value: func(mm *results.Metrics) float64 { v, _ := experiment.MetricValue(mm, metric); return v },
	}
	if strings.HasSuffix(metric, "_per_sec") {
		m.Unit = "/s"
	}
	title := fmt.Sprintf("%s: %s, %s %s", pf.Scenario, pf.Objective, pf.Find, plots.ParamName(pf.Param))
	p, err := plots.MetricSweep(title, m, points)
	if err != nil {
		return nil, err
	}
	thr := plotter.NewFunction(func(float64) float64 { return pf.Threshold })
	thr.Color = plots.Palette[3]
	thr.Width = vg.Points(1)
	thr.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
	p.Add(thr)
	p.Legend.Add("threshold "+pf.Op+" "+fmtMetric(metric, pf.Threshold), thr)
	if pf.Threshold*1.15 > p.Y.Max {
		p.Y.Max = pf.Threshold * 1.15
	}
	if pf.Found {
		for _, ev := range sorted {
			if ev.Value == pf.Answer {
				l, err := plotter.NewLine(plotter.XYs{{X: ev.X, Y: p.Y.Min}, {X: ev.X, Y: p.Y.Max}})
				if err != nil {
					return nil, err
				}
				l.Color = plots.Palette[4]
				l.Width = vg.Points(1)
				l.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
				p.Add(l)
				p.Legend.Add("answer "+pf.Answer, l)
			}
		}
	}
	return p, nil
}
