package report

import (
	"fmt"
	"math"
	"strings"

	"cmsim/plots"
	"cmsim/results"
)

// Reading is the plain-language reading of a run.
type Reading struct {
	Paragraphs []string
	// Points has one sentence per point when there are several.
	Points []string
}

var (
	sec  = plots.FormatSeconds
	rate = plots.FormatRate
)

// Read derives the reading of a run from its numbers. Latency rows, when
// given, add the count of pairs still waiting when the run ended.
func Read(s *results.Summary, lat []results.LatencyRow) Reading {
	var r Reading
	if s.Incomplete {
		r.Paragraphs = append(r.Paragraphs, fmt.Sprintf("The run was interrupted: only the %d point(s) that finished are reported.", len(s.Points)))
	}
	if len(s.Points) == 0 {
		r.Paragraphs = append(r.Paragraphs, "The summary holds no point: there is nothing to report.")
		return r
	}
	pending := pendingPairs(s, lat)
	labels := plots.PointLabels(s)
	if len(s.Points) == 1 {
		pt := &s.Points[0]
		r.Paragraphs = append(r.Paragraphs, latencySentence(pt)+neverSentence(pt, pending[0]), loadSentence(pt))
		return r
	}
	keys := plots.VaryingParams(s.Points)
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = plots.ParamName(k)
	}
	intro := fmt.Sprintf("This run compares %d points", len(s.Points))
	if len(names) > 0 {
		intro += " that differ in " + joinAnd(names)
	}
	intro += "."
	if reps := s.Points[0].Replications; reps > 1 {
		intro += fmt.Sprintf(" Figures are means over %d replications.", reps)
	}
	best, worst := -1, -1
	for i := range s.Points {
		m := &s.Points[i].Metrics
		if m.LatencySeconds.Count == 0 || !finite(m.LatencySeconds.P99) {
			continue
		}
		if best < 0 || m.LatencySeconds.P99 < s.Points[best].LatencySeconds.P99 {
			best = i
		}
		if worst < 0 || m.LatencySeconds.P99 > s.Points[worst].LatencySeconds.P99 {
			worst = i
		}
	}
	cheap, dear := -1, -1
	for i := range s.Points {
		c := plots.RequestsPerSec(&s.Points[i].Metrics)
		if !finite(c) {
			continue
		}
		if cheap < 0 || c < plots.RequestsPerSec(&s.Points[cheap].Metrics) {
			cheap = i
		}
		if dear < 0 || c > plots.RequestsPerSec(&s.Points[dear].Metrics) {
			dear = i
		}
	}
	var sum []string
	if best >= 0 {
		sum = append(sum, fmt.Sprintf("%s has the best p99 latency (%s); %s the worst (%s).",
			labels[best], sec(s.Points[best].LatencySeconds.P99), labels[worst], sec(s.Points[worst].LatencySeconds.P99)))
	} else {
		sum = append(sum, "No point observed any update, so no latency can be compared.")
	}
	if cheap >= 0 {
		sum = append(sum, fmt.Sprintf("%s costs the apiserver least (%s requests/s: GET + LIST + WATCH); %s the most (%s requests/s).",
			labels[cheap], rate(plots.RequestsPerSec(&s.Points[cheap].Metrics)), labels[dear], rate(plots.RequestsPerSec(&s.Points[dear].Metrics))))
	}
	if best >= 0 && best == cheap {
		sum = append(sum, labels[best]+" is both the fastest and the cheapest.")
	}
	r.Paragraphs = append(r.Paragraphs, intro, strings.Join(sum, " "))
	for i := range s.Points {
		pt := &s.Points[i]
		l := &pt.LatencySeconds
		var b strings.Builder
		b.WriteString(labels[i] + ": ")
		if l.Count > 0 {
			fmt.Fprintf(&b, "p99 %s (median %s, worst %s)", sec(l.P99), sec(l.P50), sec(l.Max))
		} else {
			b.WriteString("no update observed")
		}
		if n := neverTotal(pt); n > 0 {
			fmt.Fprintf(&b, "; %s pairs never update", rate(n))
		}
		if pending[i] > 0 {
			fmt.Fprintf(&b, "; %d pairs still waiting at the end", pending[i])
		}
		a := &pt.APIServer
		fmt.Fprintf(&b, "; %s GET/s, %s open watches, %s watch events/s, %s requests/s in all.",
			rate(a.GetPerSec), rate(a.OpenWatchesMean), rate(a.WatchEventsPerSec), rate(plots.RequestsPerSec(&pt.Metrics)))
		r.Points = append(r.Points, b.String())
	}
	return r
}

func latencySentence(pt *results.Point) string {
	l := &pt.LatencySeconds
	if l.Count == 0 {
		return "No consumer observed an update during the run, so there is no latency to report."
	}
	s := fmt.Sprintf("99%% of the %s observed (update, consumer) pairs saw the update in the pod's files within %s (median %s, mean %s, worst %s).",
		rate(l.Count), sec(l.P99), sec(l.P50), sec(l.Mean), sec(l.Max))
	if pt.Replications > 1 {
		s += fmt.Sprintf(" Figures are means over %d replications.", pt.Replications)
	}
	return s
}

func neverTotal(pt *results.Point) float64 {
	n := &pt.NeverUpdated
	return n.Env + n.SubPath + n.Immutable
}

func neverSentence(pt *results.Point, pending int) string {
	n := &pt.NeverUpdated
	var parts []string
	if n.Env > 0 {
		parts = append(parts, fmt.Sprintf("%s (update, consumer) %s never update because %s the object as environment variables, fixed when the container starts",
			rate(n.Env), plural(n.Env, "pair", "pairs"), plural(n.Env, "it reads", "they read")))
	}
	if n.SubPath > 0 {
		parts = append(parts, fmt.Sprintf("%s %s never update because %s mounted with subPath, which the kubelet does not refresh",
			rate(n.SubPath), plural(n.SubPath, "pair", "pairs"), plural(n.SubPath, "it is", "they are")))
	}
	if n.Immutable > 0 {
		parts = append(parts, fmt.Sprintf("%s %s never update because the object is immutable",
			rate(n.Immutable), plural(n.Immutable, "pair", "pairs")))
	}
	s := ""
	if len(parts) > 0 {
		s = " " + upper(strings.Join(parts, "; ")) + "."
	}
	if pending > 0 {
		s += fmt.Sprintf(" %d %s still waiting for the update when the run ended.", pending, plural(float64(pending), "pair was", "pairs were"))
	}
	return s
}

func loadSentence(pt *results.Point) string {
	a := &pt.APIServer
	strategy := plots.Strategy(pt)
	var lead string
	switch strategy {
	case "Get":
		lead = "With the Get strategy every pod sync reads the object from the apiserver: "
	case "Cache":
		lead = "With the Cache strategy kubelets re-read an object when its cached copy's TTL has expired: "
	case "Watch":
		lead = "With the Watch strategy kubelets keep a watch on each object their pods use: "
	default:
		lead = "On the apiserver side, "
	}
	return fmt.Sprintf("%sthe apiserver served %s GET/s (%s from etcd), %s LIST/s and %s WATCH requests/s, held %s open watches on average (peak %s) and sent %s watch events/s (%s bookmarks/s).",
		lead, rate(a.GetPerSec), rate(a.GetEtcdPerSec), rate(a.ListPerSec), rate(a.WatchRequestsPerSec),
		rate(a.OpenWatchesMean), rate(a.OpenWatchesPeak), rate(a.WatchEventsPerSec), rate(a.BookmarksPerSec))
}

// pendingPairs counts, per point, the rows that have no latency and no
// never-updated reason: consumers still waiting when the run ended.
func pendingPairs(s *results.Summary, lat []results.LatencyRow) []int {
	out := make([]int, len(s.Points))
	for i := range lat {
		r := &lat[i]
		if r.Point >= 0 && r.Point < len(out) && r.NeverUpdated == "" && !finite(r.LatencySeconds) {
			out[r.Point]++
		}
	}
	return out
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func plural(n float64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func upper(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func joinAnd(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}
