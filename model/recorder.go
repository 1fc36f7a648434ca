package model

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"cmsim/sim"
)

// Recorder holds what a run observed, as plain data: the apiserver and
// kubelet load in fixed time buckets and one sample per (update, consumer).
// Nothing in it does I/O.
type Recorder struct {
	bucket  sim.Time
	horizon sim.Time

	GetEtcd      []float64 // GET requests served from etcd (resourceVersion="")
	GetCache     []float64 // GET requests served from the watch cache (resourceVersion="0")
	List         []float64
	WatchReqs    []float64 // WATCH requests (opened or re-issued)
	WatchEvents  []float64 // watch events sent to kubelets
	Bookmarks    []float64 // BOOKMARK events (one per open watch-minute plus one before each deadline)
	Bytes        []float64 // response bytes: objects sent in GET, LIST and watch events
	Updates      []float64 // accepted writes to objects
	Syncs        []float64 // kubelet pod syncs
	Remounts     []float64 // volume manager MountVolume (remount) operations
	VolumeWrites []float64 // AtomicWriter swaps (content changed)
	OpenWatchSec []float64 // integral of open watches over the bucket (watch-seconds)
	OpenWatchMax []float64

	// gauge logs every change of the open-watch count; the series above
	// are derived from it when partitions are merged.
	gauge    []gaugeChange
	openPeak int64

	// ByResource counts requests over the run by API resource (indexed by
	// ObjectKind: configmaps, secrets).
	ByResource [2]ResourceCounts

	// Samples has one entry per (update, consumer) pair, in the order they
	// were decided; Result sorts them.
	Samples []Sample
}

// Sample is one (update, consumer) observation. Observed is -1 when the
// consumer never saw the update; Never says why (NeverNone: the run ended
// first).
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

func newRecorder(horizon sim.Time, bucket time.Duration) *Recorder {
	n := int((horizon + sim.Time(bucket) - 1) / sim.Time(bucket))
	if n == 0 {
		n = 1
	}
	mk := func() []float64 { return make([]float64, n) }
	return &Recorder{
		bucket: sim.Time(bucket), horizon: horizon,
		GetEtcd: mk(), GetCache: mk(), List: mk(), WatchReqs: mk(), WatchEvents: mk(),
		Bookmarks: mk(), Bytes: mk(), Updates: mk(), Syncs: mk(), Remounts: mk(),
		VolumeWrites: mk(), OpenWatchSec: mk(), OpenWatchMax: mk(),
	}
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
	at    sim.Time
	delta int32
}

// openWatchDelta records d watches opened (d > 0) or closed (d < 0) at t.
func (r *Recorder) openWatchDelta(t sim.Time, d int32) {
	r.gauge = append(r.gauge, gaugeChange{t, d})
}

// merge adds the recordings of partitions into r. Counts are whole numbers,
// so their sums are exact in any order; the open-watch gauge is rebuilt from
// the merged change log, changes at one instant applied together.
func (r *Recorder) merge(parts []*Recorder) {
	series := func(r *Recorder) [][]float64 {
		return [][]float64{r.GetEtcd, r.GetCache, r.List, r.WatchReqs, r.WatchEvents, r.Bookmarks,
			r.Bytes, r.Updates, r.Syncs, r.Remounts, r.VolumeWrites}
	}
	dst := series(r)
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
		r.gauge = append(r.gauge, p.gauge...)
		r.Samples = append(r.Samples, p.Samples...)
	}
	slices.SortStableFunc(r.gauge, func(a, b gaugeChange) int { return cmp.Compare(a.at, b.at) })
	var open int64
	var since sim.Time
	nsec := make([]int64, len(r.OpenWatchSec)) // watch-nanoseconds per bucket
	integrate := func(to sim.Time) {
		to = min(to, r.horizon)
		for since < to {
			i := int(since / r.bucket)
			end := min(sim.Time(i+1)*r.bucket, to)
			if i < len(nsec) {
				nsec[i] += open * int64(end-since)
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
}
