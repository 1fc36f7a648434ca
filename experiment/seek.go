package experiment

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"cmsim/results"
	"cmsim/scenarios"
)

// Objective is a condition on one metric, such as latency.p99 <= 30s.
type Objective struct {
	Metric    string  // e.g. "latency.p99", "apiserver.get_per_sec"
	Op        string  // <=, <, >= or >
	Threshold float64 // in the metric's unit (seconds for latency)
	Text      string  // the objective as given
}

// metricGroups maps a metric name's prefix to the JSON key of its group in
// results.Metrics.
var metricGroups = map[string]string{
	"latency":   "latency_seconds",
	"never":     "never_updated",
	"apiserver": "apiserver",
	"kubelet":   "kubelet",
}

// MetricNames lists every metric an objective may name: a group's number,
// or a number nested in it ("apiserver.request_latency.p99").
func MetricNames() []string {
	var out []string
	t := reflect.TypeOf(results.Metrics{})
	for prefix, group := range metricGroups {
		for i := 0; i < t.NumField(); i++ {
			if g := t.Field(i); jsonName(g) == group {
				out = appendNames(out, prefix, g.Type)
			}
		}
	}
	sort.Strings(out)
	return out
}

// appendNames adds the dotted names of every float field of struct type t.
func appendNames(out []string, prefix string, t reflect.Type) []string {
	for k := 0; k < t.NumField(); k++ {
		f := t.Field(k)
		switch f.Type.Kind() {
		case reflect.Float64:
			out = append(out, prefix+"."+jsonName(f))
		case reflect.Struct:
			out = appendNames(out, prefix+"."+jsonName(f), f.Type)
		}
	}
	return out
}

func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	return name
}

// MetricValue returns the metric called name ("latency.p99",
// "apiserver.get_per_sec", "apiserver.request_latency.GET.p99", ...) of m.
func MetricValue(m *results.Metrics, name string) (float64, bool) {
	prefix, rest, ok := strings.Cut(name, ".")
	group, known := metricGroups[prefix]
	if !ok || !known {
		return 0, false
	}
	v := reflect.ValueOf(m).Elem()
	path := append([]string{group}, strings.Split(rest, ".")...)
	for _, key := range path {
		if v.Kind() != reflect.Struct {
			return 0, false
		}
		found := false
		for k := 0; k < v.NumField(); k++ {
			if jsonName(v.Type().Field(k)) == key {
				v, found = v.Field(k), true
				break
			}
		}
		if !found {
			return 0, false
		}
	}
	if v.Kind() != reflect.Float64 {
		return 0, false
	}
	return v.Float(), true
}

// IsLatency reports whether the metric is a latency in seconds.
func IsLatency(name string) bool {
	if strings.HasPrefix(name, "apiserver.request_latency.") {
		return !strings.HasSuffix(name, ".count")
	}
	return strings.HasPrefix(name, "latency.") && name != "latency.count"
}

// ParseObjective parses "METRIC OP VALUE", e.g. "latency.p99<=30s" or
// "apiserver.get_per_sec <= 500". A latency threshold may be a duration
// (30s, 1m) or a number of seconds.
func ParseObjective(s string) (Objective, error) {
	t := strings.ReplaceAll(s, " ", "")
	for _, op := range []string{"<=", ">=", "<", ">"} {
		name, val, ok := strings.Cut(t, op)
		if !ok {
			continue
		}
		if _, known := MetricValue(&results.Metrics{}, name); !known {
			return Objective{}, fmt.Errorf("objective %q: unknown metric %q; metrics are %s", s, name, strings.Join(MetricNames(), ", "))
		}
		o := Objective{Metric: name, Op: op, Text: name + " " + op + " " + val}
		x, err := strconv.ParseFloat(val, 64)
		if err != nil && IsLatency(name) {
			var d time.Duration
			if d, err = time.ParseDuration(val); err == nil {
				x = d.Seconds()
			}
		}
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			unit := "a number"
			if IsLatency(name) {
				unit = "a duration such as 30s, or a number of seconds"
			}
			return Objective{}, fmt.Errorf("objective %q: threshold %q is not %s", s, val, unit)
		}
		o.Threshold = x
		return o, nil
	}
	return Objective{}, fmt.Errorf("objective %q: want METRIC<=VALUE, <, >= or >, e.g. latency.p99<=30s", s)
}

// Upper reports whether the objective bounds the metric from above.
func (o Objective) Upper() bool { return o.Op[0] == '<' }

// Judge decides whether a measurement meets the objective with 95%
// confidence: for an upper bound, mean + ci95 must meet the threshold (for
// a lower bound, mean - ci95). It returns the bound it compared.
func (o Objective) Judge(mean, ci float64) (bound float64, meets bool) {
	if o.Upper() {
		bound = mean + ci
	} else {
		bound = mean - ci
	}
	switch o.Op {
	case "<=":
		meets = bound <= o.Threshold
	case "<":
		meets = bound < o.Threshold
	case ">=":
		meets = bound >= o.Threshold
	case ">":
		meets = bound > o.Threshold
	}
	return bound, meets && !math.IsNaN(bound)
}

// Search is a goal-seeking problem: the largest (or smallest) value of one
// parameter in [Min, Max] that meets Objective.
type Search struct {
	Param      string // dotted scenario path, as --set
	Duration   bool   // the parameter is a duration (values in ns), else an integer
	Min, Max   int64
	Resolution int64 // > 0: the answer is within Resolution of the boundary
	Largest    bool  // find the largest value that meets the objective, else the smallest
	Objective  Objective
}

// Format renders a parameter value as the scenario accepts it.
func (s *Search) Format(x int64) string {
	if s.Duration {
		return scenarios.FormatDuration(time.Duration(x))
	}
	return strconv.FormatInt(x, 10)
}

// Measurement is the outcome of running the scenario at one value.
type Measurement struct {
	Metrics results.Metrics  // means over replications
	CI95    *results.Metrics // nil with one replication
	Runs    int
	Events  uint64
}

// Evaluation is one value the search ran.
type Evaluation struct {
	Value string  `json:"value"`
	X     float64 `json:"x"` // the value as a number: seconds for a duration
	Mean  float64 `json:"mean"`
	CI95  float64 `json:"ci95"`
	// Bound is the value compared with the threshold: mean + ci95 for an
	// upper-bound objective, mean - ci95 for a lower one.
	Bound   float64 `json:"bound"`
	Meets   bool    `json:"meets"`
	Verdict string  `json:"verdict"` // "meets", "fails" or "undefined" (no latency observed)
	Runs    int     `json:"runs"`

	x       int64
	metrics Measurement
}

// Point returns the evaluation as a summary point labelled with the
// parameter, for charts.
func (e *Evaluation) Point(param string) results.Point {
	return results.Point{Params: map[string]string{param: e.Value}, Metrics: e.metrics.Metrics, CI95: e.metrics.CI95, Replications: e.Runs}
}

// Outcome is the result of a search.
type Outcome struct {
	Found  bool   `json:"found"`
	Answer string `json:"answer,omitempty"`
	// Evaluations are in the order the search ran them.
	Evaluations []Evaluation `json:"evaluations"`
	// Monotone is false when the evaluations contradict the assumption that
	// the objective holds on one side of a single boundary.
	Monotone bool `json:"monotone"`
}

// Sorted returns the evaluations ordered by value.
func (o *Outcome) Sorted() []Evaluation {
	out := append([]Evaluation(nil), o.Evaluations...)
	sort.Slice(out, func(i, j int) bool { return out[i].x < out[j].x })
	return out
}

// Seek bisects the parameter over [Min, Max] on the grid Min + k*Resolution
// (plus Max): it runs both ends, then halves the interval between a value
// that meets the objective and one that does not until they are one step
// apart. It assumes the objective holds on one side of a single boundary
// (for Largest: on [Min, boundary]); the Outcome says when the evaluations
// contradict that. eval runs the scenario at a value.
func Seek(ctx context.Context, s Search, eval func(ctx context.Context, value string) (Measurement, error)) (*Outcome, error) {
	if s.Resolution <= 0 || s.Min > s.Max {
		return nil, fmt.Errorf("seek: need min <= max and resolution > 0")
	}
	steps := (s.Max - s.Min) / s.Resolution
	if s.Min+steps*s.Resolution < s.Max {
		steps++ // the last grid value is Max itself
	}
	at := func(k int64) int64 {
		if k >= steps {
			return s.Max
		}
		return s.Min + k*s.Resolution
	}
	out := &Outcome{Monotone: true}
	cache := map[int64]bool{}
	judge := func(k int64) (bool, error) {
		x := at(k)
		if meets, ok := cache[x]; ok {
			return meets, nil
		}
		v := s.Format(x)
		m, err := eval(ctx, v)
		if err != nil {
			return false, err
		}
		e := Evaluation{Value: v, x: x, metrics: m, Runs: m.Runs}
		e.X = float64(x)
		if s.Duration {
			e.X = time.Duration(x).Seconds()
		}
		e.Mean, _ = MetricValue(&m.Metrics, s.Objective.Metric)
		if m.CI95 != nil {
			e.CI95, _ = MetricValue(m.CI95, s.Objective.Metric)
		}
		if strings.HasPrefix(s.Objective.Metric, "latency.") && m.Metrics.LatencySeconds.Count == 0 {
			e.Verdict, e.Bound = "undefined", math.NaN()
		} else {
			e.Bound, e.Meets = s.Objective.Judge(e.Mean, e.CI95)
			e.Verdict = "fails"
			if e.Meets {
				e.Verdict = "meets"
			}
		}
		out.Evaluations = append(out.Evaluations, e)
		cache[x] = e.Meets
		return e.Meets, nil
	}
	// good is the end where the objective should hold.
	good, bad := int64(0), steps
	if !s.Largest {
		good, bad = steps, 0
	}
	okGood, err := judge(good)
	if err != nil {
		return nil, err
	}
	okBad, err := judge(bad)
	if err != nil {
		return nil, err
	}
	switch {
	case !okGood:
		out.Monotone = !okBad
		return out, nil // nothing meets the objective (at least at the good end)
	case okBad:
		out.Found, out.Answer = true, s.Format(at(bad))
	default:
		for good-bad > 1 || bad-good > 1 {
			mid := (good + bad) / 2
			ok, err := judge(mid)
			if err != nil {
				return nil, err
			}
			if ok {
				good = mid
			} else {
				bad = mid
			}
		}
		out.Found, out.Answer = true, s.Format(at(good))
	}
	// Check the evaluations against a single boundary at the answer.
	ans := at(good)
	if okBad {
		ans = at(bad)
	}
	for _, e := range out.Evaluations {
		onGood := e.x <= ans
		if !s.Largest {
			onGood = e.x >= ans
		}
		if onGood != e.Meets {
			out.Monotone = false
		}
	}
	return out, nil
}
