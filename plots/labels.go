package plots

import (
	"math"
	"slices"
	"strconv"

	"cmsim/results"
)

// alwaysParams are the parameters every point carries whether swept or not
// (see experiment.PointParams); any other parameter of a point was swept.
var alwaysParams = []string{"cluster.kubelet.syncFrequency", "cluster.nodes"}

// LabelParams returns, sorted, the parameters that tell s's points apart:
// those whose values differ. After an interrupted run the points that
// finished may agree on a swept parameter (the Get points finished, the
// Watch ones did not), so then the strategy and every swept parameter
// label them too.
func LabelParams(s *results.Summary) []string {
	if len(s.Points) == 0 {
		return nil
	}
	keys := VaryingParams(s.Points)
	if !s.Incomplete {
		return keys
	}
	for k := range s.Points[0].Params {
		if !slices.Contains(keys, k) && !slices.Contains(alwaysParams, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// PlusMinus formats v ± ci with format, the half-width rounded to the
// precision v is shown at (0.11 ± 1e-17 reads "0.11 ± 0", 41.86 ± 0.52
// seconds "42 s ± 1 s"). Without a positive, finite ci it is format(v).
func PlusMinus(v, ci float64, format func(float64) string) string {
	shown := format(v)
	if !finite(ci) || ci <= 0 || !finite(v) {
		return shown
	}
	r := shownStep(v, format)
	ci = math.Round(ci/r) * r
	if ci == 0 {
		return shown + " ± 0"
	}
	return shown + " ± " + format(ci)
}

// shownStep is the smallest power of ten that changes format's text of v
// both up and down: the precision v is shown at, whatever the formatter.
func shownStep(v float64, format func(float64) string) float64 {
	s := format(v)
	for k := -12; k <= 12; k++ {
		d := math.Pow(10, float64(k))
		if format(v+d) != s && format(v-d) != s {
			return d
		}
	}
	return math.Max(math.Abs(v), 1)
}

// Count formats a count of pairs or requests as a whole number: a mean over
// replications is rounded (say so with MeanOf).
func Count(v float64) string {
	if !finite(v) {
		return "n/a"
	}
	return groupThousands(strconv.FormatFloat(math.Round(v), 'f', 0, 64))
}

// MeanOf is the note for a column of means over reps replications: ""
// with one.
func MeanOf(reps int) string {
	if reps < 2 {
		return ""
	}
	return " (mean of " + strconv.Itoa(reps) + ")"
}
