package plots

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"cmsim/results"
)

// loadPanel is one panel of the apiserver-load page.
type loadPanel struct {
	ylabel string
	series []loadSeries
}

type loadSeries struct {
	name  string
	value func(r *results.LoadRow) float64
}

var loadPanels = []loadPanel{
	{"GET/s", []loadSeries{
		{"from etcd", func(r *results.LoadRow) float64 { return r.GetEtcdPerSec }},
		{"from watch cache", func(r *results.LoadRow) float64 { return r.GetCachePerSec }},
	}},
	{"LIST/s", []loadSeries{{"LIST", func(r *results.LoadRow) float64 { return r.ListPerSec }}}},
	{"WATCH requests/s", []loadSeries{{"WATCH", func(r *results.LoadRow) float64 { return r.WatchRequestsPerSec }}}},
	{"open watches", []loadSeries{
		{"mean", func(r *results.LoadRow) float64 { return r.OpenWatchesMean }},
		{"max", func(r *results.LoadRow) float64 { return r.OpenWatchesMax }},
	}},
	{"watch events/s", []loadSeries{
		{"events", func(r *results.LoadRow) float64 { return r.WatchEventsPerSec }},
		{"bookmarks", func(r *results.LoadRow) float64 { return r.BookmarksPerSec }},
	}},
}

// APIServerLoad draws the apiserver load of one run (the rows of one point and
// replication, see [LoadOf]) as a column of panels sharing the time axis:
// GET/s (etcd and watch cache apart), LIST/s, WATCH requests/s, open watches
// (mean and max) and watch events/s (bookmarks apart). Each rate is drawn as
// a step over its time bucket. The first series of each panel takes the
// strategy's colour. Render the page with [RenderPage]. Rows with a
// non-finite start are skipped; without rows the page is a single panel with
// a "no samples" note.
func APIServerLoad(title, strategy string, rows []results.LoadRow) ([][]*plot.Plot, error) {
	var rs []results.LoadRow
	for _, r := range rows {
		if finite(r.StartSeconds) {
			rs = append(rs, r)
		}
	}
	if len(rs) == 0 {
		return [][]*plot.Plot{{withNote(newPlot(title, "", ""), NoSamples)}}, nil
	}
	// The bucket width is the smallest gap between starts.
	bucket := math.Inf(1)
	for i := 1; i < len(rs); i++ {
		if d := rs[i].StartSeconds - rs[i-1].StartSeconds; d > 0 {
			bucket = math.Min(bucket, d)
		}
	}
	if math.IsInf(bucket, 1) {
		bucket = 1
	}
	x0, x1 := rs[0].StartSeconds, rs[len(rs)-1].StartSeconds+bucket
	first, ok := StrategyColor(strategy)
	if !ok {
		first = Palette[3]
	}
	colors := []color.Color{first, color.Gray{Y: 0x80}}
	page := make([][]*plot.Plot, len(loadPanels))
	for i, panel := range loadPanels {
		p := newPlot("", "", panel.ylabel)
		if i == 0 {
			p.Title.Text = title
		}
		if i == len(loadPanels)-1 {
			p.X.Label.Text = "time since start"
			p.X.Tick.Marker = TimeTicks{}
		} else {
			p.X.Tick.Marker = blankLabels{TimeTicks{}}
		}
		ymax := 0.0
		for j, s := range panel.series {
			xys := make(plotter.XYs, 0, len(rs)+1)
			for k := range rs {
				v := s.value(&rs[k])
				if !finite(v) {
					v = 0
				}
				ymax = math.Max(ymax, v)
				xys = append(xys, plotter.XY{X: rs[k].StartSeconds, Y: v})
			}
			xys = append(xys, plotter.XY{X: x1, Y: xys[len(xys)-1].Y})
			line, err := plotter.NewLine(xys)
			if err != nil {
				return nil, err
			}
			line.StepStyle = plotter.PostStep
			line.LineStyle = draw.LineStyle{Color: colors[j], Width: vg.Points(1.2), Dashes: Dashes[j]}
			p.Add(line)
			if len(panel.series) > 1 {
				p.Legend.Add(s.name, line)
			}
		}
		if ymax == 0 {
			p.Add(note{msg: "none during the run"})
			ymax = 1
		}
		head := 1.08
		if len(panel.series) > 1 {
			head = 1.45
			p.Legend.Top, p.Legend.Left = true, false
			p.Legend.XOffs, p.Legend.YOffs = -vg.Points(4), -vg.Points(1)
		}
		p.X.Min, p.X.Max = x0, x1
		p.Y.Min, p.Y.Max = 0, ymax*head
		page[i] = []*plot.Plot{p}
	}
	return page, nil
}
