package validation

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func TestResyncInterval(t *testing.T) {
	for _, c := range []struct {
		s         time.Duration
		mean, max float64
		values    int
		residual  float64
	}{
		// S = 60 s: X uniform on 61 … 90 s.
		{time.Minute, 75.5, 90, 30, 173255.0 / 30 / (2 * 75.5)},
		// S = 5 s: U[5, 7.5) → X = 6, 7, 8 w.p. 0.4, 0.4, 0.2.
		{5 * time.Second, 6.8, 8, 3, 46.8 / 13.6},
	} {
		d, err := NewResyncInterval(c.s)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Values) != c.values || math.Abs(d.Mean()-c.mean) > 1e-9 || d.Max() != c.max {
			t.Errorf("S=%v: %d values, mean %v, max %v; want %d, %v, %v", c.s, len(d.Values), d.Mean(), d.Max(), c.values, c.mean, c.max)
		}
		if c.residual != 0 && math.Abs(d.ResidualMean()-c.residual) > 1e-9 {
			t.Errorf("S=%v: residual mean %v, want %v", c.s, d.ResidualMean(), c.residual)
		}
	}
	if _, err := NewResyncInterval(0); err == nil {
		t.Error("syncFrequency 0 accepted")
	}
}

// The analytic latency distribution against a direct simulation of the
// renewal process: a seeded Monte Carlo, independent of the closed forms.
func TestLatencyMatchesMonteCarlo(t *testing.T) {
	a := Latency{Resync: mustInterval(t, 10*time.Second), DelayMean: 0.05}
	r := rand.New(rand.NewPCG(1, 2))
	// Syncs on one pod's timeline; updates at uniform times in it.
	const horizon = 2e6
	var syncs []float64
	for t0 := 0.0; t0 < horizon; {
		u := 10 + 5*r.Float64()
		t0 += math.Floor(u) + 1
		syncs = append(syncs, t0)
	}
	const n = 200000
	var sum float64
	le := map[float64]int{3: 0, 6.55: 0, 12: 0}
	for i := 0; i < n; i++ {
		w := r.Float64() * (horizon - 100)
		d := r.ExpFloat64() * 0.05
		// first sync strictly after the delivery
		lo, hi := 0, len(syncs)
		for lo < hi {
			m := (lo + hi) / 2
			if syncs[m] <= w+d {
				lo = m + 1
			} else {
				hi = m
			}
		}
		l := syncs[lo] - w
		sum += l
		for k := range le {
			if l <= k {
				le[k]++
			}
		}
	}
	mean := sum / n
	if math.Abs(mean-a.Mean()) > 0.03 {
		t.Errorf("Monte Carlo mean %.4f, analytic %.4f", mean, a.Mean())
	}
	for k, c := range le {
		if got := float64(c) / n; math.Abs(got-a.CDF(k)) > 0.005 {
			t.Errorf("P(L <= %v): Monte Carlo %.4f, analytic %.4f", k, got, a.CDF(k))
		}
	}
	if q := a.Quantile(a.CDF(6.55)); math.Abs(q-6.55) > 1e-6 {
		t.Errorf("Quantile(CDF(6.55)) = %v", q)
	}
}

func mustInterval(t *testing.T, s time.Duration) ResyncInterval {
	t.Helper()
	d, err := NewResyncInterval(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestEstimate(t *testing.T) {
	e := estimate([]float64{1, 2, 3})
	// sd 1, SE 1/√3, t(0.975, 2) = 4.303.
	if math.Abs(e.Mean-2) > 1e-12 || math.Abs(e.CI95-4.302653/math.Sqrt(3)) > 1e-5 {
		t.Fatalf("estimate = %+v", e)
	}
	// The verdict interval is 99.9%: t(0.9995, 2) = 31.6 SEs.
	if !e.Covers(2+30/math.Sqrt(3)) || e.Covers(2+32/math.Sqrt(3)) {
		t.Error("Covers does not use the 99.9% interval")
	}
	if !e.Within(2+33/math.Sqrt(3), 1) || e.Within(2+33/math.Sqrt(3), 0) {
		t.Error("Within ignores the figure's precision")
	}
	if one := estimate([]float64{5}); !one.Covers(5) || one.Covers(5.1) {
		t.Error("a single replication covers only its own value")
	}
}
