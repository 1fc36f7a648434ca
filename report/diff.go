package report

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"

	"cmsim/compare"
	"cmsim/plots"
	"cmsim/results"
)

// maxCDFPairs is the most matched points whose CDFs share one chart; with
// more, each point gets its own.
const maxCDFPairs = 4

// maxDiffCDFs bounds the per-point CDF charts of a diff.
const maxDiffCDFs = 12

// DiffSide is one output of a diff with the rows its charts need (either
// may be nil).
type DiffSide struct {
	Summary *results.Summary
	Latency []results.LatencyDigest // Latency[i] digests point i's latency rows
	Load    []results.LoadRow
}

// DiffCharts builds the charts of a diff: the latency CDFs of each matched
// point in A and B over each other (one chart for up to four points, else
// one per point, at most twelve) and each point's apiserver load, A over B
// (replication 0, up to [plots.MaxLoadPages] points).
func DiffCharts(d *compare.Diff, a, b DiffSide) ([]plots.Chart, error) {
	if a.Summary == nil || b.Summary == nil {
		return nil, fmt.Errorf("report: diff charts: missing summary")
	}
	sa, sb := plots.LatencySeries(a.Summary, a.Latency), plots.LatencySeries(b.Summary, b.Latency)
	pairs := make([]plots.SeriesPair, len(d.Points))
	for i, p := range d.Points {
		pairs[i] = plots.SeriesPair{
			Label: p.Label, Strategy: plots.Strategy(&a.Summary.Points[p.APoint]),
			A: sa[p.APoint].Latency, B: sb[p.BPoint].Latency,
		}
	}
	var out []plots.Chart
	const cdfCaption = "Cumulative share of (update, consumer) pairs that saw the update within a given time, all replications pooled: A solid, B dashed; dots mark p50 and p99. Pairs that never update are not counted."
	addCDF := func(name, title string, pairs []plots.SeriesPair) error {
		p, err := plots.LatencyCDFDiff(title, "A", "B", pairs)
		if err != nil {
			return fmt.Errorf("report: %s: %v", name, err)
		}
		out = append(out, plots.Chart{Name: name, Caption: cdfCaption, Plot: p, Width: plots.DefaultWidth, Height: plots.DefaultHeight})
		return nil
	}
	title := "update-to-file latency CDF, A against B"
	switch {
	case len(pairs) == 0:
		// No matched point: nothing to draw.
	case len(pairs) <= maxCDFPairs:
		if err := addCDF("latency_cdf", title, pairs); err != nil {
			return nil, err
		}
	default:
		for i := range min(len(pairs), maxDiffCDFs) {
			if err := addCDF("latency_cdf_p"+strconv.Itoa(i), title+", "+pairs[i].Label, pairs[i:i+1]); err != nil {
				return nil, err
			}
		}
	}
	for i, p := range d.Points[:min(len(d.Points), plots.MaxLoadPages)] {
		name, title := "apiserver_load", "apiserver load, A against B (replication 0)"
		if len(d.Points) > 1 {
			name = "apiserver_load_p" + strconv.Itoa(i)
			title = "apiserver load, " + p.Label + ", A against B (replication 0)"
		}
		ra, rb := plots.LoadOf(a.Load, p.APoint, 0), plots.LoadOf(b.Load, p.BPoint, 0)
		limit := max(plots.SeatLimit(&a.Summary.Points[p.APoint], ra), plots.SeatLimit(&b.Summary.Points[p.BPoint], rb))
		page, err := plots.APIServerLoadDiff(title, "A", "B", ra, rb, limit)
		if err != nil {
			return nil, fmt.Errorf("report: %s: %v", name, err)
		}
		out = append(out, plots.Chart{
			Name:    name,
			Caption: "Kubelet requests for ConfigMaps and Secrets seen by the apiserver over time, replication 0: A in black, B in orange, a panel's series told apart by dashes. Faults are not marked; see each run's report.",
			Page:    page, Width: plots.DefaultWidth, Height: plots.LoadPageHeight(len(page)),
		})
	}
	return out, nil
}

// DiffInput is everything diff.html shows.
type DiffInput struct {
	Diff *compare.Diff
	// Charts are drawn inline (see [DiffCharts]); Links are files to list,
	// relative to diff.html.
	Charts []plots.Chart
	Links  []string
	// All lists metrics that are zero in both outputs too.
	All bool
}

type diffPage struct {
	A, B      compare.Side
	Changes   table
	Match     string
	Unmatched []string
	Points    []diffPoint
	FailIf    []string
	Figures   []figure
	Links     []string
}

type diffPoint struct {
	Label, Summary, Note string
	Table                table
}

// WriteDiff renders diff.html: the scenario changes, one table per matched
// point and the charts, in the report's style.
func WriteDiff(w io.Writer, in DiffInput) error {
	d := in.Diff
	if d == nil {
		return fmt.Errorf("report: no diff")
	}
	for _, l := range in.Links {
		if err := checkLink(l); err != nil {
			return err
		}
	}
	page := diffPage{A: d.A, B: d.B, Links: in.Links}
	page.Changes = table{Head: []string{"scenario value", "A", "B"}}
	for _, c := range d.ScenarioChanges {
		page.Changes.Rows = append(page.Changes.Rows, []cell{{Text: c.Path, Param: true}, {Text: orAbsent(c.A), Param: true}, {Text: orAbsent(c.B), Param: true}})
	}
	page.Match = strings.Join(d.MatchParams, ", ")
	for _, u := range d.UnmatchedA {
		page.Unmatched = append(page.Unmatched, fmt.Sprintf("only in A: point %d, %s", u.Point, u.Label))
	}
	for _, u := range d.UnmatchedB {
		page.Unmatched = append(page.Unmatched, fmt.Sprintf("only in B: point %d, %s", u.Point, u.Label))
	}
	for i := range d.Points {
		page.Points = append(page.Points, diffPointOf(d, &d.Points[i], in.All))
	}
	for _, r := range d.FailIf {
		s := r.Condition + ": holds nowhere"
		if r.Holds {
			s = r.Condition + ": holds at " + strings.Join(r.Points, "; ")
		}
		page.FailIf = append(page.FailIf, s)
	}
	var err error
	if page.Figures, err = figures(in.Charts, nil); err != nil {
		return err
	}
	var out bytes.Buffer
	if err := diffTmpl.Execute(&out, page); err != nil {
		return fmt.Errorf("report: %v", err)
	}
	_, err = w.Write(out.Bytes())
	return err
}

func orAbsent(v string) string {
	if v == "" {
		return "(absent)"
	}
	return v
}

func diffPointOf(d *compare.Diff, p *compare.PointDiff, all bool) diffPoint {
	dp := diffPoint{Label: p.Label}
	if len(d.MatchParams) == 0 {
		dp.Label = "" // the one point: no heading
	}
	dp.Summary = fmt.Sprintf("A point %d (%d replication(s)) against B point %d (%d replication(s)): %s.",
		p.APoint, p.ReplicationsA, p.BPoint, p.ReplicationsB, p.Summary())
	var notes []string
	if p.OneReplication() {
		notes = append(notes, "With "+compare.OneReplicationNote+".")
	}
	t := p.Table(all)
	if t.Hidden > 0 {
		notes = append(notes, fmt.Sprintf("%d metrics that are zero in both are not shown.", t.Hidden))
	}
	dp.Note = strings.Join(notes, " ")
	dp.Table = table{Head: t.Head, Compact: true}
	for _, row := range t.Rows {
		cells := make([]cell, len(row))
		for i, v := range row {
			cells[i] = cell{Text: v, Param: i == 0 || i == len(row)-1}
		}
		dp.Table.Rows = append(dp.Table.Rows, cells)
	}
	return dp
}

// diffTmpl shares the report's style and table.
var diffTmpl = template.Must(template.Must(tmpl.Clone()).New("diff").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cmsim diff: {{.A.Scenario}} against {{.B.Scenario}}</title>
<style>{{template "style"}}</style>
</head>
<body>
<h1>cmsim diff</h1>
<p class="meta">A (the baseline): <code>{{.A.Dir}}</code>, scenario {{.A.Scenario}}, seed {{.A.Seed}}, {{.A.Points}} point(s) × {{.A.Replications}} replication(s){{if .A.Incomplete}}, incomplete{{end}}.<br>
B: <code>{{.B.Dir}}</code>, scenario {{.B.Scenario}}, seed {{.B.Seed}}, {{.B.Points}} point(s) × {{.B.Replications}} replication(s){{if .B.Incomplete}}, incomplete{{end}}.</p>

<h2 id="changes">What changed</h2>
{{- if .Changes.Rows}}
<p>The resolved scenarios (scenario.yaml) differ in these values.</p>
{{template "table" .Changes}}
{{- else}}
<p>The resolved scenarios are the same.</p>
{{- end}}
{{- if .Match}}
<p>Points are matched by {{.Match}}.</p>
{{- end}}
{{- if .Unmatched}}
<ul>
{{- range .Unmatched}}
<li>{{.}}</li>
{{- end}}
</ul>
{{- end}}
{{- if .FailIf}}

<h2 id="fail-if">Conditions</h2>
<ul>
{{- range .FailIf}}
<li><code>{{.}}</code></li>
{{- end}}
</ul>
{{- end}}

<h2 id="metrics">Metrics</h2>
{{- if not .Points}}
<p>No point of A matches a point of B: nothing to compare.</p>
{{- end}}
<p>Every summary metric of each matched point: A, B, the change B − A and in percent of A, and whether the 95% confidence intervals (mean ± half-width over replications) separate: <em>separate</em> is a difference beyond noise, <em>overlap</em> may be noise, <em>no CI</em> is not judged.</p>
{{- range .Points}}
{{- if .Label}}
<h3>{{.Label}}</h3>
{{- end}}
<p>{{.Summary}}{{if .Note}} {{.Note}}{{end}}</p>
{{template "table" .Table}}
{{- end}}
{{- if .Figures}}

<h2 id="charts">Charts</h2>
{{- template "figures" .Figures}}
{{- end}}
{{- if .Links}}

<h2 id="files">Files</h2>
<p>{{range $i, $l := .Links}}{{if $i}}, {{end}}<a href="{{$l}}">{{$l}}</a>{{end}}</p>
{{- end}}
</body>
</html>
`))
