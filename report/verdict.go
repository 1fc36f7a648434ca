package report

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"cmsim/plots"
	"cmsim/results"
)

// SingleRunResolution is the smallest relative difference the reading
// calls between points run once: without replications there is no
// confidence interval, and differences within it are reported as
// indistinguishable.
const SingleRunResolution = 0.05

// maxNamed is the most points a verdict names one by one.
const maxNamed = 4

// estimate is one point's value of a metric: its mean over replications
// and 95% confidence half-width (0 with one replication).
type estimate struct {
	label    string
	mean, ci float64
}

// separated reports whether a is clearly below b: their 95% confidence
// intervals do not overlap or, with one replication, b exceeds a by more
// than SingleRunResolution.
func separated(a, b estimate, reps int) bool {
	if reps > 1 {
		return a.mean+a.ci < b.mean-b.ci
	}
	return b.mean-a.mean > SingleRunResolution*math.Max(math.Abs(a.mean), math.Abs(b.mean))
}

// lowestVerdict says which points have the lowest metric, named only when
// the difference is resolved (see separated); otherwise it says which are
// indistinguishable, and over what range. what names the metric ("p99
// latency"); format formats its values.
func lowestVerdict(what string, es []estimate, reps int, format func(float64) string) string {
	es = slices.DeleteFunc(slices.Clone(es), func(e estimate) bool { return !finite(e.mean) })
	if len(es) < 2 {
		return ""
	}
	slices.SortStableFunc(es, func(a, b estimate) int {
		switch {
		case a.mean < b.mean:
			return -1
		case a.mean > b.mean:
			return 1
		}
		return 0
	})
	best := es[0]
	// The points whose difference from the lowest is not resolved, and
	// the others (both in ascending order).
	var tied, rest []estimate
	for _, e := range es {
		if separated(best, e, reps) {
			rest = append(rest, e)
		} else {
			tied = append(tied, e)
		}
	}
	within := "within their 95% confidence intervals"
	if reps < 2 {
		within = fmt.Sprintf("within %.0f%%, the resolution of a single replication", 100*SingleRunResolution)
	}
	span := spanOf(tied[0].mean, tied[len(tied)-1].mean, format)
	switch {
	case len(rest) == 0:
		return fmt.Sprintf("%s %s indistinguishable on %s: %s, %s.",
			upper(names(tied)), plural(float64(len(tied)), "is", "are"), what, span, within)
	case len(tied) == 1:
		return fmt.Sprintf("%s has the lowest %s (%s), clearly below %s (%s)%s.",
			best.label, what, withCI(best, format), rest[0].label, withCI(rest[0], format), others(rest))
	}
	return fmt.Sprintf("%s %s indistinguishable for the lowest %s (%s, %s), clearly below %s (%s)%s.",
		upper(names(tied)), plural(float64(len(tied)), "is", "are"), what, span, within,
		rest[0].label, withCI(rest[0], format), others(rest))
}

func others(rest []estimate) string {
	if len(rest) > 1 {
		return " and every other point"
	}
	return ""
}

// spanOf formats the range [a, b]: "119–163 s" for seconds under 3
// minutes, with as many decimals as it takes to tell a from b (up to 3:
// "41.9–42.2 s"), else "0.2 to 7.9".
func spanOf(a, b float64, format func(float64) string) string {
	lo, hi := format(a), format(b)
	if a == b || lo == hi && !strings.HasSuffix(hi, " s") {
		return lo
	}
	if strings.HasSuffix(lo, " s") && strings.HasSuffix(hi, " s") {
		if lo != hi {
			return strings.TrimSuffix(lo, " s") + "–" + hi
		}
		for d := 1; d <= 3; d++ {
			l, h := strconv.FormatFloat(a, 'f', d, 64), strconv.FormatFloat(b, 'f', d, 64)
			if l != h || d == 3 {
				return l + "–" + h + " s"
			}
		}
	}
	return lo + " to " + hi
}

// names lists the estimates' labels, the first few by name.
func names(es []estimate) string {
	var out []string
	for i, e := range es {
		if i == maxNamed && len(es) > maxNamed+1 {
			out = append(out, fmt.Sprintf("%d other points", len(es)-maxNamed))
			break
		}
		out = append(out, e.label)
	}
	if slices.ContainsFunc(out, func(l string) bool { return strings.Contains(l, ", ") }) {
		// Labels such as "Watch, nodes=10" are told apart by semicolons.
		if len(out) == 1 {
			return out[0]
		}
		return strings.Join(out[:len(out)-1], "; ") + " and " + out[len(out)-1]
	}
	return joinAnd(out)
}

func withCI(e estimate, format func(float64) string) string {
	if e.ci > 0 {
		return format(e.mean) + " ± " + format(e.ci)
	}
	return format(e.mean)
}

// estimates returns each point's value of f, with its half-width.
func estimates(s *results.Summary, labels []string, f func(*results.Metrics) float64, skip func(*results.Point) bool) []estimate {
	var out []estimate
	for i := range s.Points {
		pt := &s.Points[i]
		if skip != nil && skip(pt) {
			continue
		}
		e := estimate{label: labels[i], mean: f(&pt.Metrics)}
		if pt.CI95 != nil {
			e.ci = f(pt.CI95)
		}
		out = append(out, e)
	}
	return out
}

// requestsOf is GET + LIST + WATCH requests/s. Applied to a point's CI95
// it adds its terms' half-widths: an upper bound on the sum's, whatever
// their correlation.
func requestsOf(m *results.Metrics) float64 { return plots.RequestsPerSec(m) }

// verdicts is the comparison of a sweep's points: latency, then cost with
// its terms side by side.
func verdicts(s *results.Summary, labels []string) []string {
	reps := max(s.Points[0].Replications, 1)
	var out []string
	lat := estimates(s, labels, func(m *results.Metrics) float64 { return m.LatencySeconds.P99 },
		func(pt *results.Point) bool { return pt.LatencySeconds.Count == 0 })
	if v := lowestVerdict("p99 latency", lat, reps, sec); v != "" {
		out = append(out, v)
	} else if len(lat) == 0 {
		out = append(out, "No point observed any update, so no latency can be compared.")
	}
	if c := costSentence(s, labels); c != "" {
		out = append(out, c)
	}
	req := estimates(s, labels, requestsOf, nil)
	if v := lowestVerdict("requests/s", req, reps, rate); v != "" {
		if slices.ContainsFunc(s.Points, func(pt results.Point) bool { return pt.APIServer.OpenWatchesMean > 0 }) {
			v += " Requests/s leave out what open watches cost: the apiserver's memory and a bookmark a minute for each."
		}
		out = append(out, v)
	}
	return out
}

// costSentence puts each point's cost terms side by side: requests/s,
// open watches, and watch events and bookmarks per second. Past
// maxNamed + 2 points it gives the cheapest and dearest by requests/s.
func costSentence(s *results.Summary, labels []string) string {
	idx := make([]int, len(s.Points))
	for i := range idx {
		idx[i] = i
	}
	if len(idx) > maxNamed+2 {
		cheap, dear := 0, 0
		for i := range s.Points {
			if requestsOf(&s.Points[i].Metrics) < requestsOf(&s.Points[cheap].Metrics) {
				cheap = i
			}
			if requestsOf(&s.Points[i].Metrics) > requestsOf(&s.Points[dear].Metrics) {
				dear = i
			}
		}
		idx = []int{cheap, dear}
	}
	var parts []string
	for _, i := range idx {
		a := &s.Points[i].APIServer
		parts = append(parts, fmt.Sprintf("%s %s requests/s, %s open watches, %s watch events/s and %s bookmarks/s",
			labels[i], rate(requestsOf(&s.Points[i].Metrics)), rate(a.OpenWatchesMean), rate(a.WatchEventsPerSec), rate(a.BookmarksPerSec)))
	}
	lead := "Cost to the apiserver, side by side: "
	if len(idx) < len(s.Points) {
		lead = "Cost to the apiserver, the fewest and the most requests/s: "
	}
	return lead + strings.Join(parts, "; ") + "."
}
