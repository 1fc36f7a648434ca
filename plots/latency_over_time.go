package plots

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// LatencyOverTime draws, for every update, the spread of its consumers'
// latencies at the time the update was written: a vertical bar from the
// fastest to the slowest consumer and a dot at the median, so stragglers
// stand out as long bars. Several series overlay in their own colours.
// Updates with non-finite values are skipped; without any the chart carries a
// "no samples" note.
func LatencyOverTime(title string, series []SpreadSeries) (*plot.Plot, error) {
	p := newPlot(title, "update written at (time since start)", "latency (bar: fastest to slowest consumer, dot: median)")
	p.Y.Label.Text = "latency: min–max bar, median dot"
	strats := make([]string, len(series))
	for i, s := range series {
		strats[i] = s.Strategy
	}
	styles := seriesStyles(strats)
	glyphs := seriesGlyphs(strats)
	any := false
	xmin, xmax, ymax := math.Inf(1), math.Inf(-1), 0.0
	for i, s := range series {
		var bars rangeBars
		var med plotter.XYs
		for _, u := range s.Updates {
			if !finite(u.WrittenAt) || !finite(u.Min) || !finite(u.Median) || !finite(u.Max) {
				continue
			}
			bars.x = append(bars.x, u.WrittenAt)
			bars.lo = append(bars.lo, u.Min)
			bars.hi = append(bars.hi, u.Max)
			med = append(med, plotter.XY{X: u.WrittenAt, Y: u.Median})
			xmin, xmax = math.Min(xmin, u.WrittenAt), math.Max(xmax, u.WrittenAt)
			ymax = math.Max(ymax, u.Max)
		}
		if len(med) == 0 {
			p.Legend.Add(s.Label + ": no samples")
			continue
		}
		any = true
		c := styles[i].Color
		r, g, b, _ := c.RGBA()
		bars.style = draw.LineStyle{Color: color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 0x90}, Width: vg.Points(1)}
		sc, err := plotter.NewScatter(med)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(2), Shape: glyphs[i]}
		p.Add(&bars, sc)
		p.Legend.Add(s.Label, sc)
	}
	if !any {
		return withNote(p, NoSamples), nil
	}
	pad := math.Max((xmax-xmin)*0.02, 1)
	p.X.Min, p.X.Max = math.Max(0, xmin-pad), xmax+pad
	p.X.Tick.Marker = TimeTicks{}
	p.Y.Min, p.Y.Max = 0, ymax*(1.08+0.06*float64(len(series)))
	p.Y.Tick.Marker = TimeTicks{}
	p.Legend.Top = true
	p.Legend.XOffs, p.Legend.YOffs = -vg.Points(4), -vg.Points(2)
	return p, nil
}

// rangeBars draws vertical segments from lo[i] to hi[i] at x[i].
type rangeBars struct {
	x, lo, hi []float64
	style     draw.LineStyle
}

func (rb *rangeBars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	c.SetLineStyle(rb.style)
	for i := range rb.x {
		x := trX(rb.x[i])
		y0, y1 := trY(rb.lo[i]), trY(rb.hi[i])
		if y1-y0 < vg.Points(0.5) { // keep one-consumer updates visible
			y1 = y0 + vg.Points(0.5)
		}
		var path vg.Path
		path.Move(vg.Point{X: x, Y: y0})
		path.Line(vg.Point{X: x, Y: y1})
		c.Stroke(path)
	}
}

// DataRange implements plot.DataRanger.
func (rb *rangeBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, ymin = math.Inf(1), math.Inf(1)
	xmax, ymax = math.Inf(-1), math.Inf(-1)
	for i := range rb.x {
		xmin, xmax = math.Min(xmin, rb.x[i]), math.Max(xmax, rb.x[i])
		ymin, ymax = math.Min(ymin, rb.lo[i]), math.Max(ymax, rb.hi[i])
	}
	return
}
