package report

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"cmsim/plots"
	"cmsim/results"
	"cmsim/scenarios"
)

// level is the kubelets' priority level of a point: its seats on each
// apiserver replica (0: unknown) and whether other clients share it.
type level struct {
	seats, replicas int
	background      bool
}

// total is the level's seats over every replica, as the seats in use
// count them; 0 when unknown.
func (l level) total() float64 { return float64(l.seats * l.replicas) }

// name is "74 seats", or "74 seats on each of 3 replicas".
func (l level) name() string {
	s := plural(float64(l.seats), "1 seat", strconv.Itoa(l.seats)+" seats")
	if l.replicas > 1 {
		s += fmt.Sprintf(" on each of %d replicas", l.replicas)
	}
	return s
}

// levels returns each point's priority level: from the scenario as run,
// its sweep applied to each point, or else from the point's parameters
// (see [plots.SeatLimit]). A point without capacity, or whose scenario
// cannot be read, gets the zero level.
func levels(s *results.Summary, scenarioYAML []byte, load []results.LoadRow) []level {
	out := make([]level, len(s.Points))
	var pts []scenarios.Point
	if sc, err := scenarios.Load("scenario.yaml", scenarioYAML, nil); err == nil {
		pts, _ = sc.Points()
	}
	for i := range s.Points {
		pt := &s.Points[i]
		for _, sp := range pts {
			if !slices.ContainsFunc(sp.Params, func(p scenarios.Param) bool { return pt.Params[p.Path] != p.Value }) {
				a := &sp.Scenario.Cluster.APIServer
				if a.Capacity != nil {
					out[i] = level{seats: a.Capacity.Seats, replicas: a.Replicas, background: a.Capacity.Background != nil}
				}
				break
			}
		}
		if out[i].seats > 0 {
			continue
		}
		if lim := plots.SeatLimit(pt, plots.LoadOf(load, i, 0)); lim > 0 {
			seats, _ := strconv.Atoi(pt.Params[plots.SeatsParam])
			out[i] = level{seats: seats, replicas: int(lim) / seats}
		}
	}
	return out
}

// capacityOn reports whether a point ran with finite apiserver capacity.
func capacityOn(pt *results.Point, l level) bool {
	return l.seats > 0 || pt.APIServer.SeatsInUsePeak > 0
}

// capacitySection is the report's Apiserver capacity section: the level's
// figures, one row per point with capacity, and each point's request
// latency by verb.
type capacitySection struct {
	Level   table
	Latency []pointTable
}

// verbs are the request verbs of [results.RequestLatency], as named in
// tables and the reading.
var verbs = []struct {
	name string
	of   func(*results.RequestLatency) *results.VerbLatency
}{
	{"GET", func(r *results.RequestLatency) *results.VerbLatency { return &r.Get }},
	{"LIST", func(r *results.RequestLatency) *results.VerbLatency { return &r.List }},
	{"WATCH", func(r *results.RequestLatency) *results.VerbLatency { return &r.Watch }},
	{"POST", func(r *results.RequestLatency) *results.VerbLatency { return &r.Post }},
}

// capacityTables builds the capacity section, or nil when no point had
// finite capacity.
func capacityTables(s *results.Summary, lv []level) *capacitySection {
	keys := labelKeys(s)
	labels := plots.PointLabels(s)
	sec := &capacitySection{Level: table{Compact: true}}
	// The seats have their own column unless a parameter column already
	// gives them all.
	seatsColumn := !slices.Contains(keys, plots.SeatsParam) ||
		slices.ContainsFunc(lv, func(l level) bool { return l.replicas > 1 })
	sec.Level.Head = paramHead(s, keys)
	if seatsColumn {
		sec.Level.Head = append(sec.Level.Head, "seats")
	}
	sec.Level.Head = append(sec.Level.Head, "busy (mean)", "seats in use (mean)", "seats in use (peak)",
		"requests waiting (mean)", "requests waiting (peak)", "429/s", "retries/s")
	for i := range s.Points {
		pt := &s.Points[i]
		if !capacityOn(pt, lv[i]) {
			continue
		}
		a := func(f func(*results.APIServer) float64) cell {
			return metricCell(pt, func(m *results.Metrics) float64 { return f(&m.APIServer) }, small)
		}
		row := paramCells(s, i, keys)
		seats, busy := cell{Text: "–"}, cell{Text: "–"}
		if lv[i].seats > 0 {
			seats.Text = strconv.Itoa(lv[i].seats)
			if lv[i].replicas > 1 {
				seats.Text = fmt.Sprintf("%d × %d", lv[i].replicas, lv[i].seats)
			}
			busy.Text = percent(pt.APIServer.SeatsInUseMean / lv[i].total())
		}
		if seatsColumn {
			row = append(row, seats)
		}
		sec.Level.Rows = append(sec.Level.Rows, append(row, busy,
			a(func(x *results.APIServer) float64 { return x.SeatsInUseMean }),
			a(func(x *results.APIServer) float64 { return x.SeatsInUsePeak }),
			a(func(x *results.APIServer) float64 { return x.QueuedMean }),
			a(func(x *results.APIServer) float64 { return x.QueuedPeak }),
			a(func(x *results.APIServer) float64 { return x.RejectedPerSec }),
			a(func(x *results.APIServer) float64 { return x.RetriesPerSec }),
		))
		t := table{Compact: true, Head: []string{"verb", "requests", "mean", "p50", "p99", "max", "throttle p99", "queue p99", "service p99"}}
		l := func(f func(*results.RequestLatency) float64) cell {
			return metricCell(pt, func(m *results.Metrics) float64 { return f(&m.APIServer.RequestLatency) }, ms)
		}
		rl := &pt.APIServer.RequestLatency
		var count float64
		for _, v := range verbs {
			count += v.of(rl).Count
		}
		none := cell{Text: "–"}
		t.Rows = append(t.Rows, []cell{{Text: "all", Param: true}, {Text: rate(count)},
			l(func(r *results.RequestLatency) float64 { return r.Mean }),
			l(func(r *results.RequestLatency) float64 { return r.P50 }),
			l(func(r *results.RequestLatency) float64 { return r.P99 }),
			l(func(r *results.RequestLatency) float64 { return r.Max }),
			none, none, none,
		})
		for _, v := range verbs {
			if v.of(rl).Count == 0 {
				continue
			}
			f := func(g func(*results.VerbLatency) float64) cell {
				return l(func(r *results.RequestLatency) float64 { return g(v.of(r)) })
			}
			t.Rows = append(t.Rows, []cell{{Text: v.name, Param: true}, {Text: rate(v.of(rl).Count)},
				f(func(x *results.VerbLatency) float64 { return x.Mean }),
				f(func(x *results.VerbLatency) float64 { return x.P50 }),
				f(func(x *results.VerbLatency) float64 { return x.P99 }),
				f(func(x *results.VerbLatency) float64 { return x.Max }),
				f(func(x *results.VerbLatency) float64 { return x.ThrottleP99 }),
				f(func(x *results.VerbLatency) float64 { return x.QueueP99 }),
				f(func(x *results.VerbLatency) float64 { return x.ServiceP99 }),
			})
		}
		pt2 := pointTable{Table: t}
		if len(s.Points) > 1 {
			pt2.Label = fmt.Sprintf("#%d: %s", i, labels[i])
		}
		sec.Latency = append(sec.Latency, pt2)
	}
	if len(sec.Latency) == 0 {
		return nil
	}
	return sec
}

// sloSeconds is the scalability SLO's bound on the p99 latency of
// read-only single-object API calls (GET), over every 5 minutes.
const sloSeconds = 1.0

// mainVerb is the verb a point's reading tells of: GET when the kubelets
// made any, else the one they made most of.
func mainVerb(rl *results.RequestLatency) (string, *results.VerbLatency) {
	best := 0
	for i, v := range verbs {
		if v.of(rl).Count > verbs[best].of(rl).Count {
			best = i
		}
		if i == 0 && v.of(rl).Count > 0 {
			break
		}
	}
	return verbs[best].name, verbs[best].of(rl)
}

// capacitySentence tells how busy a point's priority level was, how long
// requests queued and how many got 429, then whether GETs met the SLO.
func capacitySentence(pt *results.Point, l level) string {
	a := &pt.APIServer
	var b strings.Builder
	b.WriteString("The kubelets' priority level")
	switch {
	case l.seats > 0 && l.background:
		fmt.Fprintf(&b, " (%s, shared with other clients' requests)", l.name())
	case l.seats > 0:
		fmt.Fprintf(&b, " (%s)", l.name())
	}
	if total := l.total(); total > 0 {
		fmt.Fprintf(&b, " was %s busy on average", percent(a.SeatsInUseMean/total))
		if a.SeatsInUsePeak >= total {
			b.WriteString(" and full at its peak")
		} else {
			fmt.Fprintf(&b, ", at most %s of its %s seats at once", rate(a.SeatsInUsePeak), rate(total))
		}
	} else {
		fmt.Fprintf(&b, " had %s seats in use on average and %s at its peak", rate(a.SeatsInUseMean), rate(a.SeatsInUsePeak))
	}
	b.WriteString(". ")
	name, v := mainVerb(&a.RequestLatency)
	switch {
	case a.QueuedPeak == 0 || a.QueuedMean == 0:
		// A request that finds a seat passes through its queue in no
		// time: the peak may count it, the mean does not.
		b.WriteString("No request waited in its queues")
	case v.Count > 0:
		fmt.Fprintf(&b, "Up to %s %s waited in its queues at once; %ss waited %s there at p99 (%s on average)",
			rate(a.QueuedPeak), plural(a.QueuedPeak, "request", "requests"), name, ms(v.QueueP99), ms(v.QueueMean))
	default:
		fmt.Fprintf(&b, "Up to %s %s waited in its queues at once", rate(a.QueuedPeak), plural(a.QueuedPeak, "request", "requests"))
	}
	if n := a.RejectedAPFTotal; n > 0 {
		fmt.Fprintf(&b, ", and %s %s 429 from it, which client-go retried at %s a second.", rate(n), plural(n, "request got", "requests got"), rate(a.RetriesPerSec))
	} else {
		b.WriteString(", and no request got 429 from it.")
	}
	if s := sloSentence(&a.RequestLatency.Get); s != "" {
		b.WriteString(" " + s)
	}
	return b.String()
}

// sloSentence compares GET p99 with the scalability SLO. The p99 counts
// the client's throttling and retries, so one within the bound is met by
// the apiserver too; one over it may not be the apiserver's.
func sloSentence(get *results.VerbLatency) string {
	if get.Count == 0 || !finite(get.P99) {
		return ""
	}
	lead := fmt.Sprintf("Over the run, GET p99 was %s (throttling and retries included): ", ms(get.P99))
	if get.P99 <= sloSeconds {
		return lead + "within the scalability SLO for read-only single-object calls, p99 ≤ 1 s (which the SLO asks of every 5 minutes)."
	}
	s := lead + "over the scalability SLO for read-only single-object calls, p99 ≤ 1 s"
	if get.QueueP99 > sloSeconds {
		s += fmt.Sprintf("; its wait in the queues alone was %s at p99", ms(get.QueueP99))
	}
	return s + "."
}

// capacityClause sums up a point's capacity for its one-line reading.
func capacityClause(pt *results.Point, l level) string {
	a := &pt.APIServer
	var s string
	if total := l.total(); total > 0 {
		s = fmt.Sprintf("; priority level %s busy", percent(a.SeatsInUseMean/total))
		if a.SeatsInUsePeak >= total {
			s += " (full at its peak)"
		}
	} else {
		s = fmt.Sprintf("; %s seats in use (peak %s)", rate(a.SeatsInUseMean), rate(a.SeatsInUsePeak))
	}
	if g := &a.RequestLatency.Get; g.Count > 0 {
		s += ", GET p99 " + ms(g.P99)
	}
	if a.RejectedPerSec > 0 {
		return s + ", 429s at " + rate(a.RejectedPerSec) + "/s"
	}
	return s + ", no 429"
}

// sloSummary tells at which points GET p99 met the scalability SLO.
func sloSummary(s *results.Summary, lv []level) string {
	labels := plots.PointLabels(s)
	var met, missed []int
	for i := range s.Points {
		pt := &s.Points[i]
		g := &pt.APIServer.RequestLatency.Get
		if !capacityOn(pt, lv[i]) || g.Count == 0 || !finite(g.P99) {
			continue
		}
		if g.P99 <= sloSeconds {
			met = append(met, i)
		} else {
			missed = append(missed, i)
		}
	}
	n := len(met) + len(missed)
	if n == 0 {
		return ""
	}
	p99 := func(i int) float64 { return s.Points[i].APIServer.RequestLatency.Get.P99 }
	named := func(is []int) string {
		var out []string
		for _, i := range is {
			out = append(out, fmt.Sprintf("%s (%s)", labels[i], ms(p99(i))))
		}
		if len(out) > 3 {
			return fmt.Sprintf("%s and %d more", strings.Join(out[:3], ", "), len(out)-3)
		}
		return joinAnd(out)
	}
	lead := "GET p99 over the run (throttling and retries included) "
	const slo = "the scalability SLO for read-only single-object calls (p99 ≤ 1 s)"
	switch {
	case len(missed) == 0:
		worst := slices.MaxFunc(met, func(a, b int) int { return cmpFloat(p99(a), p99(b)) })
		return fmt.Sprintf("%smet %s at every point with finite capacity; the highest was %s at %s.", lead, slo, ms(p99(worst)), labels[worst])
	case len(met) == 0:
		best := slices.MinFunc(missed, func(a, b int) int { return cmpFloat(p99(a), p99(b)) })
		return fmt.Sprintf("%smissed %s at every point with finite capacity; the lowest was %s at %s.", lead, slo, ms(p99(best)), labels[best])
	}
	return fmt.Sprintf("%smet %s at %d of %d points; it missed it at %s.", lead, slo, len(met), n, named(missed))
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ms formats a request latency: milliseconds below a second ("0.27 ms",
// "7.5 ms", "213 ms"), else as [plots.FormatSeconds].
func ms(v float64) string {
	if !finite(v) || v <= 0 || v >= 1 {
		return sec(v)
	}
	x := v * 1000
	if x < 10 {
		return strconv.FormatFloat(x, 'g', 2, 64) + " ms"
	}
	return strconv.FormatFloat(math.Round(x), 'f', 0, 64) + " ms"
}

// small formats a rate or count as [plots.FormatRate] does, but "< 0.01"
// for a positive one below that.
func small(v float64) string {
	if v > 0 && v < 0.01 {
		return "< 0.01"
	}
	return rate(v)
}

// percent formats a share: "38%", "0.4%", "100%".
func percent(f float64) string {
	if !finite(f) {
		return "n/a"
	}
	p := f * 100
	if p > 0 && p < 1 {
		return strconv.FormatFloat(p, 'g', 1, 64) + "%"
	}
	return strconv.FormatFloat(math.Round(p), 'f', 0, 64) + "%"
}
