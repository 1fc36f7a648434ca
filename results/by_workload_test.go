package results

import (
	"math"
	"testing"
)

// TestAggregateGroups: groups are averaged over replications as the pooled
// metrics are, so the groups' mean counts still add up to the pooled mean
// count, and a figure that varies gets the same half-width as Aggregate
// gives a pooled figure with the same values.
func TestAggregateGroups(t *testing.T) {
	rep := func(a, b float64) Metrics {
		return Metrics{
			LatencySeconds: Latency{Count: a + b, Mean: 1},
			NeverUpdated:   Never{Env: b},
			ByWorkload: []Group{
				{Name: "a", LatencySeconds: Latency{Count: a, Mean: 1}},
				{Name: "b", LatencySeconds: Latency{Count: b, Mean: 1}, NeverUpdated: Never{Env: b}, SharedObjects: []string{"x"}},
			},
			Derived: Derived{Strategy: "Watch", LatencyBoundSeconds: 91.2},
		}
	}
	reps := []Metrics{rep(10, 3), rep(12, 5), rep(11, 4)}
	mean, ci := Aggregate(reps)
	if len(mean.ByWorkload) != 2 || ci == nil || len(ci.ByWorkload) != 2 {
		t.Fatalf("groups lost: %+v %+v", mean.ByWorkload, ci)
	}
	var sum float64
	for _, g := range mean.ByWorkload {
		sum += g.LatencySeconds.Count
	}
	if math.Abs(sum-mean.LatencySeconds.Count) > 1e-12 {
		t.Errorf("group counts add up to %v, pooled %v", sum, mean.LatencySeconds.Count)
	}
	if b := mean.ByWorkload[1]; b.Name != "b" || b.NeverUpdated.Env != 4 || len(b.SharedObjects) != 1 {
		t.Errorf("group b: %+v", b)
	}
	// Group b's never count has the pooled never count's values.
	if got, want := ci.ByWorkload[1].NeverUpdated.Env, ci.NeverUpdated.Env; got != want || got == 0 {
		t.Errorf("group half-width %v, pooled %v", got, want)
	}
	if mean.Derived.LatencyBoundSeconds != 91.2 || ci.Derived != (Derived{}) {
		t.Errorf("derived: mean %+v ci %+v; want the replications' in the mean only", mean.Derived, ci.Derived)
	}
}
