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
	mean.FaultEvents = meanFaultEvents(reps)
	mean.Derived = reps[0].Derived
	var ciW, ciO []Group
	mean.ByWorkload, ciW = aggregateGroups(groupsOf(reps, func(m *Metrics) []Group { return m.ByWorkload }))
	mean.ByObject, ciO = aggregateGroups(groupsOf(reps, func(m *Metrics) []Group { return m.ByObject }))
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
	ci95.ByWorkload, ci95.ByObject = ciW, ciO
	ci95.FaultEvents = ciFaultEvents(reps, mean.FaultEvents, t)
	return mean, ci95
}

// sameArrivals reports whether every replication had the same fault
// arrivals (kind, time and target), so that their events can be averaged.
func sameArrivals(reps []Metrics) bool {
	first := reps[0].FaultEvents
	for _, r := range reps[1:] {
		if len(r.FaultEvents) != len(first) {
			return false
		}
		for i, e := range r.FaultEvents {
			if e.Kind != first[i].Kind || e.AtSeconds != first[i].AtSeconds || e.Target != first[i].Target {
				return false
			}
		}
	}
	return true
}

// ciFaultEvents returns each averaged fault event's 95% confidence
// half-widths (t is the Student t quantile), with its kind and target to
// name it (its time is the same in every replication: half-width 0); nil
// when the arrivals differ between replications. A recovery that some
// replication never reached has none.
func ciFaultEvents(reps []Metrics, mean []FaultEvent, t float64) []FaultEvent {
	if len(mean) == 0 || !sameArrivals(reps) {
		return nil
	}
	n := float64(len(reps))
	out := make([]FaultEvent, len(mean))
	for i := range mean {
		out[i] = FaultEvent{Kind: mean[i].Kind, Target: mean[i].Target}
		mf, cf := mean[i].Fields(), out[i].Fields() // Fields has no AtSeconds
		for j := range cf {
			var ss float64
			for _, r := range reps {
				d := *r.FaultEvents[i].Fields()[j] - *mf[j]
				ss += d * d
			}
			*cf[j] = t * math.Sqrt(ss/(n-1)) / math.Sqrt(n)
		}
		if mean[i].RecoverySeconds < 0 {
			out[i].RecoverySeconds = 0
		}
	}
	return out
}

// groupsOf returns each replication's groups that get selects.
func groupsOf(reps []Metrics, get func(*Metrics) []Group) [][]Group {
	out := make([][]Group, len(reps))
	for i := range reps {
		out[i] = get(&reps[i])
	}
	return out
}

// meanFaultEvents averages the replications' fault events when every
// replication had the same arrivals (kind, time and target), else returns
// the first replication's. A recovery of -1 (not recovered) in any
// replication stays -1.
func meanFaultEvents(reps []Metrics) []FaultEvent {
	first := reps[0].FaultEvents
	if len(first) == 0 {
		return nil
	}
	out := append([]FaultEvent(nil), first...)
	if !sameArrivals(reps) {
		return out
	}
	for i := range out {
		unrecovered := false
		dst := out[i].Fields()
		for _, f := range dst {
			*f = 0
		}
		for _, r := range reps {
			e := r.FaultEvents[i]
			unrecovered = unrecovered || e.RecoverySeconds < 0
			for j, f := range e.Fields() {
				*dst[j] += *f / float64(len(reps))
			}
		}
		if unrecovered {
			out[i].RecoverySeconds = -1
		}
	}
	return out
}
