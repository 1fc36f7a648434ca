package validation

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
)

// Estimate is a mean over independent replications with its 95%
// confidence half-width (Student t, n−1 degrees of freedom), as
// results.Aggregate computes them for summary.json.
type Estimate struct {
	Mean, CI95 float64
	SE         float64 // standard error of the mean
	N          int
}

// estimate reduces one figure per replication to an Estimate.
func estimate(xs []float64) Estimate {
	n := len(xs)
	e := Estimate{N: n}
	if n == 0 {
		return e
	}
	for _, x := range xs {
		e.Mean += x
	}
	e.Mean /= float64(n)
	if n < 2 {
		return e
	}
	ss := 0.0
	for _, x := range xs {
		ss += (x - e.Mean) * (x - e.Mean)
	}
	e.SE = math.Sqrt(ss/float64(n-1)) / math.Sqrt(float64(n))
	e.CI95 = tQuantile(0.975, n-1) * e.SE
	return e
}

func tQuantile(p float64, df int) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(p)
}

// verdictLevel is the confidence level of the intervals verdicts use. The
// page makes about 40 such comparisons; at 95% each, a change that only
// reshuffles the random draws would flip one of them more often than not,
// at 99.9% in about 4% of reshuffles (Bonferroni).
const verdictLevel = 0.999

// Covers reports whether v lies within the estimate's verdictLevel
// interval (a zero-width one when every replication agreed).
func (e Estimate) Covers(v float64) bool { return e.Within(v, 0) }

// Within reports whether v lies within tol of the estimate's verdictLevel
// interval: for a published figure of precision ±tol, whether the two
// intervals overlap.
func (e Estimate) Within(v, tol float64) bool {
	h := 0.0
	if e.N >= 2 {
		h = tQuantile(1-(1-verdictLevel)/2, e.N-1) * e.SE
	}
	return math.Abs(v-e.Mean) <= tol+h+1e-12*math.Abs(v)
}

// Lo and Hi are the interval's ends.
func (e Estimate) Lo() float64 { return e.Mean - e.CI95 }

// Hi is the interval's upper end.
func (e Estimate) Hi() float64 { return e.Mean + e.CI95 }

// quantile is the nearest-rank q-quantile of sorted xs, as
// model.LatencyStats computes summary.json's percentiles.
func quantile(sorted []float64, q float64) float64 {
	n := len(sorted)
	i := int(math.Ceil(q*float64(n))) - 1
	return sorted[min(max(i, 0), n-1)]
}

// fractionAtMost is the empirical CDF of sorted xs at v.
func fractionAtMost(sorted []float64, v float64) float64 {
	return float64(sort.SearchFloat64s(sorted, math.Nextafter(v, math.Inf(1)))) / float64(len(sorted))
}

// ratioEstimate is a/b with a half-width from the two relative half-widths
// added in quadrature (the delta method for independent estimates).
func ratioEstimate(a, b Estimate) Estimate {
	r := a.Mean / b.Mean
	return Estimate{Mean: r, CI95: r * math.Hypot(a.CI95/a.Mean, b.CI95/b.Mean), SE: r * math.Hypot(a.SE/a.Mean, b.SE/b.Mean), N: min(a.N, b.N)}
}
