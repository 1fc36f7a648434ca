package plots

import (
	"errors"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"cmsim/results"
)

// Metric is one headline figure of a point that can be charted against the
// swept parameter.
type Metric struct {
	Key     string // file-name friendly key, e.g. "latency_p99"
	Name    string // axis label, e.g. "latency p99"
	Unit    string // "" for seconds (time ticks carry the unit) or a count, else e.g. "req/s"
	Seconds bool   // the value is a duration in seconds
	// Latency is true for latency metrics, undefined when no pair was observed.
	Latency bool
	// Log draws the y axis on a log scale when the positive values span
	// two decades or more (points at 0 are then left out).
	Log bool
	// Note, when set, is a sentence [All] adds to the chart's caption.
	Note string
	// PointsOnly draws the measured points (and their error bars) without
	// lines between them, for sparse, unevenly spaced values such as a
	// plan's, where a line would suggest values never measured.
	PointsOnly bool
	Value      func(m *results.Metrics) float64
}

// SweepMetrics are the metrics [All] charts against the swept parameter.
var SweepMetrics = []Metric{
	{Key: "latency_p50", Name: "latency p50", Seconds: true, Latency: true, Value: func(m *results.Metrics) float64 { return m.LatencySeconds.P50 }},
	{Key: "latency_p99", Name: "latency p99", Seconds: true, Latency: true, Value: func(m *results.Metrics) float64 { return m.LatencySeconds.P99 }},
	{Key: "latency_mean", Name: "latency mean", Seconds: true, Latency: true, Value: func(m *results.Metrics) float64 { return m.LatencySeconds.Mean }},
	{Key: "get_per_sec", Name: "GET", Unit: "req/s", Value: func(m *results.Metrics) float64 { return m.APIServer.GetPerSec }},
	{Key: "open_watches_mean", Name: "open watches (mean)", Unit: "watches", Value: func(m *results.Metrics) float64 { return m.APIServer.OpenWatchesMean }},
	{Key: "watch_events_per_sec", Name: "watch events", Unit: "events/s", Value: func(m *results.Metrics) float64 { return m.APIServer.WatchEventsPerSec }},
}

// CapacityMetrics are the metrics [All] also charts against the swept
// parameter when some point ran with finite apiserver capacity, each only
// when it differs between points.
var CapacityMetrics = []Metric{
	{Key: "request_latency_p99", Name: "request latency p99", Seconds: true, Log: true,
		Note:  " Request latency runs from a kubelet's request to its response, every verb: the client's throttling, waiting in priority and fairness's queues, service and retries.",
		Value: func(m *results.Metrics) float64 { return m.APIServer.RequestLatency.P99 }},
	{Key: "rejected_per_sec", Name: "429 responses", Unit: "req/s", Value: func(m *results.Metrics) float64 { return m.APIServer.RejectedPerSec }},
	{Key: "seats_in_use_peak", Name: "peak seats in use",
		Note:  " Seats of the kubelets' priority level in use at once, summed over apiserver replicas.",
		Value: func(m *results.Metrics) float64 { return m.APIServer.SeatsInUsePeak }},
}

// capacityRun reports whether some point ran with finite apiserver
// capacity: some seat was in use.
func capacityRun(points []results.Point) bool {
	for i := range points {
		if points[i].APIServer.SeatsInUsePeak > 0 {
			return true
		}
	}
	return false
}

// varies reports whether metric m takes two finite values over points.
func varies(m Metric, points []results.Point) bool {
	return varying(len(points), func(i int) float64 { return m.Value(&points[i].Metrics) })
}

// RequestsPerSec is the total rate of kubelet requests to the apiserver for
// ConfigMaps and Secrets: GET + LIST + WATCH.
func RequestsPerSec(m *results.Metrics) float64 {
	return m.APIServer.GetPerSec + m.APIServer.ListPerSec + m.APIServer.WatchRequestsPerSec
}

// ErrNoSweep is returned by [MetricSweep] when no parameter differs between
// the points.
var ErrNoSweep = errors.New("plots: no parameter differs between the points")

// Sweep describes how points spread over the swept parameters.
type Sweep struct {
	X      string // parameter on the x axis
	Groups []string
	// Numeric is true when every X value is a number or a duration; then
	// XDuration tells which.
	Numeric, XDuration bool
}

// SweepOf picks the x parameter among those that vary: a numeric one other
// than the strategy if any, else the first non-strategy one, else the
// strategy. The other varying parameters make the groups (one line each).
func SweepOf(points []results.Point) (Sweep, bool) {
	keys := VaryingParams(points)
	if len(keys) == 0 {
		return Sweep{}, false
	}
	numeric := func(k string) (bool, bool) {
		if strings.HasSuffix(k, ".version") {
			return false, false // a Kubernetes release: 1.30 is not 1.3
		}
		dur := false
		for _, pt := range points {
			_, d, ok := paramNumber(pt.Params[k])
			if !ok {
				return false, false
			}
			dur = dur || d
		}
		return true, dur
	}
	var s Sweep
	for _, k := range keys {
		if k == StrategyParam {
			continue
		}
		if n, d := numeric(k); n {
			s = Sweep{X: k, Numeric: true, XDuration: d}
			break
		}
	}
	if s.X == "" {
		for _, k := range keys {
			if k != StrategyParam {
				s.X = k
				break
			}
		}
	}
	if s.X == "" {
		s.X = StrategyParam
	}
	for _, k := range keys {
		if k != s.X {
			s.Groups = append(s.Groups, k)
		}
	}
	return s, true
}

// sweepPoint is one point placed on a sweep chart.
type sweepPoint struct {
	x, y, ci float64
	label    string
	idx      int
}

// MetricSweep draws metric m of every point against the swept parameter (see
// [SweepOf]), one line per group (per value of the other swept parameters),
// with 95% confidence error bars when the points carry them. A non-numeric
// parameter is drawn as categories. With m.Log, values spanning two decades
// are drawn on a log axis. Points where the metric is undefined
// (NaN, or a latency with no observed pair) are skipped.
func MetricSweep(title string, m Metric, points []results.Point) (*plot.Plot, error) {
	sw, ok := SweepOf(points)
	if !ok {
		return nil, ErrNoSweep
	}
	xName := ParamName(sw.X)
	if sw.XDuration {
		xName += " (s)"
	}
	yName := m.Name
	if m.Unit != "" {
		yName += " (" + m.Unit + ")"
	}
	p := newPlot(title, xName, yName)
	if m.Seconds {
		p.Y.Tick.Marker = TimeTicks{}
	}
	// Categories keep the order of first appearance.
	var cats []string
	catIndex := map[string]int{}
	groupIndex := map[string]int{}
	var groups []string
	var groupStrategy []string
	var byGroup [][]sweepPoint
	anyCI := false
	for i := range points {
		pt := &points[i]
		v := pt.Params[sw.X]
		if _, ok := catIndex[v]; !ok {
			catIndex[v] = len(cats)
			cats = append(cats, v)
		}
		g := paramLabel(pt.Params, sw.Groups)
		gi, ok := groupIndex[g]
		if !ok {
			gi = len(groups)
			groupIndex[g] = gi
			groups = append(groups, g)
			groupStrategy = append(groupStrategy, groupStrat(pt, sw))
			byGroup = append(byGroup, nil)
		}
		y := m.Value(&pt.Metrics)
		if !finite(y) || (m.Latency && pt.LatencySeconds.Count == 0) {
			continue
		}
		x := float64(catIndex[v])
		if sw.Numeric {
			x, _, _ = paramNumber(v)
		}
		sp := sweepPoint{x: x, y: y, idx: i}
		if pt.CI95 != nil {
			if ci := m.Value(pt.CI95); finite(ci) {
				sp.ci = ci
				anyCI = anyCI || ci > 0
			}
		}
		byGroup[gi] = append(byGroup[gi], sp)
	}
	// A log axis leaves out the points it cannot show.
	lo, hi := math.Inf(1), 0.0
	for _, sps := range byGroup {
		for _, sp := range sps {
			if sp.y > 0 {
				lo, hi = math.Min(lo, sp.y), math.Max(hi, sp.y)
			}
		}
	}
	logY := m.Log && spansDecades(lo, hi)
	if logY {
		for gi, sps := range byGroup {
			byGroup[gi] = slices.DeleteFunc(sps, func(sp sweepPoint) bool { return sp.y <= 0 })
		}
		lo = math.Pow(10, math.Floor(math.Log10(lo)))
	}
	styles := seriesStyles(groupStrategy)
	glyphs := seriesGlyphs(groupStrategy)
	any := false
	ymax := 0.0
	for gi, sps := range byGroup {
		if len(sps) == 0 {
			continue
		}
		any = true
		slices.SortStableFunc(sps, func(a, b sweepPoint) int {
			switch {
			case a.x < b.x:
				return -1
			case a.x > b.x:
				return 1
			}
			return 0
		})
		xys := make(plotter.XYs, len(sps))
		errs := make(plotter.YErrors, len(sps))
		for k, sp := range sps {
			xys[k] = plotter.XY{X: sp.x, Y: sp.y}
			errs[k].Low, errs[k].High = sp.ci, sp.ci
			ymax = math.Max(ymax, sp.y+sp.ci)
			if logY {
				// The axis carries log10 of the values.
				y := math.Log10(sp.y)
				xys[k].Y = y
				errs[k].Low, errs[k].High = y-math.Log10(math.Max(sp.y-sp.ci, lo)), math.Log10(sp.y+sp.ci)-y
			}
		}
		line, pts, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, err
		}
		line.LineStyle = styles[gi]
		pts.GlyphStyle = draw.GlyphStyle{Color: styles[gi].Color, Radius: vg.Points(2.5), Shape: glyphs[gi]}
		thumbs := []plot.Thumbnailer{line, pts}
		if m.PointsOnly {
			thumbs = thumbs[1:]
			p.Add(pts)
		} else {
			p.Add(line, pts)
		}
		if anyCI {
			eb, err := plotter.NewYErrorBars(struct {
				plotter.XYs
				plotter.YErrors
			}{xys, errs})
			if err != nil {
				return nil, err
			}
			eb.LineStyle.Color = styles[gi].Color
			eb.LineStyle.Width = vg.Points(1)
			p.Add(eb)
		}
		name := groups[gi]
		if name == "" {
			name = m.Name
		}
		p.Legend.Add(name, thumbs...)
	}
	if !any {
		return withNote(p, NoSamples), nil
	}
	if len(groups) == 1 && groups[0] == "" {
		p.Legend = plot.NewLegend() // a single unnamed line needs no legend
		p.Legend.TextStyle.Font = fontOf(legendSize)
	}
	p.Y.Min = 0
	p.Y.Max = math.Max(ymax, 1e-9) * (1.08 + 0.06*float64(len(groups)))
	if ymax == 0 {
		p.Y.Max = 1
	}
	if logY {
		// The legend's room is a share of the decades drawn.
		lo, hi := math.Log10(lo), math.Log10(ymax)
		p.Y.Min, p.Y.Max = lo, hi+(hi-lo)*(0.08+0.06*float64(len(groups)))
		p.Y.Tick.Marker = logTicks{seconds: m.Seconds}
	}
	p.Legend.Top = true
	p.Legend.XOffs, p.Legend.YOffs = -vg.Points(4), -vg.Points(2)
	if !sw.Numeric {
		ticks := make(plot.ConstantTicks, len(cats))
		for i, c := range cats {
			ticks[i] = plot.Tick{Value: float64(i), Label: c}
		}
		p.X.Tick.Marker = ticks
		p.X.Min, p.X.Max = -0.5, float64(len(cats))-0.5
	} else {
		p.X.Padding = vg.Points(8)
		if logWorthy(points, sw.X) {
			p.X.Scale = plot.LogScale{}
			p.X.Tick.Marker = plot.LogTicks{Prec: -1}
		}
	}
	return p, nil
}

// groupStrat returns the strategy that colours a point's group, or "" when
// the strategy is not what tells groups apart.
func groupStrat(pt *results.Point, sw Sweep) string {
	if slices.Contains(sw.Groups, StrategyParam) {
		return Strategy(pt)
	}
	return ""
}

// logWorthy reports whether numeric parameter k spans two decades or more,
// all positive.
func logWorthy(points []results.Point, k string) bool {
	lo, hi := math.Inf(1), 0.0
	for _, pt := range points {
		x, _, _ := paramNumber(pt.Params[k])
		if x <= 0 {
			return false
		}
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	return hi/lo >= 100
}
