package model

import (
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
	OpenWatchSec []float64 // integral of open watches over the bucket
	OpenWatchMax []float64

	openWatches int
	openSince   sim.Time
	openPeak    int

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

// setOpenWatches changes the open-watch gauge at t, integrating the old value
// over the buckets it covered.
func (r *Recorder) setOpenWatches(t sim.Time, n int) {
	r.integrateOpen(t)
	r.openWatches = n
	if n > r.openPeak {
		r.openPeak = n
	}
	if i := r.idx(t); i >= 0 && float64(n) > r.OpenWatchMax[i] {
		r.OpenWatchMax[i] = float64(n)
	}
}

func (r *Recorder) integrateOpen(t sim.Time) {
	if t > r.horizon {
		t = r.horizon
	}
	from := r.openSince
	if t <= from {
		return
	}
	v := float64(r.openWatches)
	for from < t {
		i := int(from / r.bucket)
		end := sim.Time(i+1) * r.bucket
		if end > t {
			end = t
		}
		if i < len(r.OpenWatchSec) {
			r.OpenWatchSec[i] += v * float64(end-from) / 1e9
			if v > r.OpenWatchMax[i] {
				r.OpenWatchMax[i] = v
			}
		}
		from = end
	}
	r.openSince = t
}

// finish closes the gauge at the horizon and derives the bookmark counts.
func (r *Recorder) finish() {
	r.integrateOpen(r.horizon)
	for i, s := range r.OpenWatchSec {
		// The watch cache sends a bookmark to every watcher about once a
		// minute (defaultBookmarkFrequency); they change no state, so they
		// are counted from the open-watch integral rather than simulated.
		r.Bookmarks[i] += s / 60
	}
}
