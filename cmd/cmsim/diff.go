package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"cmsim/compare"
	"cmsim/plots"
	"cmsim/report"
	"cmsim/results"

	"github.com/spf13/pflag"
)

type diffOptions struct {
	out          string
	format       string
	plots        string
	failIf       []string
	separateOnly bool
	all          bool
	force        bool
}

var diffCommand = &command{
	usage: "diff A B [flags]",
	short: "compare two output folders: every metric, its change, and whether the CIs separate",
	long: `Diff compares two output folders written by 'cmsim run' or 'cmsim merge': A
is the baseline, B the run compared with it. It prints what changed in the
scenario (scenario.yaml), then for each pair of matched points a table of
every summary metric with A, B, the change B - A (absolute and in percent of
A) and whether the 95% confidence intervals separate:

  same      A and B are equal
  separate  the intervals do not overlap: a difference beyond noise
  overlap   they overlap: the difference may be noise
  no CI     a side has one replication, so its interval is unknown and
            the difference is not judged

Points are matched by the parameters that vary between the points of either
folder (the swept ones); a parameter that is the same for every point of a
folder, such as a syncFrequency changed with --set, is a scenario change,
not a point. Points without a counterpart are listed as unmatched.

Metrics are every number of a point in summary.json, named by their JSON
path with latency_seconds shortened to latency and never_updated to never,
as 'cmsim plan' names them: latency.count, .mean, .p50, .p90, .p99, .max
(seconds); never.env, never.subPath, never.immutable; apiserver.KEY and
kubelet.KEY for the keys of those blocks, nested keys joined by dots
(apiserver.get_per_sec, apiserver.open_watches_mean,
apiserver.watch_events_per_sec, apiserver.bookmarks_per_sec,
apiserver.requests_total.configmaps.GET, apiserver.request_latency.p99,
apiserver.requests_429_total, kubelet.syncs_per_sec); faults.KEY; and
fault_events[I].KEY per fault. Metrics that are zero in both are left out
of the table unless --all.

It writes into --out: diff.json (as --format json prints), diff.html (the
table and charts on one page, in the report's style) and charts/: the
latency CDFs of A and B over each other (latency_cdf, one chart per point
past four points) and each matched point's apiserver load, A over B
(apiserver_load, apiserver_load_pN; replication 0, up to six points).

--fail-if makes diff a check for CI: each condition is tested on every
matched point, and if one holds anywhere diff exits 1. A condition is
` + compare.ConditionGrammar + `
Quote it for the shell, e.g. 'latency.p99>+10%' (p99 rose by more than 10%),
'apiserver.get_per_sec>+50' (50 more GETs per second),
'latency.max>2m' (B's slowest update took over two minutes). With
--separate-only a condition holds only where the intervals separate.

Exit codes: 0 compared, no --fail-if condition holds; 1 a --fail-if
condition holds; 2 bad input (a folder missing or not a run's output, an
unknown metric, a bad flag, --out unwritable or another output).`,
	flags: func(fs *pflag.FlagSet) any {
		o := &diffOptions{}
		fs.StringVarP(&o.out, "out", "o", "cmsim-diff", "write diff.html, diff.json and charts/ into `DIR`")
		fs.BoolVar(&o.force, "force", false, "write into a non-empty --out that holds no previous cmsim output (its files are left alone)")
		fs.StringVar(&o.format, "format", "table", "on stdout: `table` or json (then stdout holds only the JSON)")
		fs.StringVar(&o.plots, "plots", "svg,png", "chart formats: `LIST` of svg and png, or none")
		fs.StringArrayVar(&o.failIf, "fail-if", nil, "exit 1 if `COND` holds at some point, e.g. 'latency.p99>+10%' (repeatable)")
		fs.BoolVar(&o.separateOnly, "separate-only", false, "a --fail-if condition holds only where the 95% CIs separate")
		fs.BoolVar(&o.all, "all", false, "list metrics that are zero in both folders too")
		return o
	},
	args: exactly(2),
	run: func(e *env, opts any, args []string) error {
		return runDiff(e, opts.(*diffOptions), args[0], args[1])
	},
}

// diffInput is what diff reads of an output folder.
type diffInput struct {
	compare.Output
	lat  []results.LatencyDigest
	load []results.LoadRow
}

func runDiff(e *env, o *diffOptions, dirA, dirB string) error {
	if o.format != "table" && o.format != "json" {
		return usagef("--format must be table or json, not %q", o.format)
	}
	formats, err := plotFormats(o.plots)
	if err != nil {
		return err
	}
	for _, d := range []string{dirA, dirB} {
		if sameDir(o.out, d) {
			return usagef("--out %s is one of the folders compared; its charts would be overwritten", o.out)
		}
	}
	for _, f := range []string{"summary.json", "plan.json", "manifest.json"} {
		if _, err := os.Stat(filepath.Join(o.out, f)); err == nil {
			return usagef("--out %s holds another cmsim output (%s); its charts would be overwritten: choose another folder", o.out, f)
		}
	}
	if err := checkOutDir(o.out, o.force); err != nil {
		return err
	}
	charts := len(formats) > 0
	a, err := readDiffInput(dirA, charts)
	if err != nil {
		return err
	}
	b, err := readDiffInput(dirB, charts)
	if err != nil {
		return err
	}
	d, err := compare.Compare(a.Output, b.Output)
	if err != nil {
		return usageError{err}
	}
	conds := make([]compare.Condition, len(o.failIf))
	for i, s := range o.failIf {
		if conds[i], err = compare.ParseCondition(s, d.Known()); err != nil {
			return usageError{err}
		}
	}
	failed := d.Check(conds, o.separateOnly)
	js, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return err
	}
	js = append(js, '\n')

	st := &stager{dir: o.out}
	names, err := st.finish(writeDiff(st, d, a, b, js, formats, o.all))
	if err != nil {
		return usagef("%v", err)
	}
	if o.format == "json" {
		if _, err := e.stdout.Write(js); err != nil {
			return err
		}
	} else {
		printDiff(e.stdout, d, o.all)
	}
	fmt.Fprintf(e.stderr, "cmsim: diff in %s/: %s\n", filepath.Clean(o.out), strings.Join(names, ", "))
	if failed {
		var held []string
		for _, r := range d.FailIf {
			if r.Holds {
				held = append(held, r.Condition+" at "+strings.Join(r.Points, "; "))
			}
		}
		return fmt.Errorf("diff: --fail-if holds: %s", strings.Join(held, ", "))
	}
	return nil
}

// sameDir reports whether two paths name the same folder.
func sameDir(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	if err1 == nil && err2 == nil {
		return os.SameFile(fa, fb)
	}
	return filepath.Clean(a) == filepath.Clean(b)
}

// readDiffInput reads an output folder; with rows, also its latencies and
// load. Every problem is a usage error naming the folder.
func readDiffInput(dir string, rows bool) (*diffInput, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, usagef("%s: no such folder", dir)
		}
		return nil, usagef("%v", err)
	}
	if !fi.IsDir() {
		return nil, usagef("%s: not a folder; diff compares two output folders of 'cmsim run'", dir)
	}
	has := func(name string) bool { _, err := os.Stat(filepath.Join(dir, name)); return err == nil }
	switch {
	case !has("summary.json") && has("plan.json"):
		return nil, usagef("%s: the output of 'cmsim plan' (plan.json, no summary.json); diff compares outputs of 'cmsim run' or 'cmsim merge'", dir)
	case !has("summary.json") && has("manifest.json"):
		return nil, usagef("%s: a shard's partial result (manifest.json, no summary.json); merge the shards with 'cmsim merge' and compare its output", dir)
	case !has("summary.json"):
		return nil, usagef("%s: no summary.json: not an output folder of 'cmsim run'", dir)
	}
	in := &diffInput{Output: compare.Output{Dir: dir}}
	files := []struct {
		name string
		need bool
		read func(r io.Reader) error
	}{
		{"summary.json", true, func(r io.Reader) (err error) { in.Summary, err = results.ReadSummary(r); return }},
		{"scenario.yaml", true, func(r io.Reader) (err error) { in.ScenarioYAML, err = io.ReadAll(r); return }},
		{"latencies.csv", rows, func(r io.Reader) (err error) {
			in.lat, err = results.DigestLatencies(r, len(in.Summary.Points))
			return
		}},
		{"load.csv", rows, func(r io.Reader) (err error) { in.load, err = results.ReadLoad(r); return }},
	}
	for _, f := range files {
		if !f.need {
			continue
		}
		path := filepath.Join(dir, f.name)
		fh, err := os.Open(path)
		if err != nil {
			return nil, usagef("%v", err)
		}
		err = f.read(fh)
		fh.Close()
		if err != nil {
			return nil, usagef("%s: %v", path, err)
		}
	}
	return in, nil
}

// printDiff writes the terminal table.
func printDiff(w io.Writer, d *compare.Diff, all bool) {
	for _, s := range []struct {
		name string
		side compare.Side
	}{{"A", d.A}, {"B", d.B}} {
		inc := ""
		if s.side.Incomplete {
			inc = ", incomplete (interrupted)"
		}
		fmt.Fprintf(w, "%s: %s (scenario %s, seed %d, %d point(s) × %d replication(s)%s)\n",
			s.name, s.side.Dir, s.side.Scenario, s.side.Seed, s.side.Points, s.side.Replications, inc)
	}
	fmt.Fprintln(w)
	if len(d.ScenarioChanges) == 0 {
		fmt.Fprintln(w, "scenario: the same")
	} else {
		fmt.Fprintln(w, "scenario changes (A -> B):")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, c := range d.ScenarioChanges {
			fmt.Fprintf(tw, "  %s\t%s\t->\t%s\n", c.Path, absent(c.A), absent(c.B))
		}
		tw.Flush()
	}
	if len(d.MatchParams) > 0 {
		fmt.Fprintf(w, "points matched by: %s\n", strings.Join(d.MatchParams, ", "))
	}
	for _, u := range []struct {
		name   string
		points []compare.Unmatched
	}{{"A", d.UnmatchedA}, {"B", d.UnmatchedB}} {
		for _, p := range u.points {
			fmt.Fprintf(w, "only in %s: point %d, %s\n", u.name, p.Point, p.Label)
		}
	}
	if len(d.Points) == 0 {
		fmt.Fprintln(w, "\nno point of A matches a point of B: nothing to compare")
	}
	for _, p := range d.Points {
		printPointDiff(w, &p, all)
	}
	if len(d.FailIf) > 0 {
		fmt.Fprintln(w)
	}
	for _, r := range d.FailIf {
		if r.Holds {
			fmt.Fprintf(w, "fail-if %s: holds at %s\n", r.Condition, strings.Join(r.Points, "; "))
		} else {
			fmt.Fprintf(w, "fail-if %s: holds nowhere\n", r.Condition)
		}
	}
}

func absent(v string) string {
	if v == "" {
		return "(absent)"
	}
	return v
}

func printPointDiff(w io.Writer, p *compare.PointDiff, all bool) {
	fmt.Fprintf(w, "\n== %s (A point %d, %d replication(s); B point %d, %d replication(s))\n",
		p.Label, p.APoint, p.ReplicationsA, p.BPoint, p.ReplicationsB)
	fmt.Fprintln(w, p.Summary())
	if p.OneReplication() {
		fmt.Fprintln(w, compare.OneReplicationNote)
	}
	t := p.Table(all)
	rows := append([][]string{t.Head}, t.Rows...)
	// Numbers align right, metric names left.
	width := 0
	for _, row := range rows {
		width = max(width, utf8.RuneCountInString(row[0]))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, row := range rows {
		fmt.Fprintf(tw, "%-*s\t%s\t\n", width, row[0], strings.Join(row[1:], "\t"))
	}
	tw.Flush()
	if t.Hidden > 0 {
		fmt.Fprintf(w, "(%d metrics zero in both not shown; --all shows them)\n", t.Hidden)
	}
}

// writeDiff stages diff.json, the charts and diff.html.
func writeDiff(st *stager, d *compare.Diff, a, b *diffInput, js []byte, formats []string, all bool) error {
	if err := st.file("diff.json", func(w io.Writer) error { _, err := w.Write(js); return err }); err != nil {
		return err
	}
	var charts []plots.Chart
	if len(formats) > 0 {
		var err error
		if charts, err = report.DiffCharts(d, report.DiffSide{Summary: a.Summary, Latency: a.lat, Load: a.load},
			report.DiffSide{Summary: b.Summary, Latency: b.lat, Load: b.load}); err != nil {
			return err
		}
	}
	names, _, err := stageCharts(st, charts, formats)
	if err != nil {
		return err
	}
	links := append([]string{"diff.json"}, names...)
	return st.file("diff.html", func(w io.Writer) error {
		return report.WriteDiff(w, report.DiffInput{Diff: d, Charts: charts, Links: links, All: all})
	})
}
