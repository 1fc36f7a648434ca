package plots

import (
	"image/color"
	"math"
	"slices"
	"strconv"

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
	// rowLegend names the series in one row at the top, even a single one.
	rowLegend bool
	// zoom fits the y axis to the data instead of starting it at 0.
	zoom bool
	// seconds marks the y axis in seconds, on a log scale when the
	// positive values span two decades or more.
	seconds bool
	// limit, when > 0, is drawn as a wide light line named limitName.
	limit     float64
	limitName string
}

type loadSeries struct {
	name  string
	value func(r *results.LoadRow) float64
	// style, when set, replaces the panel's colour order.
	style *draw.LineStyle
}

var (
	getPanel = loadPanel{ylabel: "GET/s", series: []loadSeries{
		{name: "from etcd", value: func(r *results.LoadRow) float64 { return r.GetEtcdPerSec }},
		{name: "from watch cache", value: func(r *results.LoadRow) float64 { return r.GetCachePerSec }},
	}}
	listPanel  = loadPanel{ylabel: "LIST/s", series: []loadSeries{{name: "LIST", value: func(r *results.LoadRow) float64 { return r.ListPerSec }}}}
	watchPanel = loadPanel{ylabel: "WATCH requests/s", series: []loadSeries{{name: "WATCH", value: func(r *results.LoadRow) float64 { return r.WatchRequestsPerSec }}}}
	tokenPanel = loadPanel{ylabel: "POST token/s", series: []loadSeries{{name: "TokenRequest", value: func(r *results.LoadRow) float64 { return r.TokenRequestsPerSec }}}}
	openPanel  = loadPanel{ylabel: "open watches", series: []loadSeries{
		{name: "mean", value: func(r *results.LoadRow) float64 { return r.OpenWatchesMean }},
		{name: "max", value: func(r *results.LoadRow) float64 { return r.OpenWatchesMax }},
	}}
	eventsPanel = loadPanel{ylabel: "watch events/s", series: []loadSeries{
		{name: "events", value: func(r *results.LoadRow) float64 { return r.WatchEventsPerSec }},
		{name: "bookmarks", value: func(r *results.LoadRow) float64 { return r.BookmarksPerSec }},
	}}
	nodesPanel = loadPanel{ylabel: "nodes", zoom: true, series: []loadSeries{
		{name: "nodes", value: func(r *results.LoadRow) float64 { return r.Nodes }, style: &draw.LineStyle{Color: Palette[3]}},
	}}
	podsPanel = loadPanel{ylabel: "pods", zoom: true, series: []loadSeries{
		{name: "pods", value: func(r *results.LoadRow) float64 { return r.Pods }, style: &draw.LineStyle{Color: Palette[3]}},
	}}
	// failureSeries are the failures/s panel's candidates; it shows those
	// that are not all zero.
	failureSeries = []loadSeries{
		{name: "refused", value: func(r *results.LoadRow) float64 { return r.RefusedPerSec }, style: &draw.LineStyle{Color: Palette[3]}},
		{name: "429", value: func(r *results.LoadRow) float64 { return r.Rejected429PerSec }, style: &draw.LineStyle{Color: ColorGet, Dashes: Dashes[1]}},
		{name: "410 Gone", value: func(r *results.LoadRow) float64 { return r.Watch410PerSec }, style: &draw.LineStyle{Color: ColorCache, Dashes: Dashes[2]}},
	}
	// mountPanel is apart from the request failures: a few failed mounts
	// would not show on the scale of thousands of refused requests.
	mountPanel = loadPanel{ylabel: "mount failures/s", series: []loadSeries{
		{name: "mount failures", value: func(r *results.LoadRow) float64 { return r.MountFailuresPerSec }, style: &draw.LineStyle{Color: Palette[3]}},
	}}
	// replicaColors are the colours of the per-replica lines after the
	// first, which takes the strategy's.
	replicaColors = []color.Color{ColorCache, ColorGet, Palette[3]}
)

// faultLabelRows is the number of rows of fault names above the top panel.
const faultLabelRows = 3

// maxReplicaLines is the most replicas drawn one line each; with more, the
// panel draws the least and the most watched replica.
const maxReplicaLines = 4

// loadPanels returns the panels of a page: GET, LIST and WATCH requests,
// open watches and watch events always; token requests, the saturation
// panels (finite capacity: seats in use, with seatLimit when > 0, requests
// waiting, request latency, 429s and retries), failed requests (their 429s
// in the saturation panels when there are), failed mounts, open watches
// per replica (two or more, not all zero) and node and pod counts only
// when the rows have them.
func loadPanels(rs []results.LoadRow, seatLimit float64) []loadPanel {
	out := []loadPanel{getPanel, listPanel, watchPanel}
	if anyNonZero(rs, tokenPanel.series[0].value) {
		out = append(out, tokenPanel)
	}
	capacity := hasCapacity(rs)
	if capacity {
		seats := seatsPanel
		if seatLimit > 0 && finite(seatLimit) {
			seats.limit, seats.limitName = seatLimit, limitName(seatLimit)
		}
		reject := rejectPanel
		reject.series = rejectSeries(rs)
		out = append(out, seats, waitingPanel, latencyPanel, reject)
	}
	var fail []loadSeries
	for _, s := range failureSeries {
		if capacity && s.name == "429" {
			continue
		}
		if anyNonZero(rs, s.value) {
			fail = append(fail, s)
		}
	}
	if len(fail) > 0 {
		out = append(out, loadPanel{ylabel: "failures/s", series: fail, rowLegend: true})
	}
	if anyNonZero(rs, mountPanel.series[0].value) {
		out = append(out, mountPanel)
	}
	out = append(out, openPanel)
	if n := replicaCount(rs); n >= 2 && anyNonZero(rs, func(r *results.LoadRow) float64 { return slices.Max(append(r.OpenWatchesByReplica, 0)) }) {
		out = append(out, replicaPanel(n))
	}
	out = append(out, eventsPanel)
	if changes(rs, nodesPanel.series[0].value) {
		out = append(out, nodesPanel)
	}
	if changes(rs, podsPanel.series[0].value) {
		out = append(out, podsPanel)
	}
	return out
}

func replicaCount(rs []results.LoadRow) int {
	n := 0
	for i := range rs {
		n = max(n, len(rs[i].OpenWatchesByReplica))
	}
	return n
}

// replicaPanel draws each replica's mean open watches, or with more than
// maxReplicaLines replicas the least and the most.
func replicaPanel(n int) loadPanel {
	at := func(r *results.LoadRow, i int) float64 {
		if i < len(r.OpenWatchesByReplica) {
			return r.OpenWatchesByReplica[i]
		}
		return 0
	}
	p := loadPanel{ylabel: "watches per replica", rowLegend: true}
	if n > maxReplicaLines {
		pick := func(f func(a, b float64) float64) func(r *results.LoadRow) float64 {
			return func(r *results.LoadRow) float64 {
				v := at(r, 0)
				for i := 1; i < n; i++ {
					v = f(v, at(r, i))
				}
				return v
			}
		}
		p.series = []loadSeries{{name: "least watched", value: pick(math.Min)}, {name: "most watched", value: pick(math.Max)}}
		return p
	}
	for i := range n {
		s := loadSeries{name: "replica " + strconv.Itoa(i), value: func(r *results.LoadRow) float64 { return at(r, i) }}
		if i > 0 {
			s.style = &draw.LineStyle{Color: replicaColors[(i-1)%len(replicaColors)], Dashes: Dashes[i%len(Dashes)]}
		}
		p.series = append(p.series, s)
	}
	return p
}

func anyNonZero(rs []results.LoadRow, f func(*results.LoadRow) float64) bool {
	for i := range rs {
		if v := f(&rs[i]); finite(v) && v != 0 {
			return true
		}
	}
	return false
}

// changes reports whether f takes two finite values over rs.
func changes(rs []results.LoadRow, f func(*results.LoadRow) float64) bool {
	return varying(len(rs), func(i int) float64 { return f(&rs[i]) })
}

// varying says whether value(0..n-1) holds two different finite values.
func varying(n int, value func(i int) float64) bool {
	first, seen := 0.0, false
	for i := 0; i < n; i++ {
		v := value(i)
		if !finite(v) {
			continue
		}
		if seen && v != first {
			return true
		}
		first, seen = v, true
	}
	return false
}

// APIServerLoad draws the apiserver load of one run (the rows of one point and
// replication, see [LoadOf]) as a column of panels sharing the time axis:
// GET/s (etcd and watch cache apart), LIST/s, WATCH requests/s, open watches
// (mean and max) and watch events/s (bookmarks apart). Panels that would
// stay at zero are added only when the rows have data for them: POST
// token/s, failures/s (connection refused, 429, 410 Gone), mount
// failures/s, open watches per apiserver replica (two or more), and the
// node and pod counts when they change. Each rate is drawn as a step over its time
// bucket; the first series of each panel takes the strategy's colour.
//
// A run with finite apiserver capacity (some seat in use) adds the
// saturation panels after the requests: seats in use (mean and max per
// bucket; seatLimit, when > 0, as a wide light line, see [SeatLimit]),
// requests waiting in the queues (mean and max), request latency (mean and
// max of the requests answered in the bucket, on a log axis when it spans
// two decades) and 429s and retries/s (all 429s, priority and fairness's,
// client retries); its failures/s panel then leaves the 429s to them.
//
// Every panel marks each fault: a thin line at its start and a light band
// to its end, in its kind's colour; a strip above the top panel names them. Render the
// page with [RenderPage] at [LoadPageHeight]. Rows with a non-finite start
// are skipped; without rows the page is a single panel with a "no samples"
// note.
func APIServerLoad(title, strategy string, rows []results.LoadRow, faults []results.FaultEvent, seatLimit float64) ([][]*plot.Plot, error) {
	rs := finiteRows(rows)
	if len(rs) == 0 {
		return [][]*plot.Plot{{withNote(newPlot(title, "", ""), NoSamples)}}, nil
	}
	first, ok := StrategyColor(strategy)
	if !ok {
		first = Palette[3]
	}
	colors := []color.Color{first, color.Gray{Y: 0x80}}
	run := loadRun{rows: rs, style: func(j int, s loadSeries) draw.LineStyle {
		if s.style != nil {
			return *s.style
		}
		return draw.LineStyle{Color: colors[min(j, 1)], Dashes: Dashes[j%len(Dashes)]}
	}}
	return loadPage(title, loadPanels(rs, seatLimit), []loadRun{run}, faultSpans(faults))
}

// loadRun is one run's rows on a load page and the look of its lines.
type loadRun struct {
	rows []results.LoadRow // with finite starts, in time order
	// style gives the line of the panel's series j.
	style func(j int, s loadSeries) draw.LineStyle
	// name prefixes the series' names in the legends when a page
	// overlays several runs.
	name string
}

// finiteRows returns the rows with a finite start.
func finiteRows(rows []results.LoadRow) []results.LoadRow {
	var rs []results.LoadRow
	for _, r := range rows {
		if finite(r.StartSeconds) {
			rs = append(rs, r)
		}
	}
	return rs
}

// timeSpan returns the start of the first bucket of rs and the end of the
// last; the bucket width is the smallest gap between starts.
func timeSpan(rs []results.LoadRow) (x0, x1 float64) {
	bucket := math.Inf(1)
	for i := 1; i < len(rs); i++ {
		if d := rs[i].StartSeconds - rs[i-1].StartSeconds; d > 0 {
			bucket = math.Min(bucket, d)
		}
	}
	if math.IsInf(bucket, 1) {
		bucket = 1
	}
	return rs[0].StartSeconds, rs[len(rs)-1].StartSeconds + bucket
}

// loadPage draws the panels of a load page, each run's series over each
// other; with several runs every panel names its lines in a row legend.
func loadPage(title string, panels []loadPanel, runs []loadRun, spans []faultSpan) ([][]*plot.Plot, error) {
	x0, x1 := math.Inf(1), math.Inf(-1)
	ends := make([]float64, len(runs))
	for r, run := range runs {
		a, b := timeSpan(run.rows)
		x0, x1, ends[r] = math.Min(x0, a), math.Max(x1, b), b
	}
	overlay := len(runs) > 1
	page := make([][]*plot.Plot, len(panels))
	for i, panel := range panels {
		p := newPlot("", "", panel.ylabel)
		if i == 0 {
			p.Title.Text = title
		}
		if i == len(panels)-1 {
			p.X.Label.Text = "time since start"
			p.X.Tick.Marker = TimeTicks{}
		} else {
			p.X.Tick.Marker = blankLabels{TimeTicks{}}
		}
		if len(spans) > 0 {
			p.Add(faultMarks{spans: spans})
		}
		ymin, ymax, ypos := math.Inf(1), 0.0, math.Inf(1)
		values := make([][][]float64, len(runs))
		for r, run := range runs {
			values[r] = make([][]float64, len(panel.series))
			for j, s := range panel.series {
				values[r][j] = make([]float64, len(run.rows))
				for k := range run.rows {
					v := s.value(&run.rows[k])
					if !finite(v) {
						v = 0
					}
					ymin, ymax = math.Min(ymin, v), math.Max(ymax, v)
					if v > 0 {
						ypos = math.Min(ypos, v)
					}
					values[r][j][k] = v
				}
			}
		}
		// A log axis cannot show zeros: each run of positive values is
		// then a line of its own.
		logY := panel.seconds && spansDecades(ypos, ymax)
		rowNames := panel.rowLegend || overlay
		var legend rowLegend
		if panel.limit > 0 {
			// Under the data, so that a max at the limit still shows.
			p.Add(hline{y: panel.limit, style: limitStyle})
			ymax = math.Max(ymax, panel.limit)
		}
		for r, run := range runs {
			for j, s := range panel.series {
				style := run.style(j, s)
				if style.Width == 0 {
					style.Width = vg.Points(1.2)
				}
				var line *plotter.Line
				for _, steps := range stepRuns(run.rows, values[r][j], logY, ends[r]) {
					if logY {
						for k := range steps {
							steps[k].Y = math.Log10(steps[k].Y)
						}
					}
					l, err := plotter.NewLine(steps)
					if err != nil {
						return nil, err
					}
					l.StepStyle = plotter.PostStep
					l.LineStyle = style
					p.Add(l)
					line = l
				}
				if line == nil {
					continue
				}
				name := s.name
				if overlay {
					name = run.name + " " + name
				}
				switch {
				case rowNames:
					legend.names = append(legend.names, name)
					legend.styles = append(legend.styles, line.LineStyle)
				case len(panel.series) > 1:
					p.Legend.Add(name, line)
				}
			}
		}
		if panel.limit > 0 {
			legend.names = append(legend.names, panel.limitName)
			legend.styles = append(legend.styles, limitStyle)
		}
		head := 1.08
		switch {
		case rowNames:
			p.Add(legend)
			head = 1.3
		case len(panel.series) > 1:
			head = 1.45
			p.Legend.Top, p.Legend.Left = true, false
			p.Legend.XOffs, p.Legend.YOffs = -vg.Points(4), -vg.Points(1)
		}
		if i == 0 && len(spans) > 0 {
			p.Add(faultLabels{spans: spans, rows: faultLabelRows})
			p.Title.Padding += faultStripHeight(p, faultLabelRows)
		}
		if panel.seconds {
			p.Y.Tick.Marker = SecondsTicks{}
		}
		switch {
		case ymax == 0:
			p.Add(note{msg: "none during the run"})
			p.Y.Min, p.Y.Max = 0, head
		case logY:
			// The lines carry log10 of the values; the legend's room is a
			// share of the decades drawn.
			lo, hi := math.Log10(ypos), math.Log10(ymax)
			p.Y.Tick.Marker = logTicks{seconds: true}
			p.Y.Min, p.Y.Max = lo-0.04*(hi-lo), hi+(head-1)*(hi-lo)
		case panel.zoom:
			pad := math.Max(0.15*(ymax-ymin), 2)
			p.Y.Min, p.Y.Max = math.Max(0, ymin-pad), ymax+pad
		default:
			p.Y.Min, p.Y.Max = 0, ymax*head
		}
		p.X.Min, p.X.Max = x0, x1
		page[i] = []*plot.Plot{p}
	}
	return page, nil
}

// stepRuns returns the points of a step line over the rows' buckets, the
// last bucket held to x1. With positive set, buckets whose value is not
// positive are left out, and each run of the others is a line of its own.
func stepRuns(rs []results.LoadRow, v []float64, positive bool, x1 float64) []plotter.XYs {
	var out []plotter.XYs
	var cur plotter.XYs
	for k := range rs {
		if positive && v[k] <= 0 {
			if len(cur) > 0 {
				out = append(out, append(cur, plotter.XY{X: rs[k].StartSeconds, Y: cur[len(cur)-1].Y}))
				cur = nil
			}
			continue
		}
		cur = append(cur, plotter.XY{X: rs[k].StartSeconds, Y: v[k]})
	}
	if len(cur) > 0 {
		out = append(out, append(cur, plotter.XY{X: x1, Y: cur[len(cur)-1].Y}))
	}
	return out
}

// hline draws a horizontal line across the data area at y.
type hline struct {
	y     float64
	style draw.LineStyle
}

func (h hline) Plot(c draw.Canvas, p *plot.Plot) {
	_, trY := p.Transforms(&c)
	y := trY(h.y)
	c.StrokeLine2(h.style, c.Min.X, y, c.Max.X, y)
}

// rowLegend names series in one row at the top right of the data area.
type rowLegend struct {
	names  []string
	styles []draw.LineStyle
}

func (l rowLegend) Plot(c draw.Canvas, p *plot.Plot) {
	sty := p.Legend.TextStyle
	sty.XAlign, sty.YAlign = draw.XRight, draw.YCenter
	thumb, em := p.Legend.ThumbnailWidth, sty.Width(" ")
	y := c.Max.Y - vg.Points(1) - sty.Height("Ag")/2
	x := c.Max.X - vg.Points(4)
	for i := len(l.names) - 1; i >= 0; i-- {
		c.StrokeLine2(l.styles[i], x-thumb, y, x, y)
		x -= thumb + em
		c.FillText(sty, vg.Point{X: x, Y: y}, l.names[i])
		x -= sty.Width(l.names[i]) + 2*em
	}
}
