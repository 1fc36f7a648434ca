package plots

import (
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"cmsim/results"
)

// Tradeoff draws the cost-benefit of each point: latency p99 (y) against the
// total apiserver requests per second, GET + LIST + WATCH (x), one labelled
// marker per point in its strategy's colour, with 95% confidence error bars
// when present. labels name the points (see [PointLabels]). The x axis turns
// logarithmic when the rates span more than two decades. Points without an
// observed latency are skipped.
func Tradeoff(title string, points []results.Point, labels []string) (*plot.Plot, error) {
	p := newPlot(title, "apiserver requests (GET + LIST + WATCH, req/s)", "latency p99")
	p.Y.Tick.Marker = TimeTicks{}
	strats := make([]string, len(points))
	for i := range points {
		strats[i] = Strategy(&points[i])
	}
	styles := seriesStyles(strats)
	glyphs := seriesGlyphs(strats)
	// With many points, per-point labels would pile up: points of one
	// strategy are joined in sweep order instead, and only the last point
	// of each line is labelled.
	crowded := len(points) > 6
	first, last := map[string]int{}, map[string]int{}
	lines := map[string]plotter.XYs{}
	var order []string
	var all plotter.XYs
	ymax, xlo, xhi := 0.0, math.Inf(1), 0.0
	for i := range points {
		pt := &points[i]
		x, y := RequestsPerSec(&pt.Metrics), pt.LatencySeconds.P99
		if pt.LatencySeconds.Count == 0 || !finite(x) || !finite(y) {
			continue
		}
		xy := plotter.XYs{{X: x, Y: y}}
		all = append(all, xy[0])
		if _, ok := first[strats[i]]; !ok {
			first[strats[i]] = i
			order = append(order, strats[i])
		}
		last[strats[i]] = i
		lines[strats[i]] = append(lines[strats[i]], xy[0])
		sc, err := plotter.NewScatter(xy)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: styles[i].Color, Radius: vg.Points(3.5), Shape: glyphs[i]}
		if pt.CI95 != nil {
			cx, cy := RequestsPerSec(pt.CI95), pt.CI95.LatencySeconds.P99
			if finite(cy) && cy > 0 {
				eb, err := plotter.NewYErrorBars(struct {
					plotter.XYs
					plotter.YErrors
				}{xy, plotter.YErrors{{Low: cy, High: cy}}})
				if err != nil {
					return nil, err
				}
				eb.LineStyle.Color = styles[i].Color
				p.Add(eb)
				y += cy
			}
			if finite(cx) && cx > 0 {
				eb, err := plotter.NewXErrorBars(struct {
					plotter.XYs
					plotter.XErrors
				}{xy, plotter.XErrors{{Low: cx, High: cx}}})
				if err != nil {
					return nil, err
				}
				eb.LineStyle.Color = styles[i].Color
				p.Add(eb)
			}
		}
		p.Add(sc)
		ymax = math.Max(ymax, y)
		xlo, xhi = math.Min(xlo, x), math.Max(xhi, x)
		if crowded {
			continue // the ends of the lines are labelled below
		}
		lab, err := plotter.NewLabels(plotter.XYLabels{XYs: xy, Labels: []string{labelAt(labels, i)}})
		if err != nil {
			return nil, err
		}
		lab.TextStyle[0].Font = fontOf(legendSize)
		// Alternate above and below the marker: points with equal cost
		// and latency (Get and Cache often are) keep legible labels.
		lab.TextStyle[0].YAlign = draw.YBottom
		lab.Offset = vg.Point{X: vg.Points(5), Y: vg.Points(2)}
		if len(all)%2 == 0 {
			lab.TextStyle[0].YAlign = draw.YTop
			lab.Offset.Y = -vg.Points(2)
		}
		p.Add(lab)
	}
	if len(all) == 0 {
		return withNote(p, NoSamples), nil
	}
	if crowded {
		for _, st := range order {
			xy := lines[st]
			if len(xy) < 2 {
				continue
			}
			l, err := plotter.NewLine(xy)
			if err != nil {
				return nil, err
			}
			l.LineStyle = styles[first[st]]
			l.LineStyle.Width = vg.Points(0.8)
			p.Add(l)
			i := last[st]
			lab, err := plotter.NewLabels(plotter.XYLabels{XYs: xy[len(xy)-1:], Labels: []string{labelAt(labels, i)}})
			if err != nil {
				return nil, err
			}
			lab.TextStyle[0].Font = fontOf(legendSize)
			lab.TextStyle[0].YAlign = draw.YBottom
			lab.TextStyle[0].XAlign = draw.XRight
			lab.Offset = vg.Point{Y: vg.Points(6)}
			p.Add(lab)
		}
	}
	p.Y.Min, p.Y.Max = 0, ymax*1.12
	p.X.Padding = vg.Points(8)
	if xlo > 0 && xhi/xlo > 100 {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	} else {
		p.X.Min = 0
	}
	return p, nil
}

func labelAt(labels []string, i int) string {
	if i < len(labels) {
		return labels[i]
	}
	return ""
}
