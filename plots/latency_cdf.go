package plots

import (
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"cmsim/results"
)

// cdfMaxPoints bounds the vertices of one CDF line; larger samples are drawn
// through evenly spaced ranks.
const cdfMaxPoints = 1000

// LatencyCDF draws the cumulative distribution of update-to-file latency,
// one line per series, with each series' p50 and p99 marked by a dot (values
// in the legend; with one series the dots are also labelled). The line
// steps at the lower edge of each bin of the series' histogram, so it lies
// left of the exact empirical CDF by less than one bin width (a thousandth
// of the values' range at most, see [results.LatencyHistogram]), and the
// quantiles are low by less than one bin width. Without any sample the
// chart carries a "no samples" note.
func LatencyCDF(title string, series []Series) (*plot.Plot, error) {
	return latencyCDF(title, series, seriesStyles(strategies(series)))
}

// latencyCDF draws LatencyCDF with the given style for each series.
func latencyCDF(title string, series []Series, styles []draw.LineStyle) (*plot.Plot, error) {
	p := newPlot(title, "update-to-file latency", "share of (update, consumer) pairs")
	p.Y.Tick.Marker = percentTicks{}
	p.Legend.Top, p.Legend.Left = false, false
	p.Legend.XOffs, p.Legend.YOffs = -vg.Points(4), vg.Points(4)
	if !anySamples(series) {
		return withNote(p, NoSamples), nil
	}
	for i, s := range series {
		h := &s.Latency
		if h.N == 0 {
			p.Legend.Add(s.Label + ": no samples")
			continue
		}
		line, err := plotter.NewLine(cdfPoints(h))
		if err != nil {
			return nil, err
		}
		line.LineStyle = styles[i]
		line.StepStyle = plotter.PostStep
		p50, p99 := h.Quantile(0.5), h.Quantile(0.99)
		dots, err := plotter.NewScatter(plotter.XYs{{X: p50, Y: 0.5}, {X: p99, Y: 0.99}})
		if err != nil {
			return nil, err
		}
		dots.GlyphStyle = draw.GlyphStyle{Color: styles[i].Color, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
		p.Add(line, dots)
		p.Legend.Add(s.Label+": p50 "+FormatSeconds(p50)+", p99 "+FormatSeconds(p99), line)
		if len(series) == 1 {
			lab, err := plotter.NewLabels(plotter.XYLabels{
				XYs:    plotter.XYs{{X: p50, Y: 0.5}, {X: p99, Y: 0.99}},
				Labels: []string{"p50 " + FormatSeconds(p50), "p99 " + FormatSeconds(p99)},
			})
			if err != nil {
				return nil, err
			}
			for j := range lab.TextStyle {
				lab.TextStyle[j].Font = fontOf(legendSize)
				lab.TextStyle[j].XAlign = draw.XRight
				lab.TextStyle[j].YAlign = draw.YBottom
			}
			lab.Offset = vg.Point{X: -vg.Points(4), Y: vg.Points(2)}
			p.Add(lab)
		}
	}
	p.X.Min = 0
	p.X.Tick.Marker = TimeTicks{}
	p.Y.Min, p.Y.Max = 0, 1.0
	return p, nil
}

// cdfPoints returns the empirical CDF of h as step vertices at the lower
// edges of its bins: one per non-empty bin, or past cdfMaxPoints of them,
// at evenly spaced ranks.
func cdfPoints(h *results.LatencyHistogram) plotter.XYs {
	n := float64(h.N)
	xys := plotter.XYs{{X: h.Lower(0), Y: 0}}
	nonEmpty := 0
	for _, c := range h.Counts {
		if c > 0 {
			nonEmpty++
		}
	}
	var cum int64
	if nonEmpty <= cdfMaxPoints {
		for i, c := range h.Counts {
			if c > 0 {
				cum += int64(c)
				xys = append(xys, plotter.XY{X: h.Lower(i), Y: float64(cum) / n})
			}
		}
		return xys
	}
	bin := 0
	cum = int64(h.Counts[0])
	for k := range cdfMaxPoints {
		r := int64(float64(k) * float64(h.N-1) / float64(cdfMaxPoints-1))
		for cum <= r && bin < len(h.Counts)-1 {
			bin++
			cum += int64(h.Counts[bin])
		}
		xys = append(xys, plotter.XY{X: h.Lower(bin), Y: float64(r+1) / n})
	}
	return xys
}

// anySamples reports whether any series has a sample.
func anySamples(series []Series) bool {
	for _, s := range series {
		if s.Latency.N > 0 {
			return true
		}
	}
	return false
}

func strategies(series []Series) []string {
	out := make([]string, len(series))
	for i, s := range series {
		out[i] = s.Strategy
	}
	return out
}

// percentTicks marks a 0..1 axis in percent.
type percentTicks struct{}

func (percentTicks) Ticks(min, max float64) []plot.Tick {
	var ts []plot.Tick
	for i := 0; i <= 20; i++ {
		v := float64(i) / 20
		if v < min-1e-9 || v > max+1e-9 {
			continue
		}
		t := plot.Tick{Value: v}
		if i%5 == 0 {
			t.Label = strconv.Itoa(i*5) + "%"
		}
		ts = append(ts, t)
	}
	return ts
}
