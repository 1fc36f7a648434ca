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

// TestAggregateFaultEventCI: fault events get half-widths when the
// replications had the same arrivals, none otherwise.
func TestAggregateFaultEventCI(t *testing.T) {
	ev := func(at, rewatch float64) FaultEvent {
		return FaultEvent{Kind: "apiserverRestart", AtSeconds: at, Target: "all replicas", RewatchSeconds: rewatch, RecoverySeconds: rewatch}
	}
	reps := []Metrics{{FaultEvents: []FaultEvent{ev(600, 130)}}, {FaultEvents: []FaultEvent{ev(600, 140)}}, {FaultEvents: []FaultEvent{ev(600, 150)}}}
	mean, ci := Aggregate(reps)
	// sd 10, n 3: t(0.975, 2) = 4.303 → 4.303 × 10 / √3 = 24.84.
	if mean.FaultEvents[0].RewatchSeconds != 140 || ci == nil || len(ci.FaultEvents) != 1 {
		t.Fatalf("mean %+v, ci %+v", mean.FaultEvents, ci)
	}
	if got := ci.FaultEvents[0].RewatchSeconds; math.Abs(got-24.84) > 0.01 || ci.FaultEvents[0].AtSeconds != 0 || ci.FaultEvents[0].Kind != "apiserverRestart" {
		t.Errorf("ci %+v, want a rewatch half-width of 24.84 s named by its arrival", ci.FaultEvents[0])
	}
	reps[2].FaultEvents[0].AtSeconds = 900
	if _, ci := Aggregate(reps); ci.FaultEvents != nil {
		t.Errorf("different arrivals gave half-widths %+v", ci.FaultEvents)
	}
}
