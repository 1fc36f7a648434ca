package plots

import (
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"cmsim/results"
)

// Parameter paths that size the kubelets' priority level.
const (
	SeatsParam    = "cluster.apiserver.capacity.seats"
	ReplicasParam = "cluster.apiserver.replicas"
)

// The saturation panels of the apiserver-load page, drawn when the run had
// finite apiserver capacity. Their max lines are thin, light and solid:
// dashes break up on the steps of noisy buckets.
var (
	maxStyle   = &draw.LineStyle{Color: color.Gray{Y: 0x90}, Width: vg.Points(0.9)}
	seatsPanel = loadPanel{ylabel: "seats in use", rowLegend: true, series: []loadSeries{
		{name: "mean", value: func(r *results.LoadRow) float64 { return r.SeatsInUseMean }},
		{name: "max", value: func(r *results.LoadRow) float64 { return r.SeatsInUseMax }, style: maxStyle},
	}}
	waitingPanel = loadPanel{ylabel: "requests waiting", rowLegend: true, series: []loadSeries{
		{name: "mean", value: func(r *results.LoadRow) float64 { return r.QueuedMean }},
		{name: "max", value: func(r *results.LoadRow) float64 { return r.QueuedMax }, style: maxStyle},
	}}
	latencyPanel = loadPanel{ylabel: "request latency", rowLegend: true, seconds: true, series: []loadSeries{
		{name: "mean", value: func(r *results.LoadRow) float64 { return r.RequestLatencyMean }},
		{name: "max", value: func(r *results.LoadRow) float64 { return r.RequestLatencyMax }, style: maxStyle},
	}}
	all429  = loadSeries{name: "all 429", value: func(r *results.LoadRow) float64 { return r.Rejected429PerSec }, style: &draw.LineStyle{Color: Palette[3], Width: vg.Points(0.9)}}
	apf429  = loadSeries{name: "APF 429", value: func(r *results.LoadRow) float64 { return r.RejectedAPFPerSec }, style: &draw.LineStyle{Color: ColorGet}}
	retries = loadSeries{name: "retries", value: func(r *results.LoadRow) float64 { return r.RetriesPerSec }, style: &draw.LineStyle{Color: ColorCache, Width: vg.Points(0.7)}}
	// rejectPanel draws priority and fairness's 429s over all 429s, and the
	// client's retries of them; see rejectSeries.
	rejectPanel = loadPanel{ylabel: "429s and retries/s", rowLegend: true}
)

// rejectSeries returns the 429 panel's series: all 429s, those of priority
// and fairness and the retries; when every 429 was priority and fairness's,
// one line stands for both, and without any a line named "429".
func rejectSeries(rs []results.LoadRow) []loadSeries {
	for i := range rs {
		if rs[i].Rejected429PerSec != rs[i].RejectedAPFPerSec {
			return []loadSeries{all429, apf429, retries}
		}
	}
	only := apf429
	only.name = "429, all APF"
	if !anyNonZero(rs, apf429.value) {
		only.name = "429"
	}
	return []loadSeries{only, retries}
}

// hasCapacity reports whether the rows come from a run with finite
// apiserver capacity: some seat was ever in use.
func hasCapacity(rs []results.LoadRow) bool {
	return anyNonZero(rs, func(r *results.LoadRow) float64 { return math.Max(r.SeatsInUseMax, r.SeatsInUseMean) })
}

// SeatLimit returns the seats of the kubelets' priority level over every
// apiserver replica, as the seats-in-use panel counts them, when the
// point's parameters give them (a sweep or search over
// cluster.apiserver.capacity.seats); else 0. The replicas are the
// point's cluster.apiserver.replicas parameter, or else those its load
// rows split open watches over (none: one); without either, 0.
func SeatLimit(pt *results.Point, rows []results.LoadRow) float64 {
	if pt.APIServer.SeatsLimit > 0 {
		return pt.APIServer.SeatsLimit
	}
	seats, err := strconv.Atoi(pt.Params[SeatsParam])
	if err != nil || seats <= 0 {
		return 0
	}
	replicas := max(1, replicaCount(rows))
	if v, ok := pt.Params[ReplicasParam]; ok {
		if replicas, err = strconv.Atoi(v); err != nil || replicas <= 0 {
			return 0
		}
	} else if len(rows) == 0 {
		return 0
	}
	return float64(seats * replicas)
}

// limitName labels the seat-limit line.
func limitName(limit float64) string {
	if limit == 1 {
		return "limit: 1 seat"
	}
	return "limit: " + FormatRate(limit) + " seats"
}

// limitStyle is the look of the seat-limit line: wide and light, drawn
// under the data.
var limitStyle = draw.LineStyle{Color: color.NRGBA{R: 0x33, G: 0x33, B: 0x33, A: 0x50}, Width: vg.Points(3.5)}

// spansDecades reports whether positive values from lo to hi span two
// decades or more, so that a log axis reads better.
func spansDecades(lo, hi float64) bool {
	return lo > 0 && finite(lo) && finite(hi) && hi/lo >= 100
}

// SecondsTicks marks a linear axis of durations in seconds: milliseconds
// below a second ("250 ms"), else as [TimeTicks].
type SecondsTicks struct{}

var _ plot.Ticker = SecondsTicks{}

// Ticks implements plot.Ticker.
func (SecondsTicks) Ticks(min, max float64) []plot.Tick {
	if max >= 1 {
		return TimeTicks{}.Ticks(min, max)
	}
	ticks := NumberTicks{}.Ticks(min, max)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = secondsLabel(ticks[i].Value)
		}
	}
	return ticks
}

// logTicks marks a linear axis that carries log10 of the values (gonum's
// log scale centres the axis label on the arithmetic middle, far off the
// axis): the decades labelled ("1 ms", "10 s" in seconds, else "0.1",
// "1,000"), their 2..9 multiples unlabelled.
type logTicks struct{ seconds bool }

func (t logTicks) Ticks(min, max float64) []plot.Tick {
	if !finite(min) || !finite(max) || max <= min {
		return nil
	}
	var ticks []plot.Tick
	for e := math.Floor(min); e <= max; e++ {
		for k := 1; k <= 9; k++ {
			v := e + math.Log10(float64(k))
			if v < min-1e-9 || v > max+1e-9 {
				continue
			}
			tk := plot.Tick{Value: v}
			if k == 1 {
				x := roundStep(math.Pow(10, e))
				if t.seconds {
					tk.Label = secondsLabel(x)
				} else {
					tk.Label = numberLabel(x)
				}
			}
			ticks = append(ticks, tk)
		}
	}
	return ticks
}

// secondsLabel labels a tick in seconds: "0", "5 ms", "0.5 ms", "2 s",
// "1,000 s".
func secondsLabel(v float64) string {
	switch {
	case v == 0:
		return "0"
	case math.Abs(v) < 1:
		return strconv.FormatFloat(roundStep(v*1000), 'f', -1, 64) + " ms"
	}
	return numberLabel(roundStep(v)) + " s"
}
