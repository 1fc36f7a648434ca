package plots

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"cmsim/results"
)

// Series is one labelled set of latency samples, in seconds.
type Series struct {
	Label    string
	Strategy string // Get, Cache, Watch or "" (then the series takes Palette)
	Values   []float64
}

// UpdateSpread is the spread of consumer latencies of one update.
type UpdateSpread struct {
	Update           int
	WrittenAt        float64 // seconds since the start of the run
	Min, Median, Max float64 // latency, seconds
	Consumers        int     // observed (update, consumer) pairs
}

// SpreadSeries is the per-update latency spread of one point.
type SpreadSeries struct {
	Label    string
	Strategy string
	Updates  []UpdateSpread
	// BinSeconds is 0 when each entry is one update; otherwise each entry
	// pools the updates written in one bin of this width, and WrittenAt is
	// the bin's middle.
	BinSeconds float64
}

// MaxSpreadUpdates is the most updates the spread chart draws one by one;
// beyond it, updates are pooled into at most 60 time bins.
const MaxSpreadUpdates = 120

// spreadBins are the bin widths the spread chart may pool updates into.
var spreadBins = []float64{10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400}

// Strategy returns a point's change-detection strategy, or "".
func Strategy(pt *results.Point) string { return pt.Params[StrategyParam] }

// VaryingParams returns, sorted, the parameter paths whose values differ
// between points (a missing parameter counts as the empty value).
func VaryingParams(points []results.Point) []string {
	keys := map[string]bool{}
	for _, pt := range points {
		for k := range pt.Params {
			keys[k] = true
		}
	}
	var out []string
	for k := range keys {
		for _, pt := range points[1:] {
			if pt.Params[k] != points[0].Params[k] {
				out = append(out, k)
				break
			}
		}
	}
	slices.Sort(out)
	return out
}

// ParamName returns the short name of a parameter path: its last segment.
func ParamName(key string) string {
	if i := strings.LastIndexByte(key, '.'); i >= 0 {
		return key[i+1:]
	}
	return key
}

// PointLabels returns one short label per point, made of the parameters that
// differ between points ("Watch, nodes=100"; a strategy shows as its bare
// name). With a single point, or when no parameter differs, the labels are the
// scenario name (numbered when there are several points).
func PointLabels(s *results.Summary) []string {
	out := make([]string, len(s.Points))
	keys := LabelParams(s)
	for i := range s.Points {
		switch {
		case len(keys) > 0:
			out[i] = paramLabel(s.Points[i].Params, keys)
		case len(s.Points) == 1:
			out[i] = s.Scenario
		default:
			out[i] = fmt.Sprintf("%s #%d", s.Scenario, i)
		}
	}
	return out
}

func paramLabel(params map[string]string, keys []string) string {
	parts := make([]string, 0, len(keys))
	// The strategy reads best first.
	for _, k := range keys {
		if k == StrategyParam {
			parts = append(parts, params[k])
		}
	}
	for _, k := range keys {
		if k != StrategyParam {
			parts = append(parts, ParamName(k)+"="+params[k])
		}
	}
	return strings.Join(parts, ", ")
}

// LatencySeries returns one Series per point of s with the finite latencies of
// rows, every replication pooled. Rows whose Point is not in s are ignored.
func LatencySeries(s *results.Summary, rows []results.LatencyRow) []Series {
	labels := PointLabels(s)
	out := make([]Series, len(s.Points))
	for i := range s.Points {
		out[i] = Series{Label: labels[i], Strategy: Strategy(&s.Points[i])}
	}
	for i := range rows {
		r := &rows[i]
		if r.Point < 0 || r.Point >= len(out) || !finite(r.LatencySeconds) {
			continue
		}
		out[r.Point].Values = append(out[r.Point].Values, r.LatencySeconds)
	}
	return out
}

// SpreadSeriesOf returns, for each point of s, the latency spread of every
// update of the given replication. Updates nobody observed are left out.
func SpreadSeriesOf(s *results.Summary, rows []results.LatencyRow, replication int) []SpreadSeries {
	labels := PointLabels(s)
	type key struct{ point, update int }
	byUpdate := map[key][]float64{}
	written := map[key]float64{}
	var span float64
	for i := range rows {
		r := &rows[i]
		if r.Replication != replication || r.Point < 0 || r.Point >= len(s.Points) {
			continue
		}
		if !finite(r.LatencySeconds) || !finite(r.WrittenAtSeconds) {
			continue
		}
		k := key{r.Point, r.Update}
		byUpdate[k] = append(byUpdate[k], r.LatencySeconds)
		written[k] = r.WrittenAtSeconds
		span = math.Max(span, r.WrittenAtSeconds)
	}
	perPoint := make([]int, len(s.Points))
	for k := range byUpdate {
		perPoint[k.point]++
	}
	bin := 0.0
	if slices.Max(append(perPoint, 0)) > MaxSpreadUpdates {
		bin = spreadBins[len(spreadBins)-1]
		for _, w := range spreadBins {
			if span/w <= 60 {
				bin = w
				break
			}
		}
		// Pool the updates of each bin.
		pooled := map[key][]float64{}
		for k, v := range byUpdate {
			b := key{k.point, int(written[k] / bin)}
			pooled[b] = append(pooled[b], v...)
		}
		byUpdate = pooled
		written = map[key]float64{}
		for k := range byUpdate {
			written[k] = (float64(k.update) + 0.5) * bin
		}
	}
	out := make([]SpreadSeries, len(s.Points))
	for i := range s.Points {
		out[i] = SpreadSeries{Label: labels[i], Strategy: Strategy(&s.Points[i]), BinSeconds: bin}
	}
	for k, v := range byUpdate {
		slices.Sort(v)
		out[k.point].Updates = append(out[k.point].Updates, UpdateSpread{
			Update:    k.update,
			WrittenAt: written[k],
			Min:       v[0],
			Median:    quantile(v, 0.5),
			Max:       v[len(v)-1],
			Consumers: len(v),
		})
	}
	for i := range out {
		slices.SortFunc(out[i].Updates, func(a, b UpdateSpread) int {
			return cmp.Or(cmp.Compare(a.WrittenAt, b.WrittenAt), cmp.Compare(a.Update, b.Update))
		})
	}
	return out
}

// LoadOf returns the rows of one point and replication, sorted by time.
func LoadOf(rows []results.LoadRow, point, replication int) []results.LoadRow {
	var out []results.LoadRow
	for _, r := range rows {
		if r.Point == point && r.Replication == replication {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b results.LoadRow) int { return cmp.Compare(a.StartSeconds, b.StartSeconds) })
	return out
}

// quantile returns the nearest-rank q-quantile of sorted, non-empty v.
func quantile(v []float64, q float64) float64 {
	i := int(math.Ceil(q*float64(len(v)))) - 1
	return v[max(0, min(i, len(v)-1))]
}

// finiteSorted returns the finite values of v, sorted, in a new slice.
func finiteSorted(v []float64) []float64 {
	out := make([]float64, 0, len(v))
	for _, x := range v {
		if finite(x) {
			out = append(out, x)
		}
	}
	slices.Sort(out)
	return out
}

// paramNumber parses a parameter value as a number; durations ("60s") are
// read as seconds.
func paramNumber(v string) (x float64, isDuration, ok bool) {
	if f, err := strconv.ParseFloat(v, 64); err == nil && finite(f) {
		return f, false, true
	}
	if d, err := time.ParseDuration(v); err == nil {
		return d.Seconds(), true, true
	}
	return 0, false, false
}
