package plots

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// histogramBins is the target number of bins over the widest series.
const histogramBins = 40

// LatencyHistogram draws the distribution of update-to-file latency as the
// share of each series' samples per bin (percent), with bins shared by every
// series: one filled outline, or translucent overlaid outlines for several
// series. NaN and ±Inf samples are skipped; without any sample the chart
// carries a "no samples" note.
func LatencyHistogram(title string, series []Series) (*plot.Plot, error) {
	p := newPlot(title, "update-to-file latency", "share of pairs (%)")
	clean, any := cleanSeries(series)
	if !any {
		return withNote(p, NoSamples), nil
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range clean {
		if len(v) > 0 {
			lo, hi = math.Min(lo, v[0]), math.Max(hi, v[len(v)-1])
		}
	}
	lo = math.Min(lo, 0)
	width := niceStep((hi - lo) / histogramBins)
	start := math.Floor(lo/width) * width
	nbins := int(math.Floor((hi-start)/width)) + 1
	p.Y.Label.Text = "share of pairs per " + FormatSeconds(width) + " bin (%)"
	styles := seriesStyles(strategies(series))
	alpha := uint8(0x70)
	if len(series) > 1 {
		alpha = 0x28
	}
	ymax := 0.0
	for i, s := range series {
		v := clean[i]
		if len(v) == 0 {
			p.Legend.Add(s.Label + ": no samples")
			continue
		}
		counts := make([]float64, nbins)
		for _, x := range v {
			b := int(math.Floor((x - start) / width))
			counts[max(0, min(b, nbins-1))]++
		}
		xys := plotter.XYs{{X: start, Y: 0}}
		for b, c := range counts {
			share := 100 * c / float64(len(v))
			ymax = math.Max(ymax, share)
			x0 := start + float64(b)*width
			xys = append(xys, plotter.XY{X: x0, Y: share}, plotter.XY{X: x0 + width, Y: share})
		}
		xys = append(xys, plotter.XY{X: start + float64(nbins)*width, Y: 0})
		line, err := plotter.NewLine(xys)
		if err != nil {
			return nil, err
		}
		line.LineStyle = styles[i]
		line.LineStyle.Width = vg.Points(1.2)
		r, g, b, _ := styles[i].Color.RGBA()
		line.FillColor = color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: alpha}
		p.Add(line)
		p.Legend.Add(s.Label+" ("+FormatRate(float64(len(v)))+" pairs)", line)
	}
	p.X.Min, p.X.Max = start, start+float64(nbins)*width
	p.X.Tick.Marker = TimeTicks{}
	p.Y.Min, p.Y.Max = 0, ymax*(1.1+0.07*float64(len(series)))
	p.Legend.Top = true
	p.Legend.XOffs, p.Legend.YOffs = -vg.Points(4), -vg.Points(4)
	return p, nil
}
