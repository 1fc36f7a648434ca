package validation

import (
	"fmt"
	"math"
	"time"
)

// ResyncInterval is the distribution of the time between two periodic syncs
// of one pod as model/kubelet.go implements it: the pod worker re-enqueues
// the pod wait.Jitter(S, 0.5) = U[S, 1.5 S) after a sync's start, and the
// sync loop's 1 s ticker picks it up at the first tick strictly after that.
// The sync started on a tick, so the interval is floor(U) + 1 whole
// seconds: Values[i] with probability Probs[i].
type ResyncInterval struct {
	Values []float64 // seconds
	Probs  []float64
}

// NewResyncInterval returns the interval's distribution for syncFrequency s.
func NewResyncInterval(s time.Duration) (ResyncInterval, error) {
	if s <= 0 {
		return ResyncInterval{}, fmt.Errorf("syncFrequency %v: must be > 0", s)
	}
	lo, hi := s.Seconds(), 1.5*s.Seconds()
	var d ResyncInterval
	for k := math.Floor(lo); k < hi; k++ {
		// P(floor(U) = k) is the share of [S, 1.5 S) that lies in [k, k+1).
		w := (math.Min(k+1, hi) - math.Max(k, lo)) / (hi - lo)
		if w > 0 {
			d.Values = append(d.Values, k+1)
			d.Probs = append(d.Probs, w)
		}
	}
	return d, nil
}

// Mean returns E[X] in seconds.
func (d ResyncInterval) Mean() float64 {
	m := 0.0
	for i, x := range d.Values {
		m += d.Probs[i] * x
	}
	return m
}

// MeanSquare returns E[X²].
func (d ResyncInterval) MeanSquare() float64 {
	m := 0.0
	for i, x := range d.Values {
		m += d.Probs[i] * x * x
	}
	return m
}

// Max returns the longest interval.
func (d ResyncInterval) Max() float64 { return d.Values[len(d.Values)-1] }

// ResidualMean is the mean wait from an instant independent of the syncs to
// the next one: E[X²] / (2 E[X]) (renewal theory's forward recurrence time).
func (d ResyncInterval) ResidualMean() float64 { return d.MeanSquare() / (2 * d.Mean()) }

// ResidualCDF is P(R <= r) for that wait R: (1/E[X]) ∫₀ʳ P(X > x) dx =
// Σ p_i min(r, x_i) / E[X].
func (d ResyncInterval) ResidualCDF(r float64) float64 {
	if r <= 0 {
		return 0
	}
	s := 0.0
	for i, x := range d.Values {
		s += d.Probs[i] * math.Min(r, x)
	}
	return s / d.Mean()
}

// Latency is the update-to-file latency of a volume consumer in steady
// state: L = R + D, where R is the resync residual above and D an
// exponential delay with mean DelayMean (Watch: the watch event's delivery;
// Get: the GET's round trip). Why this is exact for the model: a pod's
// remounts follow its syncs by a per-node constant (the populator's and
// the reconciler's 100 ms loops have fixed phases on the 1 s sync grid), so
// remounts form the same renewal process shifted; the file changes at the
// first remount after the kubelet's copy is fresh, and an update time
// independent of the process sees the stationary residual.
type Latency struct {
	Resync    ResyncInterval
	DelayMean float64 // seconds
}

// latencySteps is the number of midpoints over the delay's quantiles; the
// CDF's error is far below 1e-4.
const latencySteps = 4000

// CDF returns P(L <= l) = E[F_R(l − D)].
func (a Latency) CDF(l float64) float64 {
	if l <= 0 {
		return 0
	}
	if a.DelayMean == 0 {
		return a.Resync.ResidualCDF(l)
	}
	s := 0.0
	for i := 0; i < latencySteps; i++ {
		u := (float64(i) + 0.5) / latencySteps
		s += a.Resync.ResidualCDF(l + a.DelayMean*math.Log(1-u))
	}
	return s / latencySteps
}

// Mean returns E[L].
func (a Latency) Mean() float64 { return a.Resync.ResidualMean() + a.DelayMean }

// Quantile returns the q-quantile of L, by bisection on the CDF.
func (a Latency) Quantile(q float64) float64 {
	lo, hi := 0.0, a.Resync.Max()+50*a.DelayMean+1
	for i := 0; i < 60; i++ {
		mid := (lo + hi) / 2
		if a.CDF(mid) < q {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}
