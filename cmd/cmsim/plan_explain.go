package main

import (
	"fmt"
	"math"
	"strings"

	"cmsim/experiment"
	"cmsim/plots"
	"cmsim/report"
)

// noneReason explains, in whole sentences, why no value met the
// objective: what the search concluded, the best value found and, for an
// update-latency objective, which term of the latency sets the floor.
func noneReason(pf *planFile, s experiment.Search) string {
	param := plots.ParamName(pf.Param)
	end, worse := pf.Min, "larger"
	if pf.Find == "smallest" {
		end, worse = pf.Max, "smaller"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "No value of %s in [%s, %s] is expected to meet %s: %s = %s does not, and the search assumes that %s values do no better.",
		param, pf.Min, pf.Max, pf.Objective, param, end, worse)
	best := bestEvaluation(pf.Evaluations, s.Objective)
	if best == nil {
		b.WriteString(" No value tried gave the metric a value: no update was observed.")
		return b.String()
	}
	gave := fmtMetric(pf.Metric, best.Mean)
	if best.CI95 > 0 {
		gave += " ± " + fmtMetric(pf.Metric, best.CI95)
	}
	fmt.Fprintf(&b, " The best value tried, %s = %s, gave %s = %s, against a threshold of %s.",
		param, best.Value, pf.Metric, gave, fmtMetric(pf.Metric, pf.Threshold))
	if strings.HasPrefix(pf.Metric, "latency.") && s.Objective.Upper() {
		if f := latencyFloor(pf, best); f != "" {
			b.WriteString(" " + f)
		}
	}
	return b.String()
}

// bestEvaluation returns the evaluation that came closest to meeting the
// objective: the lowest bound for an upper-bound objective, else the
// highest; nil when none has a defined metric.
func bestEvaluation(evs []experiment.Evaluation, obj experiment.Objective) *experiment.Evaluation {
	var best *experiment.Evaluation
	for i := range evs {
		e := &evs[i]
		if e.Verdict == "undefined" || math.IsNaN(e.Bound) {
			continue
		}
		if best == nil || (obj.Upper() && e.Bound < best.Bound) || (!obj.Upper() && e.Bound > best.Bound) {
			best = e
		}
	}
	return best
}

// latencyTerm is one part of the expected latency bound at a value.
type latencyTerm struct {
	label  string // "the Cache TTL"
	detail string // why it is what it is, as a clause
	secs   float64
	fixed  bool // the searched parameter does not change it
}

// latencyFloor names the term of the update latency that sets its floor at
// the best value (the largest of those the searched parameter does not
// change), or else the largest term, and gives the expected bound.
func latencyFloor(pf *planFile, best *experiment.Evaluation) string {
	pt := best.Point(pf.Param)
	d := pt.Derived
	if d.Strategy == "" {
		return ""
	}
	param, name := pf.Param, plots.ParamName(pf.Param)
	terms := []latencyTerm{
		{"the wait for the pod's next sync", "up to 1.5 × syncFrequency", d.SyncWaitMaxSeconds, !strings.HasSuffix(param, ".syncFrequency")},
		{"the sync tick and the volume manager's loops", "1 s and two 100 ms loops", d.LoopsSeconds, true},
	}
	if d.Strategy == "Cache" && !d.CacheRefetchesEverySync { // up to 1.28 every sync refetches
		var why string
		switch d.CacheTTLSource {
		case "auto":
			why = fmt.Sprintf("the TTL controller sets it to %s for %d nodes", secsText(d.CacheTTLSeconds), d.Nodes)
		case "absent":
			why = fmt.Sprintf("without the annotation the kubelet uses its default, %s", secsText(d.CacheTTLSeconds))
		default:
			why = fmt.Sprintf("it is fixed at %s", secsText(d.CacheTTLSeconds))
		}
		why += ", and a kubelet serves its cached copy that long before it reads the object again"
		terms = append(terms, latencyTerm{"the Cache TTL", why, d.CacheTTLSeconds,
			!strings.HasSuffix(param, ".cacheTTL") && !(param == "cluster.nodes" && d.CacheTTLSource == "auto")})
	}
	if rl := pt.APIServer.RequestLatency.P99; rl >= 0.1 {
		terms = append(terms, latencyTerm{"the apiserver's request latency", "throttling, queueing and service time at p99", rl,
			strings.HasSuffix(param, ".syncFrequency") || strings.HasSuffix(param, ".cacheTTL")})
	}
	largest, floor, fixedSum := 0, -1, 0.0
	for i, t := range terms {
		if t.secs > terms[largest].secs {
			largest = i
		}
		if t.fixed {
			fixedSum += t.secs
			if floor < 0 || t.secs > terms[floor].secs {
				floor = i
			}
		}
	}
	var b strings.Builder
	tail := strings.HasSuffix(pf.Metric, ".p99") || strings.HasSuffix(pf.Metric, ".max")
	if tail && floor >= 0 && fixedSum >= pf.Threshold {
		t := terms[floor]
		fmt.Fprintf(&b, "%s sets the floor: %s.", upperFirst(t.label), t.detail)
		var others []string
		for i, o := range terms {
			if o.fixed && i != floor && o.secs > 0 {
				others = append(others, fmt.Sprintf("%s (%s)", o.label, secsText(o.secs)))
			}
		}
		if len(others) > 0 {
			fmt.Fprintf(&b, " With %s, which %s does not change either, a pair can wait %s whatever %s is.", strings.Join(others, " and "), name, secsText(fixedSum), name)
		} else {
			fmt.Fprintf(&b, " A pair can wait %s whatever %s is.", secsText(fixedSum), name)
		}
	} else {
		t := terms[largest]
		fmt.Fprintf(&b, "The largest term of the latency there is %s, %s (%s).", t.label, secsText(t.secs), t.detail)
	}
	fmt.Fprintf(&b, " At %s = %s the expected bound on a running pod's latency is %s.", name, best.Value, report.BoundText(d))
	if d.Strategy == "Cache" && d.CacheTTLSeconds > 0 && (terms[largest].label == "the Cache TTL" || floor >= 0 && terms[floor].label == "the Cache TTL") {
		b.WriteString(" To go lower, shorten the TTL (cluster.kubelet.cacheTTL) or use the Watch strategy, whose kubelets learn of a change from a watch event.")
	}
	return b.String()
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// secsText formats seconds to a tenth: "30 s", "38.7 s".
func secsText(v float64) string {
	return strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%.1f", v), "0"), ".") + " s"
}
