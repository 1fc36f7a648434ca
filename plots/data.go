package plots

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"cmsim/results"
)

// Series is one labelled set of latency samples, in seconds, binned (see
// [results.LatencyHistogram]).
type Series struct {
	Label    string
	Strategy string // Get, Cache, Watch or "" (then the series takes Palette)
	Latency  results.LatencyHistogram
}

// UpdateSpread is the spread of consumer latencies of one update (or of the
// updates of one time bin).
type UpdateSpread = results.UpdateSpread

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
const MaxSpreadUpdates = results.MaxSpreadUpdates

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

// LatencySeries returns one Series per point of s with the latencies of
// its digest (lat[i] is point i's; missing digests are empty series).
func LatencySeries(s *results.Summary, lat []results.LatencyDigest) []Series {
	labels := PointLabels(s)
	out := make([]Series, len(s.Points))
	for i := range s.Points {
		out[i] = Series{Label: labels[i], Strategy: Strategy(&s.Points[i])}
		if i < len(lat) {
			out[i].Latency = lat[i].Latency
		}
	}
	return out
}

// SpreadSeriesOf returns, for each point of s, the latency spread of every
// update of replication 0, from the points' digests (lat[i] is point i's).
// Updates nobody observed are left out. When a point has more than
// [MaxSpreadUpdates] updates, every point's are pooled into bins of the
// same width: the narrowest of [results.SpreadBinSeconds] that covers the
// latest write of any point in at most 60 bins.
func SpreadSeriesOf(s *results.Summary, lat []results.LatencyDigest) []SpreadSeries {
	labels := PointLabels(s)
	var most int
	var span float64
	for i := range min(len(s.Points), len(lat)) {
		if sd := &lat[i].Spread; sd.Updates > 0 {
			most = max(most, sd.Updates)
			span = max(span, sd.SpanSeconds)
		}
	}
	bin := 0.0
	if most > MaxSpreadUpdates {
		bin = results.SpreadBinWidth(span)
	}
	out := make([]SpreadSeries, len(s.Points))
	for i := range s.Points {
		out[i] = SpreadSeries{Label: labels[i], Strategy: Strategy(&s.Points[i]), BinSeconds: bin}
		if i >= len(lat) {
			continue
		}
		if bin == 0 {
			out[i].Updates = lat[i].Spread.ByUpdate
		} else {
			out[i].Updates = lat[i].Spread.PooledBy(bin)
		}
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
