package compare

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"cmsim/plots"
	"cmsim/results"
)

// Verdicts of a metric's comparison.
const (
	Same     = "same"     // A and B are equal
	Separate = "separate" // the 95% confidence intervals do not overlap
	Overlap  = "overlap"  // they overlap: the difference may be noise
	NoCI     = "no CI"    // a side has one replication (or no interval for this metric)
	OnlyA    = "only in A"
	OnlyB    = "only in B"
)

// Output is one side of a comparison: an output folder's summary and its
// resolved scenario.
type Output struct {
	Dir          string
	Summary      *results.Summary
	ScenarioYAML []byte
}

// Side describes one output in a Diff.
type Side struct {
	Dir          string `json:"dir"`
	Scenario     string `json:"scenario"`
	Seed         uint64 `json:"seed"`
	Points       int    `json:"points"`
	Replications int    `json:"replications"`
	Incomplete   bool   `json:"incomplete,omitempty"`
}

// Diff is the comparison of output A (the baseline) with output B.
type Diff struct {
	A Side `json:"a"`
	B Side `json:"b"`
	// ScenarioChanges are the resolved scenario's values that differ, in
	// the order of A's scenario.yaml (then B's new keys).
	ScenarioChanges []Change `json:"scenario_changes"`
	// MatchParams are the parameters points are matched by.
	MatchParams []string    `json:"match_params"`
	Points      []PointDiff `json:"points"`
	UnmatchedA  []Unmatched `json:"unmatched_a"`
	UnmatchedB  []Unmatched `json:"unmatched_b"`
	// FailIf holds the --fail-if conditions' results, when there are any.
	FailIf []ConditionResult `json:"fail_if,omitempty"`
}

// Change is one scenario value that differs; an absent value is "".
type Change struct {
	Path string `json:"path"`
	A    string `json:"a"`
	B    string `json:"b"`
}

// PointDiff is the comparison of one matched pair of points.
type PointDiff struct {
	// Label names the point by its MatchParams (A's scenario when there
	// are none).
	Label         string            `json:"label"`
	Params        map[string]string `json:"params"`
	APoint        int               `json:"a_point"`
	BPoint        int               `json:"b_point"`
	ReplicationsA int               `json:"replications_a"`
	ReplicationsB int               `json:"replications_b"`
	Rows          []Row             `json:"metrics"`
}

// Unmatched is a point of one output with no counterpart in the other.
type Unmatched struct {
	Point  int               `json:"point"`
	Label  string            `json:"label"`
	Params map[string]string `json:"params"`
}

// Row is one metric of a matched pair of points. Missing values (a metric
// on one side only, a percentage of zero, an unknown interval) are NaN, and
// null in JSON.
type Row struct {
	Metric   string `json:"metric"`
	A        Num    `json:"a"`
	B        Num    `json:"b"`
	Delta    Num    `json:"delta"`     // B - A
	DeltaPct Num    `json:"delta_pct"` // 100 (B - A) / |A|
	CI95A    Num    `json:"ci95_a"`
	CI95B    Num    `json:"ci95_b"`
	Verdict  string `json:"verdict"`
}

// Zero reports whether the metric is zero (or missing) on both sides.
func (r *Row) Zero() bool {
	return (r.A == 0 || r.A.NaN()) && (r.B == 0 || r.B.NaN())
}

// Num is a number that is written as null in JSON when it is NaN or
// infinite.
type Num float64

// NaN reports whether n is NaN.
func (n Num) NaN() bool { return math.IsNaN(float64(n)) }

// MarshalJSON writes null for NaN and ±Inf.
func (n Num) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(f)
}

// UnmarshalJSON reads null as NaN.
func (n *Num) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = Num(math.NaN())
		return nil
	}
	var f float64
	err := json.Unmarshal(b, &f)
	*n = Num(f)
	return err
}

// Compare compares output b with the baseline a.
func Compare(a, b Output) (*Diff, error) {
	if a.Summary == nil || b.Summary == nil {
		return nil, fmt.Errorf("compare: missing summary")
	}
	yamlA, err := flattenYAML(a.ScenarioYAML)
	if err != nil {
		return nil, fmt.Errorf("%s: scenario.yaml: %v", a.Dir, err)
	}
	yamlB, err := flattenYAML(b.ScenarioYAML)
	if err != nil {
		return nil, fmt.Errorf("%s: scenario.yaml: %v", b.Dir, err)
	}
	d := &Diff{
		A: side(a), B: side(b),
		ScenarioChanges: changes(yamlA, yamlB),
		Points:          []PointDiff{},
		UnmatchedA:      []Unmatched{},
		UnmatchedB:      []Unmatched{},
	}
	keys := plots.VaryingParams(a.Summary.Points)
	for _, k := range plots.VaryingParams(b.Summary.Points) {
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	d.MatchParams = append([]string{}, keys...)
	identity := func(pt *results.Point, yaml map[string]string) map[string]string {
		m := make(map[string]string, len(keys))
		for _, k := range keys {
			v, ok := pt.Params[k]
			if !ok {
				v = yaml[k] // not swept in this output: its scenario's value
			}
			m[k] = v
		}
		return m
	}
	usedB := make([]bool, len(b.Summary.Points))
	for i := range a.Summary.Points {
		pa := &a.Summary.Points[i]
		ida := identity(pa, yamlA.values)
		match := -1
		for j := range b.Summary.Points {
			if !usedB[j] && sameParams(ida, identity(&b.Summary.Points[j], yamlB.values), keys) {
				match = j
				break
			}
		}
		label := plots.ParamLabel(ida, keys)
		if label == "" {
			label = a.Summary.Scenario // one point on each side
		}
		if match < 0 {
			d.UnmatchedA = append(d.UnmatchedA, Unmatched{Point: i, Label: label, Params: ida})
			continue
		}
		usedB[match] = true
		pb := &b.Summary.Points[match]
		rows, err := rowsOf(pa, pb)
		if err != nil {
			return nil, err
		}
		d.Points = append(d.Points, PointDiff{
			Label: label, Params: ida, APoint: i, BPoint: match,
			ReplicationsA: replications(pa), ReplicationsB: replications(pb),
			Rows: rows,
		})
	}
	for j := range b.Summary.Points {
		if !usedB[j] {
			id := identity(&b.Summary.Points[j], yamlB.values)
			d.UnmatchedB = append(d.UnmatchedB, Unmatched{Point: j, Label: plots.ParamLabel(id, keys), Params: id})
		}
	}
	return d, nil
}

func side(o Output) Side {
	s := Side{Dir: o.Dir, Scenario: o.Summary.Scenario, Seed: o.Summary.Seed, Points: len(o.Summary.Points), Incomplete: o.Summary.Incomplete}
	for i := range o.Summary.Points {
		s.Replications = max(s.Replications, replications(&o.Summary.Points[i]))
	}
	return s
}

func replications(pt *results.Point) int { return max(pt.Replications, 1) }

// sameParams compares parameter values as numbers or durations when both
// read as one ("60s" equals "1m0s"), else as text.
func sameParams(a, b map[string]string, keys []string) bool {
	for _, k := range keys {
		if !sameValue(a[k], b[k]) {
			return false
		}
	}
	return true
}

func sameValue(a, b string) bool {
	if a == b {
		return true
	}
	if x, err := strconv.ParseFloat(a, 64); err == nil {
		y, err := strconv.ParseFloat(b, 64)
		return err == nil && x == y
	}
	if x, err := time.ParseDuration(a); err == nil {
		y, err := time.ParseDuration(b)
		return err == nil && x == y
	}
	return false
}

// rowsOf compares every metric of two points, in A's order, then B's
// metrics that A lacks.
func rowsOf(pa, pb *results.Point) ([]Row, error) {
	ma, err := PointMetrics(pa)
	if err != nil {
		return nil, err
	}
	mb, err := PointMetrics(pb)
	if err != nil {
		return nil, err
	}
	ca, err := ciOf(pa)
	if err != nil {
		return nil, err
	}
	cb, err := ciOf(pb)
	if err != nil {
		return nil, err
	}
	bByName := make(map[string]float64, len(mb))
	for _, m := range mb {
		bByName[m.Name] = m.Value
	}
	seen := make(map[string]bool, len(ma))
	nan := math.NaN()
	var rows []Row
	for _, m := range ma {
		seen[m.Name] = true
		vb, ok := bByName[m.Name]
		if !ok {
			vb = nan
		}
		rows = append(rows, newRow(m.Name, m.Value, vb, lookup(ca, m.Name), lookup(cb, m.Name)))
	}
	for _, m := range mb {
		if !seen[m.Name] {
			rows = append(rows, newRow(m.Name, nan, m.Value, nan, lookup(cb, m.Name)))
		}
	}
	return rows, nil
}

func lookup(m map[string]float64, name string) float64 {
	if v, ok := m[name]; ok {
		return v
	}
	return math.NaN()
}

func newRow(name string, a, b, ciA, ciB float64) Row {
	r := Row{Metric: name, A: Num(a), B: Num(b), CI95A: Num(ciA), CI95B: Num(ciB)}
	r.Delta = Num(b - a)
	switch {
	case a == b:
		r.DeltaPct = 0
	case a != 0:
		r.DeltaPct = Num(100 * (b - a) / math.Abs(a))
	default:
		r.DeltaPct = Num(math.NaN())
	}
	switch {
	case math.IsNaN(a):
		r.Verdict = OnlyB
	case math.IsNaN(b):
		r.Verdict = OnlyA
	case a == b:
		r.Verdict = Same
	case math.IsNaN(ciA) || math.IsNaN(ciB):
		r.Verdict = NoCI
	case math.Abs(b-a) > ciA+ciB:
		r.Verdict = Separate
	default:
		r.Verdict = Overlap
	}
	return r
}

// Metric is one number of a point's summary.
type Metric struct {
	Name  string
	Value float64
}

// pointSkip are the keys of a point that are not metrics.
var pointSkip = map[string]bool{"params": true, "replications": true, "ci95": true}

// PointMetrics returns every number of a point's summary.json entry
// (its parameters, replication count and intervals apart), in document
// order, named as the package comment says.
func PointMetrics(pt *results.Point) ([]Metric, error) {
	return flattenJSON(pt, pointSkip)
}

// ciOf returns a point's 95% half-widths by metric name, or nil without
// them.
func ciOf(pt *results.Point) (map[string]float64, error) {
	if pt.CI95 == nil {
		return nil, nil
	}
	ms, err := flattenJSON(pt.CI95, nil)
	if err != nil {
		return nil, err
	}
	out := make(map[string]float64, len(ms))
	for _, m := range ms {
		out[m.Name] = m.Value
	}
	return out, nil
}

// groupAlias shortens group names as 'cmsim plan' names metrics.
var groupAlias = map[string]string{"latency_seconds": "latency", "never_updated": "never"}

// keyFields name an array element when it has one of them (a string).
var keyFields = []string{"name", "workload", "object", "group"}

// flattenJSON marshals v and returns its numbers by dotted path; top-level
// keys in skip are left out.
func flattenJSON(v any, skip map[string]bool) ([]Metric, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out []Metric
	if err := walkJSON(b, "", skip, &out); err != nil {
		return nil, fmt.Errorf("compare: %v", err)
	}
	return out, nil
}

func walkJSON(raw []byte, path string, skip map[string]bool, out *[]Metric) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Number:
		f, err := t.Float64()
		if err != nil {
			return err
		}
		*out = append(*out, Metric{Name: path, Value: f})
	case json.Delim:
		switch t {
		case '{':
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return err
				}
				key := kt.(string)
				var val json.RawMessage
				if err := dec.Decode(&val); err != nil {
					return err
				}
				if skip[key] {
					continue
				}
				if a, ok := groupAlias[key]; ok {
					key = a
				}
				if err := walkJSON(val, join(path, key), nil, out); err != nil {
					return err
				}
			}
		case '[':
			for i := 0; dec.More(); i++ {
				var val json.RawMessage
				if err := dec.Decode(&val); err != nil {
					return err
				}
				if err := walkJSON(val, path+"["+elementKey(val, i)+"]", nil, out); err != nil {
					return err
				}
			}
		}
	}
	return nil // strings, booleans and nulls are not metrics
}

// elementKey names an array element: its name field, or its index.
func elementKey(raw []byte, i int) string {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) == nil {
		for _, f := range keyFields {
			var s string
			if json.Unmarshal(obj[f], &s) == nil && s != "" {
				return s
			}
		}
	}
	return strconv.Itoa(i)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// IsSeconds reports whether a metric is a time in seconds (a latency, a
// recovery, a fault's time), by its name.
func IsSeconds(name string) bool {
	last := name[strings.LastIndexByte(name, '.')+1:]
	if last == "count" || strings.HasSuffix(last, "_total") {
		return false
	}
	return strings.Contains(name, "latency.") || strings.Contains(name, "_seconds")
}

// Format formats a metric's value for tables: four significant digits,
// whole numbers as they are, seconds with "s"; NaN as "-".
func Format(name string, v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	if math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	var s string
	if v == math.Trunc(v) && math.Abs(v) < 1e12 {
		s = strconv.FormatFloat(v, 'f', 0, 64)
	} else {
		s = strconv.FormatFloat(v, 'g', 4, 64)
		if strings.Contains(s, "e") {
			s = strconv.FormatFloat(v, 'e', 3, 64)
		}
	}
	if IsSeconds(name) {
		s += "s"
	}
	return s
}

// FormatDelta formats B - A with its sign.
func FormatDelta(name string, v float64) string {
	s := Format(name, v)
	if v > 0 {
		s = "+" + s
	}
	return s
}

// FormatPct formats a relative change: "+12.3%", "-0.51%", "-" for none.
func FormatPct(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	s := strconv.FormatFloat(v, 'g', 3, 64)
	if strings.Contains(s, "e") {
		s = strconv.FormatFloat(v, 'f', 0, 64)
	}
	if v > 0 {
		s = "+" + s
	}
	return s + "%"
}
