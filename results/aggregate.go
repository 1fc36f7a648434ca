package results

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Aggregate returns the mean of each metric over replications and, with two
// or more, the 95% confidence half-width of each mean (Student t with n-1
// degrees of freedom).
func Aggregate(reps []Metrics) (mean Metrics, ci95 *Metrics) {
	n := len(reps)
	if n == 0 {
		return Metrics{}, nil
	}
	mf := mean.Fields()
	for i := range reps {
		for j, f := range reps[i].Fields() {
			*mf[j] += *f
		}
	}
	for _, f := range mf {
		*f /= float64(n)
	}
	if n < 2 {
		return mean, nil
	}
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(0.975)
	ci95 = &Metrics{}
	cf := ci95.Fields()
	for j := range mf {
		var ss float64
		for i := range reps {
			d := *reps[i].Fields()[j] - *mf[j]
			ss += d * d
		}
		sd := math.Sqrt(ss / float64(n-1))
		*cf[j] = t * sd / math.Sqrt(float64(n))
	}
	return mean, ci95
}
