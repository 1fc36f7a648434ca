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
// series. The bins are unions of the series' histogram bins (a chart bin
// is at least ten of them wide), so the shares are exact. Without any
// sample the chart carries a "no samples" note.
func LatencyHistogram(title string, series []Series) (*plot.Plot, error) {
	p := newPlot(title, "update-to-file latency", "share of pairs (%)")
	if !anySamples(series) {
		return withNote(p, NoSamples), nil
	}
	// Bins are computed in whole microseconds, as latencies.csv holds the
	// values, so that no value falls on the wrong side of an edge.
	loUs, hiUs := int64(math.MaxInt64), int64(math.MinInt64)
	for _, s := range series {
		if h := &s.Latency; h.N > 0 {
			loUs = min(loUs, h.First*h.BinMicros)
			hiUs = max(hiUs, (h.First+int64(len(h.Counts))-1)*h.BinMicros)
		}
	}
	loUs = min(loUs, 0)
	widthUs := max(1, int64(math.Round(niceStep(float64(hiUs-loUs)/1e6/histogramBins)*1e6)))
	startUs := floorDivInt(loUs, widthUs) * widthUs
	nbins := int(floorDivInt(hiUs-startUs, widthUs)) + 1
	width, start := float64(widthUs)/1e6, float64(startUs)/1e6
	p.Y.Label.Text = "share of pairs per " + FormatSeconds(width) + " bin (%)"
	styles := seriesStyles(strategies(series))
	alpha := uint8(0x70)
	if len(series) > 1 {
		alpha = 0x28
	}
	ymax := 0.0
	for i, s := range series {
		h := &s.Latency
		if h.N == 0 {
			p.Legend.Add(s.Label + ": no samples")
			continue
		}
		counts := make([]float64, nbins)
		for j, c := range h.Counts {
			if c > 0 {
				b := floorDivInt((h.First+int64(j))*h.BinMicros-startUs, widthUs)
				counts[max(0, min(int(b), nbins-1))] += float64(c)
			}
		}
		xys := plotter.XYs{{X: start, Y: 0}}
		for b, c := range counts {
			share := 100 * c / float64(h.N)
			ymax = math.Max(ymax, share)
			x0 := float64(startUs+int64(b)*widthUs) / 1e6
			xys = append(xys, plotter.XY{X: x0, Y: share}, plotter.XY{X: x0 + width, Y: share})
		}
		xys = append(xys, plotter.XY{X: float64(startUs+int64(nbins)*widthUs) / 1e6, Y: 0})
		line, err := plotter.NewLine(xys)
		if err != nil {
			return nil, err
		}
		line.LineStyle = styles[i]
		line.LineStyle.Width = vg.Points(1.2)
		r, g, b, _ := styles[i].Color.RGBA()
		line.FillColor = color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: alpha}
		p.Add(line)
		p.Legend.Add(s.Label+" ("+FormatRate(float64(h.N))+" pairs)", line)
	}
	p.X.Min, p.X.Max = start, float64(startUs+int64(nbins)*widthUs)/1e6
	p.X.Tick.Marker = TimeTicks{}
	p.Y.Min, p.Y.Max = 0, ymax*(1.1+0.07*float64(len(series)))
	p.Legend.Top = true
	p.Legend.XOffs, p.Legend.YOffs = -vg.Points(4), -vg.Points(4)
	return p, nil
}

func floorDivInt(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
