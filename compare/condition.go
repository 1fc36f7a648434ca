package compare

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Condition is a --fail-if condition on how a metric changed from A to B,
// such as latency.p99>+10%.
type Condition struct {
	Text   string // as given
	Metric string
	Op     string // >, >=, <, <=
	// Kind says what is compared with Threshold: "relative" (the change
	// in percent of A), "change" (B - A) or "value" (B).
	Kind      string
	Threshold float64
}

// Kinds of condition.
const (
	KindRelative = "relative"
	KindChange   = "change"
	KindValue    = "value"
)

// ConditionResult is a condition's outcome: the labels of the matched
// points where it holds.
type ConditionResult struct {
	Condition string   `json:"condition"`
	Holds     bool     `json:"holds"`
	Points    []string `json:"points"`
}

// ConditionGrammar describes the condition syntax, for help texts.
const ConditionGrammar = `METRIC OP THRESHOLD, OP one of >, >=, < and <=, THRESHOLD one of
  +10%, -5%, 10%     the relative change (B - A) / |A| in percent
  +5s, -200, +0.5    the absolute change B - A (signed)
  90s, 1000          B's value itself (unsigned)
Durations (5s, 1m) are seconds; a change from 0 is +Inf% (or -Inf%).`

// ParseCondition parses a condition; known reports whether a metric name
// exists.
func ParseCondition(s string, known func(string) bool) (Condition, error) {
	t := strings.ReplaceAll(s, " ", "")
	for _, op := range []string{">=", "<=", ">", "<"} {
		name, val, ok := strings.Cut(t, op)
		if !ok {
			continue
		}
		if name == "" {
			return Condition{}, fmt.Errorf("--fail-if %q: no metric before %s", s, op)
		}
		if !known(name) {
			return Condition{}, fmt.Errorf("--fail-if %q: no metric %q in either output (names: 'cmsim help diff'; every metric of these outputs: 'cmsim diff A B --all')", s, name)
		}
		c := Condition{Text: name + op + val, Metric: name, Op: op, Kind: KindValue}
		num := val
		if strings.HasSuffix(num, "%") {
			c.Kind, num = KindRelative, strings.TrimSuffix(num, "%")
		} else if strings.HasPrefix(num, "+") || strings.HasPrefix(num, "-") {
			c.Kind = KindChange
		}
		x, err := strconv.ParseFloat(num, 64)
		if err != nil {
			var d time.Duration
			if d, err = time.ParseDuration(strings.TrimPrefix(num, "+")); err == nil && c.Kind != KindRelative {
				x = d.Seconds()
			} else {
				err = fmt.Errorf("bad")
			}
		}
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return Condition{}, fmt.Errorf("--fail-if %q: threshold %q is not a percentage (+10%%), a signed change (+5s, -200) or a value (90s, 1000)", s, val)
		}
		c.Threshold = x
		return c, nil
	}
	return Condition{}, fmt.Errorf("--fail-if %q: want METRIC OP THRESHOLD with OP one of >, >=, <, <=, e.g. 'latency.p99>+10%%'", s)
}

// Holds reports whether the condition holds for one row; a row without both
// values never holds.
func (c Condition) Holds(r Row) bool {
	a, b := float64(r.A), float64(r.B)
	if math.IsNaN(a) || math.IsNaN(b) {
		return false
	}
	var x float64
	switch c.Kind {
	case KindRelative:
		switch {
		case a == b:
			x = 0
		case a == 0:
			x = math.Inf(1)
			if b < 0 {
				x = math.Inf(-1)
			}
		default:
			x = 100 * (b - a) / math.Abs(a)
		}
	case KindChange:
		x = b - a
	default:
		x = b
	}
	switch c.Op {
	case ">":
		return x > c.Threshold
	case ">=":
		return x >= c.Threshold
	case "<":
		return x < c.Threshold
	}
	return x <= c.Threshold
}

// Known returns a function that reports whether a metric exists in any
// point of d.
func (d *Diff) Known() func(string) bool {
	names := map[string]bool{}
	for _, p := range d.Points {
		for _, r := range p.Rows {
			names[r.Metric] = true
		}
	}
	return func(n string) bool { return names[n] }
}

// Check evaluates the conditions on every matched point and records the
// results in d.FailIf. With separateOnly, a condition holds at a point
// only when the metric's confidence intervals separate there. It reports
// whether any condition holds.
func (d *Diff) Check(conds []Condition, separateOnly bool) bool {
	any := false
	for _, c := range conds {
		res := ConditionResult{Condition: c.Text, Points: []string{}}
		for _, p := range d.Points {
			i := slices.IndexFunc(p.Rows, func(r Row) bool { return r.Metric == c.Metric })
			if i < 0 || !c.Holds(p.Rows[i]) {
				continue
			}
			if separateOnly && p.Rows[i].Verdict != Separate {
				continue
			}
			res.Points = append(res.Points, p.Label)
		}
		res.Holds = len(res.Points) > 0
		any = any || res.Holds
		d.FailIf = append(d.FailIf, res)
	}
	return any
}
