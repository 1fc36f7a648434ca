package results

import (
	"math"
	"testing"
)

func TestAggregate(t *testing.T) {
	reps := make([]Metrics, 4)
	for i, v := range []float64{10, 12, 14, 16} {
		reps[i].LatencySeconds.P99 = v
		reps[i].APIServer.GetPerSec = 3
	}
	mean, ci := Aggregate(reps)
	if mean.LatencySeconds.P99 != 13 || mean.APIServer.GetPerSec != 3 {
		t.Fatalf("mean = %+v", mean)
	}
	// sd = 2.582, t(0.975, 3) = 3.182, half-width = 3.182 * 2.582 / 2.
	if want := 3.182446 * math.Sqrt(20.0/3) / 2; math.Abs(ci.LatencySeconds.P99-want) > 1e-4 {
		t.Fatalf("ci95 = %v, want %v", ci.LatencySeconds.P99, want)
	}
	if ci.APIServer.GetPerSec != 0 {
		t.Fatalf("constant metric has ci95 %v", ci.APIServer.GetPerSec)
	}
	if _, ci := Aggregate(reps[:1]); ci != nil {
		t.Fatal("one replication has no interval")
	}
}
