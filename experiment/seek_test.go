package experiment

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"cmsim/results"
	"cmsim/scenarios"
)

func TestParseObjective(t *testing.T) {
	tests := []struct {
		in        string
		metric    string
		op        string
		threshold float64
		err       bool
	}{
		{"latency.p99<=30s", "latency.p99", "<=", 30, false},
		{"latency.p99 <= 1m", "latency.p99", "<=", 60, false},
		{"latency.mean<2.5", "latency.mean", "<", 2.5, false},
		{"apiserver.get_per_sec<=500", "apiserver.get_per_sec", "<=", 500, false},
		{"kubelet.syncs_per_sec>=0.1", "kubelet.syncs_per_sec", ">=", 0.1, false},
		{"apiserver.open_watches_mean>10", "apiserver.open_watches_mean", ">", 10, false},
		{"apiserver.get_per_sec<=30s", "", "", 0, true}, // not a latency: no durations
		{"latency.p98<=30s", "", "", 0, true},
		{"latency.p99", "", "", 0, true},
		{"latency.p99<=soon", "", "", 0, true},
	}
	for _, tt := range tests {
		o, err := ParseObjective(tt.in)
		if (err != nil) != tt.err {
			t.Errorf("%q: err = %v", tt.in, err)
			continue
		}
		if err == nil && (o.Metric != tt.metric || o.Op != tt.op || o.Threshold != tt.threshold) {
			t.Errorf("%q: got %+v", tt.in, o)
		}
	}
	m := results.Metrics{}
	m.APIServer.OpenWatchesMean = 7
	if v, ok := MetricValue(&m, "apiserver.open_watches_mean"); !ok || v != 7 {
		t.Errorf("MetricValue = %v, %v", v, ok)
	}
}

func TestJudgeUsesTheConfidenceBound(t *testing.T) {
	le, _ := ParseObjective("latency.p99<=30s")
	if _, ok := le.Judge(29, 0.5); !ok {
		t.Error("29 ± 0.5 should meet <= 30")
	}
	if _, ok := le.Judge(29, 2); ok {
		t.Error("29 ± 2 should not meet <= 30: its upper end is 31")
	}
	ge, _ := ParseObjective("kubelet.syncs_per_sec>=1")
	if _, ok := ge.Judge(1.5, 0.6); ok {
		t.Error("1.5 ± 0.6 should not meet >= 1")
	}
}

// TestSeekOnAFunction bisects a known monotone function.
func TestSeekOnAFunction(t *testing.T) {
	obj, _ := ParseObjective("apiserver.get_per_sec<=100")
	for _, largest := range []bool{true, false} {
		// get_per_sec = x, rising: largest x with x <= 100 is 100; for
		// smallest use a falling function 200 - x: smallest x is 100.
		s := Search{Param: "cluster.nodes", Min: 1, Max: 1000, Resolution: 7, Largest: largest, Objective: obj}
		calls := 0
		out, err := Seek(context.Background(), s, func(_ context.Context, v string) (Measurement, error) {
			calls++
			var x float64
			fmt.Sscan(v, &x)
			m := Measurement{Runs: 1}
			m.Metrics.APIServer.GetPerSec = x
			if !largest {
				m.Metrics.APIServer.GetPerSec = 200 - x
			}
			return m, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var ans float64
		fmt.Sscan(out.Answer, &ans)
		if !out.Found || !out.Monotone || math.Abs(ans-100) >= 7 || (largest && ans > 100) || (!largest && ans < 100) {
			t.Errorf("largest=%v: %+v", largest, out)
		}
		if calls > 12 {
			t.Errorf("largest=%v: %d evaluations for 143 grid steps", largest, calls)
		}
	}
}

// TestSeekAgreesWithASweep: the largest syncFrequency that keeps Watch's
// p99 within 60s, found by bisection, equals within the resolution the
// largest value that meets the objective in a direct sweep of the grid.
func TestSeekAgreesWithASweep(t *testing.T) {
	base := []string{"sweep={}", "cluster.kubelet.changeDetectionStrategy=Watch", "cluster.nodes=10", "duration=30m", "replications=3"}
	b, _ := scenarios.Builtin("sync-frequency")
	evalAt := func(ctx context.Context, v string) (Measurement, error) {
		s, err := scenarios.Load("builtin:sync-frequency", b, append(append([]string(nil), base...), "cluster.kubelet.syncFrequency="+v))
		if err != nil {
			return Measurement{}, err
		}
		return Evaluate(ctx, s, Options{})
	}
	obj, _ := ParseObjective("latency.p99<=60s")
	res := 5 * time.Second
	s := Search{Param: "cluster.kubelet.syncFrequency", Duration: true, Min: int64(10 * time.Second), Max: int64(2 * time.Minute),
		Resolution: int64(res), Largest: true, Objective: obj}
	out, err := Seek(context.Background(), s, evalAt)
	if err != nil {
		t.Fatal(err)
	}
	if !out.Found {
		t.Fatalf("no answer: %+v", out)
	}
	answer, _ := time.ParseDuration(out.Answer)

	// The direct sweep: every grid value.
	var sweepAnswer time.Duration
	for d := 10 * time.Second; d <= 2*time.Minute; d += res {
		m, err := evalAt(context.Background(), s.Format(int64(d)))
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := obj.Judge(m.Metrics.LatencySeconds.P99, m.CI95.LatencySeconds.P99); ok {
			sweepAnswer = d
		}
	}
	t.Logf("bisection: %s in %d evaluations; sweep: %s", answer, len(out.Evaluations), sweepAnswer)
	if diff := answer - sweepAnswer; diff < -res || diff > res {
		t.Errorf("bisection says %s, the sweep %s: more than %s apart", answer, sweepAnswer, res)
	}
	if len(out.Evaluations) > 8 {
		t.Errorf("%d evaluations for 23 grid values", len(out.Evaluations))
	}
}
