package model

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"cmsim/internal/hugepages"
	"cmsim/sim"
)

// Recorder holds what a run observed, as plain data: the apiserver and
// kubelet load in fixed time buckets, request totals, and one sample per
// (update, consumer). Nothing in it does I/O.
type Recorder struct {
	bucket  sim.Time
	horizon sim.Time

	GetEtcd       []float64 // GET requests served from etcd (resourceVersion="")
	GetCache      []float64 // GET requests served from the watch cache (resourceVersion="0")
	List          []float64
	WatchReqs     []float64 // WATCH requests (opened, re-issued or resumed)
	WatchEvents   []float64 // watch events sent to kubelets
	Bookmarks     []float64 // BOOKMARK events (one per open watch-minute plus one before each deadline)
	Bytes         []float64 // response bytes: objects sent in GET, LIST and watch events
	Updates       []float64 // accepted writes to objects
	Syncs         []float64 // kubelet pod syncs
	Remounts      []float64 // volume manager MountVolume (remount) operations
	VolumeWrites  []float64 // AtomicWriter swaps (content changed)
	OpenWatchSec  []float64 // integral of open watches over the bucket (watch-seconds)
	OpenWatchMax  []float64
	TokenReqs     []float64 // POST serviceaccounts/token (TokenRequest)
	Refused       []float64 // requests no apiserver replica answered
	Rejected      []float64 // 429 Too Many Requests responses
	Gone          []float64 // WATCHes answered 410 Gone (the reflector relists)
	MountFailures []float64 // failed MountVolume operations
	Retries       []float64 // client-go's retries of 429s
	RejectedAPF   []float64 // 429s from priority and fairness (queue full or waited too long)
	// Finite capacity: integrals over each bucket (seat-seconds, request-
	// seconds waiting) and maxima of the seats in use and the requests
	// waiting in queues, summed over replicas; request latencies.
	SeatsSec, SeatsMax, QueuedSec, QueuedMax []float64
	LatencySum, LatencyMax, LatencyCount     []float64 // LatencySum in nanoseconds, LatencyMax in seconds
	seats, queued                            int64
	seatsAt, queuedAt                        sim.Time
	seatsPeak, queuedPeak                    int64
	// latencies[v] are request latencies by verb: total, throttle, queue and
	// service.
	latencies [verbs][4]latencyHistogram
	// OpenWatchRepSec[r] is replica r's integral of open watches per bucket,
	// with several replicas.
	OpenWatchRepSec [][]float64

	// gauge logs every change of the open-watch count; the series above
	// are derived from it when partitions are merged.
	gauge    []gaugeChange
	openPeak int64

	// ByResource counts requests over the run by API resource (indexed by
	// ObjectKind: configmaps, secrets).
	ByResource [2]ResourceCounts
	// Requests counts every request that reached a replica over the run,
	// by verb and resource (configmaps, secrets, serviceaccounts/token).
	Requests [verbs][resources]float64
	// Groups counts requests and watch events by object group (see
	// Config.ObjectGroups).
	Groups []GroupCounts
	// perSecond counts requests by verb in each second of the run, for the
	// peak rates; the Cluster sums the partitions' and drops them.
	perSecond [verbs][]uint32

	// exposures are the recorded file swaps and container starts, in
	// blocks of exposureBlock (a growing slice would copy itself and leave
	// its old arrays, fresh pages, behind); Result turns them into samples.
	exposures [][]exposure
	// Samples has one entry per (update, consumer) pair; Result fills it,
	// sorted by update then consumer.
	Samples []Sample

	faults []faultStats
}

// GroupCounts are one object group's request and watch-event counts over
// the run: every request that reached a replica, as Requests counts them.
type GroupCounts struct {
	Get, List, Watch, WatchEvents float64
}

// Resources counted in Recorder.Requests.
const (
	resConfigMaps = iota
	resSecrets
	resTokens
	resources
)

// exposure is a consumer's files (or container) holding version v of a
// source's object from at on.
type exposure struct {
	cons, src, version int32
	at                 sim.Time
}

// faultStats is what one fault did, summed over partitions.
type faultStats struct {
	watchesDropped float64
	relists        float64
	mountFailures  float64
	rewatched      sim.Time // the last dropped watch open again (-1: none dropped)
	mountRecovered sim.Time // the last failed mount succeeding (-1: none failed)
	unrecovered    bool     // some dropped watch or failed mount never recovered
}

// Sample is one (update, consumer) observation. Observed is -1 when the
// consumer never saw the update; Never says why (NeverNone: the run ended
// first, or the pod was deleted first).
type Sample struct {
	Update   int32
	Consumer int32
	Observed sim.Time
	Never    NeverReason
}

// NeverReason says why a consumer can never observe an update.
type NeverReason uint8

// Reasons.
const (
	NeverNone NeverReason = iota
	NeverEnv
	NeverSubPath
	NeverImmutable
)

func newRecorder(horizon sim.Time, bucket time.Duration, faults, replicas, groups int) *Recorder {
	n := int((horizon + sim.Time(bucket) - 1) / sim.Time(bucket))
	if n == 0 {
		n = 1
	}
	mk := func() []float64 { return make([]float64, n) }
	r := &Recorder{
		bucket: sim.Time(bucket), horizon: horizon,
		GetEtcd: mk(), GetCache: mk(), List: mk(), WatchReqs: mk(), WatchEvents: mk(),
		Bookmarks: mk(), Bytes: mk(), Updates: mk(), Syncs: mk(), Remounts: mk(),
		VolumeWrites: mk(), OpenWatchSec: mk(), OpenWatchMax: mk(),
		TokenReqs: mk(), Refused: mk(), Rejected: mk(), Gone: mk(), MountFailures: mk(),
		Retries: mk(), RejectedAPF: mk(),
		SeatsSec: mk(), SeatsMax: mk(), QueuedSec: mk(), QueuedMax: mk(),
		LatencySum: mk(), LatencyMax: mk(), LatencyCount: mk(),
	}
	if replicas > 1 {
		r.OpenWatchRepSec = make([][]float64, replicas)
		for i := range r.OpenWatchRepSec {
			r.OpenWatchRepSec[i] = mk()
		}
	}
	secs := int(horizon/sim.Time(time.Second)) + 1
	for v := range r.perSecond {
		r.perSecond[v] = make([]uint32, secs)
	}
	r.faults = make([]faultStats, faults)
	r.Groups = make([]GroupCounts, groups)
	for i := range r.faults {
		r.faults[i].rewatched, r.faults[i].mountRecovered = -1, -1
	}
	return r
}

// idx returns the bucket of t, or -1 beyond the horizon (work that completes
// after the run ends is not counted).
func (r *Recorder) idx(t sim.Time) int {
	if t > r.horizon || t < 0 {
		return -1
	}
	i := int(t / r.bucket)
	if i == len(r.GetEtcd) { // t == horizon on a bucket boundary
		i--
	}
	return i
}

func (r *Recorder) add(series []float64, t sim.Time, v float64) {
	if i := r.idx(t); i >= 0 {
		series[i] += v
	}
}

// count records one request of verb v for object kind k and object group
// g (-1: none, a TokenRequest) that reached a replica at t: in the totals,
// the per-second counts and, for LIST, WATCH and POST, their time series.
// GETs' series are split by serving path by the caller.
func (r *Recorder) count(v verb, k ObjectKind, g int32, t sim.Time) {
	if t < 0 || t > r.horizon {
		return
	}
	res := int(k)
	switch v {
	case verbGet:
		if g >= 0 {
			r.Groups[g].Get++
		}
	case verbList:
		r.add(r.List, t, 1)
		r.ByResource[k].List++
		if g >= 0 {
			r.Groups[g].List++
		}
	case verbWatch:
		r.add(r.WatchReqs, t, 1)
		r.ByResource[k].WatchReqs++
		if g >= 0 {
			r.Groups[g].Watch++
		}
	case verbCreate:
		r.add(r.TokenReqs, t, 1)
		res = resTokens
	}
	r.Requests[v][res]++
	r.perSecond[v][t/sim.Time(time.Second)]++
}

// groupEvent counts one watch event for object group g sent at t.
func (r *Recorder) groupEvent(g int32, t sim.Time) {
	if t >= 0 && t <= r.horizon {
		r.Groups[g].WatchEvents++
	}
}

// ResourceCounts are one resource's request counts over the run.
type ResourceCounts struct {
	GetEtcd, GetCache, List, WatchReqs, WatchEvents float64
}

// addRes counts one request for resource k at t, into the field f selects.
func (r *Recorder) addRes(k ObjectKind, t sim.Time, f func(*ResourceCounts) *float64) {
	if t >= 0 && t <= r.horizon {
		*f(&r.ByResource[k])++
	}
}

type gaugeChange struct {
	at      sim.Time
	delta   int32
	replica int32
}

// openWatchDelta records d watches opened (d > 0) or closed (d < 0) at t on
// replica rep.
func (r *Recorder) openWatchDelta(t sim.Time, d int32, rep int32) {
	r.gauge = append(r.gauge, gaugeChange{t, d, rep})
}

func (r *Recorder) faultWatchDropped(f int32) {
	if f >= 0 {
		r.faults[f].watchesDropped++
	}
}

func (r *Recorder) faultRewatched(f int32, t sim.Time) {
	r.faults[f].rewatched = max(r.faults[f].rewatched, t)
}

func (r *Recorder) faultRelisted(f int32) { r.faults[f].relists++ }

func (r *Recorder) faultMountFailures(f int32) { r.faults[f].mountFailures++ }

func (r *Recorder) faultMountRecovered(f int32, t sim.Time) {
	r.faults[f].mountRecovered = max(r.faults[f].mountRecovered, t)
}

// addPerSecond adds a finished partition's per-second request counts to
// the cluster's and drops them from the partition.
func (c *Cluster) addPerSecond(r *Recorder) {
	c.perSecMu.Lock()
	defer c.perSecMu.Unlock()
	for v := range r.perSecond {
		if c.perSecond[v] == nil {
			c.perSecond[v] = r.perSecond[v]
		} else {
			for i, n := range r.perSecond[v] {
				c.perSecond[v][i] += n
			}
		}
		r.perSecond[v] = nil
	}
}

// merge adds the recordings of partitions into r. Counts are whole numbers,
// so their sums are exact in any order; the open-watch gauge is rebuilt from
// the merged change log, changes at one instant applied together.
func (r *Recorder) merge(parts []*Recorder) {
	series := func(r *Recorder) [][]float64 {
		return [][]float64{r.GetEtcd, r.GetCache, r.List, r.WatchReqs, r.WatchEvents, r.Bookmarks,
			r.Bytes, r.Updates, r.Syncs, r.Remounts, r.VolumeWrites,
			r.TokenReqs, r.Refused, r.Rejected, r.Gone, r.MountFailures, r.Retries, r.RejectedAPF,
			r.SeatsSec, r.QueuedSec, r.LatencySum, r.LatencyCount}
	}
	dst := series(r)
	// Sized once: a large cluster's gauge steps are tens of MB.
	var gauge int
	for _, p := range parts {
		gauge += len(p.gauge)
	}
	r.gauge = slices.Grow(r.gauge, gauge)
	for _, p := range parts {
		for i, s := range series(p) {
			for j, v := range s {
				dst[i][j] += v
			}
		}
		for k := range r.ByResource {
			a, b := &r.ByResource[k], &p.ByResource[k]
			a.GetEtcd += b.GetEtcd
			a.GetCache += b.GetCache
			a.List += b.List
			a.WatchReqs += b.WatchReqs
			a.WatchEvents += b.WatchEvents
		}
		for g := range r.Groups {
			a, b := &r.Groups[g], &p.Groups[g]
			a.Get += b.Get
			a.List += b.List
			a.Watch += b.Watch
			a.WatchEvents += b.WatchEvents
		}
		for v := range r.Requests {
			for k := range r.Requests[v] {
				r.Requests[v][k] += p.Requests[v][k]
			}
		}
		for f := range r.faults {
			a, b := &r.faults[f], &p.faults[f]
			a.watchesDropped += b.watchesDropped
			a.relists += b.relists
			a.mountFailures += b.mountFailures
			a.rewatched = max(a.rewatched, b.rewatched)
			a.mountRecovered = max(a.mountRecovered, b.mountRecovered)
			a.unrecovered = a.unrecovered || b.unrecovered
		}
		r.gauge = append(r.gauge, p.gauge...)
		r.exposures = append(r.exposures, p.exposures...) // the blocks, not copies
		for i := range r.SeatsMax {
			r.SeatsMax[i] = max(r.SeatsMax[i], p.SeatsMax[i])
			r.QueuedMax[i] = max(r.QueuedMax[i], p.QueuedMax[i])
			r.LatencyMax[i] = max(r.LatencyMax[i], p.LatencyMax[i])
		}
		r.seatsPeak = max(r.seatsPeak, p.seatsPeak)
		r.queuedPeak = max(r.queuedPeak, p.queuedPeak)
		for v := range r.latencies {
			for k := range r.latencies[v] {
				r.latencies[v][k].merge(&p.latencies[v][k])
			}
		}
	}
	slices.SortStableFunc(r.gauge, func(a, b gaugeChange) int { return cmp.Compare(a.at, b.at) })
	var open int64
	repOpen := make([]int64, len(r.OpenWatchRepSec))
	var since sim.Time
	nsec := make([]int64, len(r.OpenWatchSec)) // watch-nanoseconds per bucket
	repNsec := make([][]int64, len(r.OpenWatchRepSec))
	for i := range repNsec {
		repNsec[i] = make([]int64, len(nsec))
	}
	integrate := func(to sim.Time) {
		to = min(to, r.horizon)
		for since < to {
			i := int(since / r.bucket)
			end := min(sim.Time(i+1)*r.bucket, to)
			if i < len(nsec) {
				nsec[i] += open * int64(end-since)
				for k, o := range repOpen {
					repNsec[k][i] += o * int64(end-since)
				}
				r.OpenWatchMax[i] = max(r.OpenWatchMax[i], float64(open))
			}
			since = end
		}
	}
	for k := 0; k < len(r.gauge); {
		t := r.gauge[k].at
		integrate(t)
		for ; k < len(r.gauge) && r.gauge[k].at == t; k++ {
			open += int64(r.gauge[k].delta)
			if len(repOpen) > 0 {
				repOpen[r.gauge[k].replica] += int64(r.gauge[k].delta)
			}
		}
		if open < 0 {
			panic(fmt.Sprintf("model: open watches went negative (%d) at %v", open, t))
		}
		if t <= r.horizon {
			r.openPeak = max(r.openPeak, open)
		}
		if i := r.idx(t); i >= 0 {
			r.OpenWatchMax[i] = max(r.OpenWatchMax[i], float64(open))
		}
	}
	integrate(r.horizon)
	for i, ns := range nsec {
		r.OpenWatchSec[i] = float64(ns) / 1e9
		// The watch cache sends a bookmark to every watcher about once a
		// minute (defaultBookmarkFrequency); they change no state, so they
		// are counted from the open-watch integral rather than simulated.
		r.Bookmarks[i] += float64(ns) / 60e9
	}
	for k := range repNsec {
		for i, ns := range repNsec[k] {
			r.OpenWatchRepSec[k][i] = float64(ns) / 1e9
		}
	}
}

// latency records a request of verb v answered at t: its total latency
// from the client's first attempt, and the parts of it spent on the token
// bucket, in APF queues and being served.
func (r *Recorder) latency(v verb, t, total, throttle, queued, service sim.Time) {
	if t < 0 || t > r.horizon {
		return // answered after the run: not counted, as requests are not
	}
	h := &r.latencies[v]
	h[0].add(total)
	h[1].add(throttle)
	h[2].add(queued)
	h[3].add(service)
	if i := r.idx(t); i >= 0 {
		r.LatencySum[i] += float64(total) // whole nanoseconds: sums exact in any order
		r.LatencyCount[i]++
		r.LatencyMax[i] = max(r.LatencyMax[i], total.Seconds())
	}
}

// seatsDelta and queueDelta change the seats in use and the requests
// waiting at t (finite capacity: one partition, so the gauges integrate as
// they go).
func (r *Recorder) seatsDelta(t sim.Time, d int32) {
	r.integrateGauge(r.SeatsSec, r.SeatsMax, &r.seats, &r.seatsAt, &r.seatsPeak, t, int64(d))
}

func (r *Recorder) queueDelta(t sim.Time, d int32) {
	r.integrateGauge(r.QueuedSec, r.QueuedMax, &r.queued, &r.queuedAt, &r.queuedPeak, t, int64(d))
}

// integrateGauge adds the gauge's value since its last change to the
// buckets' integrals, then changes it by d at t.
func (r *Recorder) integrateGauge(sec, mx []float64, v *int64, since *sim.Time, peak *int64, t sim.Time, d int64) {
	to := min(t, r.horizon)
	for *since < to {
		i := int(*since / r.bucket)
		end := min(sim.Time(i+1)*r.bucket, to)
		if i < len(sec) {
			sec[i] += float64(*v) * (end - *since).Seconds()
			mx[i] = max(mx[i], float64(*v))
		}
		*since = end
	}
	*since = max(*since, t)
	*v += d
	if t <= r.horizon {
		*peak = max(*peak, *v)
		if i := r.idx(t); i >= 0 {
			mx[i] = max(mx[i], float64(*v))
		}
	}
}

// closeGauges integrates the gauges up to the horizon.
func (r *Recorder) closeGauges() {
	r.seatsDelta(r.horizon, 0)
	r.queueDelta(r.horizon, 0)
}

// exposureBlock is the largest block of exposures (6 MB, large enough
// for huge pages); blocks grow to it from 256, so a small run holds little.
const exposureBlock = 1 << 18

// addExposure records one exposure.
func (r *Recorder) addExposure(e exposure) {
	n := len(r.exposures)
	if n == 0 || len(r.exposures[n-1]) == cap(r.exposures[n-1]) {
		size := 256
		if n > 0 {
			size = min(2*cap(r.exposures[n-1]), exposureBlock)
		}
		r.exposures = append(r.exposures, hugepages.Make[exposure](0, size))
		n++
	}
	r.exposures[n-1] = append(r.exposures[n-1], e)
}
