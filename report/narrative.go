package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

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

// Read derives the reading of a run from its numbers. Latency digests
// (lat[i] of point i), when given, add the count of pairs still waiting
// when the run ended. Without
// the scenario and the load rows, the reading of a finite apiserver
// capacity names the priority level's seats only when the points'
// parameters give both the seats and the replicas (see [plots.SeatLimit]);
// [Write] reads them from the scenario as run.
func Read(s *results.Summary, lat []results.LatencyDigest) Reading {
	return read(s, lat, levels(s, nil, nil))
}

func read(s *results.Summary, lat []results.LatencyDigest, lv []level) Reading {
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
		if capacityOn(pt, lv[0]) {
			r.Paragraphs = append(r.Paragraphs, capacitySentence(pt, lv[0]))
		}
		r.Paragraphs = append(r.Paragraphs, StaleWorkloads(s)...)
		r.Paragraphs = append(r.Paragraphs, faultParagraphs(pt)...)
		if f := failureSentence(pt); f != "" {
			r.Paragraphs = append(r.Paragraphs, f)
		}
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
	sum := verdicts(s, labels)
	r.Paragraphs = append(r.Paragraphs, intro, strings.Join(sum, " "))
	if slo := sloSummary(s, lv); slo != "" {
		r.Paragraphs = append(r.Paragraphs, slo)
	}
	r.Paragraphs = append(r.Paragraphs, StaleWorkloads(s)...)
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
		fmt.Fprintf(&b, "; %s GET/s, %s open watches, %s watch events/s, %s requests/s in all",
			rate(a.GetPerSec), rate(a.OpenWatchesMean), rate(a.WatchEventsPerSec), rate(plots.RequestsPerSec(&pt.Metrics)))
		if capacityOn(pt, lv[i]) {
			b.WriteString(capacityClause(pt, lv[i]))
		}
		b.WriteString(faultClause(pt) + ".")
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
func pendingPairs(s *results.Summary, lat []results.LatencyDigest) []int {
	out := make([]int, len(s.Points))
	for i := range min(len(out), len(lat)) {
		out[i] = int(lat[i].Pending)
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

// maxNarratedFaults is the most faults the reading tells one by one; past
// it, it sums them up.
const maxNarratedFaults = 4

// faultParagraphs tell, one paragraph each, what each fault of a point did
// and how long the cluster took to recover, or sum them up in one when
// there are many.
func faultParagraphs(pt *results.Point) []string {
	evs := pt.FaultEvents
	if len(evs) == 0 {
		return nil
	}
	if len(evs) <= maxNarratedFaults {
		out := make([]string, len(evs))
		for i := range evs {
			out[i] = faultSentence(&evs[i])
		}
		return out
	}
	counts := map[string]int{}
	var kinds []string
	var dropped, relists float64
	var peak results.VerbRates
	slowest := -1
	var unrecovered []string
	for i := range evs {
		e := &evs[i]
		if counts[e.Kind] == 0 {
			kinds = append(kinds, e.Kind)
		}
		counts[e.Kind]++
		dropped += e.WatchesDropped
		relists += e.Relists
		peak.Get, peak.List = math.Max(peak.Get, e.PeakPerSec.Get), math.Max(peak.List, e.PeakPerSec.List)
		peak.Watch, peak.Post = math.Max(peak.Watch, e.PeakPerSec.Watch), math.Max(peak.Post, e.PeakPerSec.Post)
		switch {
		case e.RecoverySeconds < 0:
			unrecovered = append(unrecovered, "the "+plots.FaultName(e.Kind)+" at "+clock(e.AtSeconds))
		case slowest < 0 || e.RecoverySeconds > evs[slowest].RecoverySeconds:
			slowest = i
		}
	}
	var what []string
	for _, k := range kinds {
		what = append(what, fmt.Sprintf("%d %s", counts[k], pluralName(plots.FaultName(k), counts[k])))
	}
	s := fmt.Sprintf("The run had %d faults (%s)", len(evs), joinAnd(what))
	switch {
	case dropped > 0 && relists > 0:
		s += fmt.Sprintf("; together they dropped %s %s and caused %s %s", rate(dropped), plural(dropped, "watch", "watches"), rate(relists), plural(relists, "relist", "relists"))
	case dropped > 0:
		s += fmt.Sprintf("; together they dropped %s %s", rate(dropped), plural(dropped, "watch", "watches"))
	}
	if peaks := peakList(&peak); len(peaks) > 0 {
		s += "; requests peaked at " + joinAnd(peaks)
	}
	s += "."
	if slowest >= 0 {
		e := &evs[slowest]
		s += fmt.Sprintf(" The slowest recovery took %s, after the %s at %s.", clock(e.RecoverySeconds), plots.FaultName(e.Kind), clock(e.AtSeconds))
	}
	switch n := len(unrecovered); {
	case n == 1:
		s += " " + upper(unrecovered[0]) + " did not recover before the run ended."
	case n > 1 && n <= 3:
		s += " " + upper(joinAnd(unrecovered)) + " did not recover before the run ended."
	case n > 3:
		s += fmt.Sprintf(" %d of them did not recover before the run ended, the first %s.", n, unrecovered[0])
	}
	return []string{s}
}

func pluralName(name string, n int) string {
	if n == 1 {
		return name
	}
	return name + "s"
}

// faultSentence tells what one fault did: its storm, then its recovery.
func faultSentence(e *results.FaultEvent) string {
	var b strings.Builder
	fmt.Fprintf(&b, "The %s at %s (%s", plots.FaultName(e.Kind), clock(e.AtSeconds), e.Target)
	if d := e.EndSeconds - e.AtSeconds; finite(d) && d > 0 {
		if e.Kind == "apiserverRestart" {
			fmt.Fprintf(&b, ", disrupted for %s", clock(d))
		} else {
			fmt.Fprintf(&b, ", over %s", clock(d))
		}
	}
	b.WriteString(")")
	var caused []string
	if e.Relists > 0 {
		caused = append(caused, rate(e.Relists)+" "+plural(e.Relists, "relist", "relists"))
	}
	if e.MountFailures > 0 {
		caused = append(caused, rate(e.MountFailures)+" failed volume "+plural(e.MountFailures, "mount", "mounts"))
	}
	switch {
	case e.WatchesDropped > 0 && len(caused) > 0:
		fmt.Fprintf(&b, " dropped %s %s and caused %s", rate(e.WatchesDropped), plural(e.WatchesDropped, "watch", "watches"), joinAnd(caused))
	case e.WatchesDropped > 0:
		fmt.Fprintf(&b, " dropped %s %s", rate(e.WatchesDropped), plural(e.WatchesDropped, "watch", "watches"))
	case len(caused) > 0:
		fmt.Fprintf(&b, " dropped no watch but caused %s", joinAnd(caused))
	default:
		b.WriteString(" dropped no watch")
	}
	if peaks := peakList(&e.PeakPerSec); len(peaks) > 0 {
		lead := "requests peaked at"
		if e.Relists > 0 && e.PeakPerSec.Post == 0 {
			lead = "the reflectors' relist storm peaked at"
		}
		b.WriteString("; " + lead + " " + joinAnd(peaks))
	}
	b.WriteString(". ")
	b.WriteString(recoverySentence(e))
	return b.String()
}

// peakList names the non-zero peak rates: "99 LIST/s", "5 token POST/s".
func peakList(p *results.VerbRates) []string {
	var out []string
	for _, v := range []struct {
		n    float64
		unit string
	}{{p.Get, "GET/s"}, {p.List, "LIST/s"}, {p.Watch, "WATCH/s"}, {p.Post, "token POST/s"}} {
		if finite(v.n) && v.n > 0 {
			out = append(out, rate(v.n)+" "+v.unit)
		}
	}
	return out
}

// recoverySentence tells how long a fault's recovery took.
func recoverySentence(e *results.FaultEvent) string {
	if e.RecoverySeconds < 0 {
		return "It did not recover before the run ended."
	}
	var parts []string
	named := false // "the fault" is named once, then "it"
	after := func(s float64) string {
		if named {
			return clock(s) + " after it"
		}
		named = true
		return clock(s) + " after the fault"
	}
	if e.WatchesDropped > 0 {
		if e.RewatchSeconds > 0 {
			parts = append(parts, "every dropped watch was open again "+after(e.RewatchSeconds))
		} else {
			parts = append(parts, "every dropped watch was open again at once")
		}
	}
	if e.MountFailures > 0 {
		parts = append(parts, "every failed mount had succeeded "+after(e.MountRecoverySeconds))
	}
	if e.ConvergeSeconds > 0 {
		parts = append(parts, "every pod's files held every earlier write "+after(e.ConvergeSeconds))
	} else {
		parts = append(parts, "every pod's files already held every earlier write")
	}
	if len(parts) == 1 {
		return upper(parts[0]) + "."
	}
	return upper(strings.Join(parts[:len(parts)-1], ", ")) + ", and " + parts[len(parts)-1] + "."
}

// failureSentence counts the run's failed requests and mounts.
func failureSentence(pt *results.Point) string {
	a := &pt.APIServer
	var parts []string
	if a.RefusedTotal > 0 {
		parts = append(parts, fmt.Sprintf("%s %s no apiserver replica to answer (connection refused)",
			rate(a.RefusedTotal), plural(a.RefusedTotal, "request found", "requests found")))
	}
	// 429s are priority and fairness's or a restarted replica's, whose
	// watch cache was initialising.
	if n := a.Rejected429Total - a.RejectedAPFTotal; n > 0 {
		parts = append(parts, fmt.Sprintf("%s %s 429 while a restarted replica's watch cache initialised (client-go's retries included)",
			rate(n), plural(n, "request got", "requests got")))
	}
	// With finite capacity, the capacity reading tells priority and
	// fairness's 429s.
	if n := a.RejectedAPFTotal; n > 0 && a.SeatsInUsePeak == 0 {
		parts = append(parts, fmt.Sprintf("%s %s 429 from priority and fairness (its queues full, or the wait too long)",
			rate(n), plural(n, "request got", "requests got")))
	}
	if a.Watch410Total > 0 {
		parts = append(parts, fmt.Sprintf("%s %s 410 Gone, too old to resume, so %s relisted",
			rate(a.Watch410Total), plural(a.Watch410Total, "WATCH got", "WATCHes got"), plural(a.Watch410Total, "its reflector", "their reflectors")))
	}
	var out []string
	if len(parts) > 0 {
		out = append(out, "Over the run, "+joinAnd(parts)+".")
	}
	if n := pt.Kubelet.MountFailuresTotal; n > 0 {
		out = append(out, fmt.Sprintf("In all, %s volume %s failed.", rate(n), plural(n, "mount", "mounts")))
	}
	return strings.Join(out, " ")
}

// faultClause sums up a point's faults for its one-line reading.
func faultClause(pt *results.Point) string {
	evs := pt.FaultEvents
	if len(evs) == 0 {
		return ""
	}
	f := &pt.Faults
	s := fmt.Sprintf("; %d %s dropped %s %s and caused %s %s", len(evs), plural(float64(len(evs)), "fault", "faults"),
		rate(f.WatchesDropped), plural(f.WatchesDropped, "watch", "watches"), rate(f.Relists), plural(f.Relists, "relist", "relists"))
	if f.RecoverySecondsMax < 0 {
		return s + ", and not all recovered before the run ended"
	}
	return s + ", the slowest recovering in " + clock(f.RecoverySecondsMax)
}

// clock formats seconds as the scenario file writes durations: "20m",
// "2m20s", "1h30m", "45s", "2.5s".
func clock(s float64) string {
	switch {
	case !finite(s):
		return "n/a"
	case s < 0:
		return "-" + clock(-s)
	case s < 10 && s != math.Trunc(s):
		return strconv.FormatFloat(s, 'g', 2, 64) + "s"
	}
	t := (time.Duration(math.Round(s)) * time.Second).String()
	if strings.HasSuffix(t, "m0s") {
		t = t[:len(t)-2]
	}
	if strings.HasSuffix(t, "h0m") {
		t = t[:len(t)-2]
	}
	return t
}
