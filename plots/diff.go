package plots

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg/draw"

	"cmsim/results"
)

// ParamLabel labels a point by the given parameters, as [PointLabels] does
// ("Watch, nodes=100").
func ParamLabel(params map[string]string, keys []string) string {
	return paramLabel(params, keys)
}

// SeriesPair is one point's latency samples in two outputs, A and B.
type SeriesPair struct {
	Label    string // the point, "" when the outputs have one point each
	Strategy string
	A, B     results.LatencyHistogram
}

// Diff colours: A is the baseline, B the output compared with it.
var (
	ColorA color.Color = Palette[3] // near black
	ColorB color.Color = Palette[1] // orange
)

// LatencyCDFDiff draws the latency CDFs of matched points of two outputs
// over each other (see [LatencyCDF]): A solid, B dashed, one colour per
// point (its strategy's when every point has a different strategy, else
// [Palette] in order; with one point, ColorA and ColorB).
func LatencyCDFDiff(title, nameA, nameB string, pairs []SeriesPair) (*plot.Plot, error) {
	byStrategy := len(pairs) > 1
	seen := map[string]bool{}
	for _, p := range pairs {
		_, ok := StrategyColor(p.Strategy)
		byStrategy = byStrategy && ok && !seen[p.Strategy]
		seen[p.Strategy] = true
	}
	var series []Series
	var styles []draw.LineStyle
	for i, p := range pairs {
		ca, cb := Palette[i%len(Palette)], Palette[i%len(Palette)]
		switch {
		case len(pairs) == 1:
			ca, cb = ColorA, ColorB
		case byStrategy:
			ca, _ = StrategyColor(p.Strategy)
			cb = ca
		}
		for k, s := range []struct {
			name   string
			values results.LatencyHistogram
			color  color.Color
		}{{nameA, p.A, ca}, {nameB, p.B, cb}} {
			label := s.name
			if p.Label != "" {
				label += ", " + p.Label
			}
			series = append(series, Series{Label: label, Latency: s.values})
			styles = append(styles, draw.LineStyle{Color: s.color, Width: LineWidth, Dashes: Dashes[k]})
		}
	}
	return latencyCDF(title, series, styles)
}

// APIServerLoadDiff draws the apiserver load of one point in two outputs
// (the rows of one point and replication of each, see [LoadOf]) on one
// page: the panels of [APIServerLoad] that either has, A's lines in ColorA
// and B's in ColorB, a panel's series told apart by dashes. Faults are
// not marked. Render it with [RenderPage] at [LoadPageHeight].
func APIServerLoadDiff(title, nameA, nameB string, a, b []results.LoadRow, seatLimit float64) ([][]*plot.Plot, error) {
	var runs []loadRun
	var all []results.LoadRow
	for _, r := range []struct {
		name  string
		rows  []results.LoadRow
		color color.Color
	}{{nameA, a, ColorA}, {nameB, b, ColorB}} {
		rs := finiteRows(r.rows)
		if len(rs) == 0 {
			continue
		}
		all = append(all, rs...)
		c := r.color
		runs = append(runs, loadRun{rows: rs, name: r.name, style: func(j int, _ loadSeries) draw.LineStyle {
			return draw.LineStyle{Color: c, Dashes: Dashes[j%len(Dashes)]}
		}})
	}
	if len(runs) == 0 {
		return [][]*plot.Plot{{withNote(newPlot(title, "", ""), NoSamples)}}, nil
	}
	return loadPage(title, loadPanels(all, seatLimit), runs, nil)
}
