package results

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Group is one workload's or one object group's share of a point: the
// latency of its (update, consumer) pairs, the pairs that never update,
// and the requests attributable to it.
type Group struct {
	// Name is the workload's name, or the object group's: the scenario's
	// object entry (its members pooled), or an implicit object
	// (kube-root-ca.crt, default-dockercfg) over every namespace.
	Name           string  `json:"name"`
	LatencySeconds Latency `json:"latency_seconds"`
	NeverUpdated   Never   `json:"never_updated"`
	// Requests are the requests for the group's objects. A workload's are
	// those for the object groups only it references; the requests for
	// groups it shares with other workloads (SharedObjects) are not split,
	// because the kubelet's Cache items and Watch reflectors are per node
	// and object, shared by every pod that references the object.
	Requests      GroupRequests `json:"requests"`
	SharedObjects []string      `json:"shared_objects,omitempty"`
}

// GroupRequests are request rates over the run: every request that reached
// an apiserver replica (as requests_total counts them) and the watch events
// sent, per second.
type GroupRequests struct {
	GetPerSec           float64 `json:"get_per_sec"`
	ListPerSec          float64 `json:"list_per_sec"`
	WatchRequestsPerSec float64 `json:"watch_requests_per_sec"`
	WatchEventsPerSec   float64 `json:"watch_events_per_sec"`
}

// Derived holds values a point's settings imply, computed before the run:
// the Cache TTL in force and the expected bound on a running pod's volume
// latency. They are the same in every replication.
type Derived struct {
	Strategy       string `json:"strategy"`
	KubeletVersion string `json:"kubelet_version"` // the release, "1.37"
	// CacheRefetchesEverySync is true for Cache up to 1.28, whose every
	// sync drops the cached objects: its reads do not wait out the TTL.
	CacheRefetchesEverySync bool    `json:"cache_refetches_every_sync,omitempty"`
	Nodes                   int     `json:"nodes"` // at the start
	SyncFrequencySeconds    float64 `json:"sync_frequency_seconds"`
	// CacheTTLSeconds is the TTL the Cache strategy uses at the start:
	// with cacheTTL auto ("auto"), the TTL controller's annotation for the
	// cluster size; with absent, the kubelet's defaultTTL of 60 s; else
	// the fixed value. CacheTTLMaxSeconds is the largest any node had
	// during the run (nodes joining can raise it). Only Cache uses them.
	CacheTTLSeconds    float64 `json:"cache_ttl_seconds"`
	CacheTTLSource     string  `json:"cache_ttl_source"`
	CacheTTLMaxSeconds float64 `json:"cache_ttl_max_seconds"`
	// SyncWaitMaxSeconds is the longest wait for a pod's next periodic
	// sync, 1.5 × syncFrequency; LoopsSeconds the sync loop's 1 s tick
	// plus the volume manager's two 100 ms loops.
	SyncWaitMaxSeconds float64 `json:"sync_wait_max_seconds"`
	LoopsSeconds       float64 `json:"loops_seconds"`
	// LatencyBoundSeconds is the expected longest latency of a running
	// pod's volume consumer without faults or queueing:
	// SyncWaitMaxSeconds + LoopsSeconds, plus CacheTTLSeconds under Cache
	// (GET and watch delivery times come on top).
	LatencyBoundSeconds float64 `json:"latency_bound_seconds"`
}

// fields returns pointers to every figure of g, for averaging.
func (g *Group) fields() []*float64 {
	l, n, r := &g.LatencySeconds, &g.NeverUpdated, &g.Requests
	return []*float64{&l.Count, &l.Mean, &l.P50, &l.P90, &l.P99, &l.Max,
		&n.Env, &n.SubPath, &n.Immutable,
		&r.GetPerSec, &r.ListPerSec, &r.WatchRequestsPerSec, &r.WatchEventsPerSec}
}

// aggregateGroups averages per-group figures over replications exactly as
// [Aggregate] does the pooled ones (mean, and Student t 95% half-width),
// matching groups by position: every replication of a point has the same
// workloads and object groups.
func aggregateGroups(reps [][]Group) (mean, ci95 []Group) {
	n := len(reps)
	if n == 0 || len(reps[0]) == 0 {
		return nil, nil
	}
	for _, r := range reps[1:] {
		if len(r) != len(reps[0]) {
			return append([]Group(nil), reps[0]...), nil
		}
	}
	mean = make([]Group, len(reps[0]))
	var t float64
	if n > 1 {
		ci95 = make([]Group, len(reps[0]))
		t = distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(0.975)
	}
	for g := range mean {
		mean[g].Name = reps[0][g].Name
		mean[g].SharedObjects = reps[0][g].SharedObjects
		mf := mean[g].fields()
		for i := range reps {
			for j, f := range reps[i][g].fields() {
				*mf[j] += *f
			}
		}
		for _, f := range mf {
			*f /= float64(n)
		}
		if ci95 == nil {
			continue
		}
		ci95[g].Name = reps[0][g].Name
		for j, c := range ci95[g].fields() {
			var ss float64
			for i := range reps {
				d := *reps[i][g].fields()[j] - *mf[j]
				ss += d * d
			}
			*c = t * math.Sqrt(ss/float64(n-1)) / math.Sqrt(float64(n))
		}
	}
	return mean, ci95
}
