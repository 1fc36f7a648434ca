package model

import (
	"fmt"
	"time"

	"cmsim/sim"
)

// Probe drives one node's ConfigMap manager directly, outside the event
// loop: register and unregister pods and Get objects at chosen virtual
// times, and see which requests each call made. It exists for the
// differential tests in oracle/, which run the same calls through the
// upstream manager; the simulation never uses it.
//
// The probe is a one-node cluster whose pods are never created by events:
// its engine holds only what the manager itself schedules. Requests are
// answered at once (GetLatency 0) by one apiserver replica with unlimited
// capacity.
type Probe struct {
	p       *partition
	lastGet sim.Time
}

// ProbeRequests counts the requests the manager made, by verb and serving
// path.
type ProbeRequests struct {
	GetEtcd  int // GET resourceVersion="" (quorum read)
	GetCache int // GET resourceVersion="0" (watch cache)
	List     int
	Watch    int
}

// ProbeConfig describes a probe's node.
type ProbeConfig struct {
	Strategy Strategy // Get, Cache or Watch
	Objects  int      // ConfigMaps cm-0 … cm-(Objects-1)
	// Immutable[o] marks object o immutable (nil: none is).
	Immutable []bool
	// Pods[i] lists the objects pod i mounts as volumes.
	Pods [][]int
	// TTL is the node's node.alpha.kubernetes.io/ttl annotation (Cache).
	TTL time.Duration
	// SyncFrequency sets the Watch manager's maximum idle time,
	// max(5 × syncFrequency, 1 min).
	SyncFrequency time.Duration
	// KubeAPIQPS and KubeAPIBurst are the node's client-side token bucket
	// (0 QPS: none).
	KubeAPIQPS   float64
	KubeAPIBurst int
	Seed         uint64 // the node's random stream (backoff jitter, watch timeouts)
	// Release is the kubelet's (and apiserver's) release; the zero
	// Release means NewestRelease.
	Release Release
}

// NewProbe builds a probe of one node.
func NewProbe(pc ProbeConfig) (*Probe, error) {
	objects, pods := pc.Objects, pc.Pods
	if objects <= 0 || len(pods) == 0 {
		return nil, fmt.Errorf("a probe needs objects and pods")
	}
	if pc.SyncFrequency <= 0 {
		pc.SyncFrequency = time.Minute
	}
	cfg := &Config{
		Seed: pc.Seed, Duration: 24 * time.Hour, Nodes: 1, ColdStart: true,
		SyncFrequency: pc.SyncFrequency, Strategy: pc.Strategy,
		CacheTTLMode: TTLFixed, CacheTTL: pc.TTL,
		GetLatency: Dist{Kind: Constant}, WatchDelay: Dist{Kind: Constant},
		KubeAPIQPS: pc.KubeAPIQPS, KubeAPIBurst: pc.KubeAPIBurst,
		KubeletRelease: pc.Release,
		Bucket:         time.Hour,
	}
	for o := range objects {
		cfg.Objects = append(cfg.Objects, Object{Namespace: "default", Name: fmt.Sprintf("cm-%d", o),
			SizeBytes: 1, Immutable: o < len(pc.Immutable) && pc.Immutable[o]})
	}
	for i, objs := range pods {
		w := Workload{Name: fmt.Sprintf("pod-%d", i), Namespace: "default", Replicas: 1}
		for _, o := range objs {
			if o < 0 || o >= objects {
				return nil, fmt.Errorf("pod %d mounts object %d of %d", i, o, objects)
			}
			w.Mounts = append(w.Mounts, Mount{Objects: []int{o}, As: Volume, Name: cfg.Objects[o].Name})
		}
		cfg.Workloads = append(cfg.Workloads, w)
	}
	c, err := New(cfg)
	if err != nil {
		return nil, err
	}
	if len(c.pods) != len(pods) {
		return nil, fmt.Errorf("probe: %d pods built for %d", len(c.pods), len(pods))
	}
	p := c.buildPartition(0, 1, true)
	for si := p.slotLo; si < p.slotHi; si++ {
		c.slots[si].refs = 0
	}
	return &Probe{p: p}, nil
}

// pod returns the cluster's index of probe pod i (workload i's only pod).
func (pr *Probe) pod(i int) (int32, error) {
	for pi := range pr.p.pods {
		if int(pr.p.pods[pi].workload) == i {
			return int32(pi), nil
		}
	}
	return 0, fmt.Errorf("probe has no pod %d", i)
}

// podAt is pod i's index, with the manager's own events run up to t.
func (pr *Probe) podAt(i int, t time.Duration) (int32, error) {
	pi, err := pr.pod(i)
	if err != nil {
		return 0, err
	}
	return pi, pr.advance(sim.At(t))
}

// advance runs the manager's own events (reflector LISTs and WATCHes, the
// idle recycler) up to t.
func (pr *Probe) advance(t sim.Time) error {
	if t < pr.lastGet {
		return fmt.Errorf("probe: time goes back from %v to %v", pr.lastGet, t)
	}
	pr.lastGet = t
	return pr.p.eng.RunUntil(t, 0)
}

// Register is RegisterPod of pod i's first sync at t (the model registers a
// pod UID once; the kubelet's later RegisterPod calls for the same pod
// change nothing upstream).
func (pr *Probe) Register(i int, t time.Duration) error {
	pi, err := pr.podAt(i, t)
	if err != nil {
		return err
	}
	if !pr.p.pods[pi].registered {
		pr.p.registerPod(pi, sim.At(t))
	}
	return nil
}

// Sync is what a later sync of the registered pod i does to the manager
// at t: up to 1.28 SyncPod's RegisterPod calls AddReference again for each
// object the pod references, which drops the object's cached data (the
// model's onCycle); from 1.29 it changes nothing.
func (pr *Probe) Sync(i int, t time.Duration) error {
	pi, err := pr.podAt(i, t)
	if err != nil {
		return err
	}
	p := &pr.p.pods[pi]
	if !p.registered {
		return fmt.Errorf("probe: pod %d syncs before it is registered", i)
	}
	if pr.p.registerEverySync() {
		pr.p.eachPodSlot(p, func(si int32) { pr.p.mgr.addReference(si, sim.At(t)) })
	}
	return nil
}

// Unregister is UnregisterPod of pod i at t.
func (pr *Probe) Unregister(i int, t time.Duration) error {
	pi, err := pr.podAt(i, t)
	if err != nil {
		return err
	}
	pr.p.unregisterPod(pi, sim.At(t))
	return nil
}

// Referenced reports whether a registered pod references object o.
func (pr *Probe) Referenced(o int) bool {
	s := pr.slot(o)
	return s >= 0 && pr.p.slots[s].refs > 0
}

func (pr *Probe) slot(o int) int32 {
	for si := pr.p.slotLo; si < pr.p.slotHi; si++ {
		if int(pr.p.slots[si].obj) == o {
			return si
		}
	}
	return -1
}

// Get is the manager's GetConfigMap of object o at t. It returns the
// requests the call made (with the manager's events up to t before it) and
// whether it returned an error.
func (pr *Probe) Get(o int, t time.Duration) (ProbeRequests, bool, error) {
	s := pr.slot(o)
	if s < 0 {
		return ProbeRequests{}, false, fmt.Errorf("probe: no pod mounts object %d", o)
	}
	if err := pr.advance(sim.At(t)); err != nil {
		return ProbeRequests{}, false, err
	}
	before := pr.Requests()
	_, _, ok := pr.p.mgr.get(s, sim.At(t))
	after := pr.Requests()
	return ProbeRequests{GetEtcd: after.GetEtcd - before.GetEtcd, GetCache: after.GetCache - before.GetCache,
		List: after.List - before.List, Watch: after.Watch - before.Watch}, ok, nil
}

// Advance runs the manager's own events up to t.
func (pr *Probe) Advance(t time.Duration) error { return pr.advance(sim.At(t)) }

// SetTTL changes the node's TTL annotation from now on.
func (pr *Probe) SetTTL(ttl time.Duration) { pr.p.nodes[0].cacheTTL = sim.Time(ttl) }

// Requests returns the requests made so far.
func (pr *Probe) Requests() ProbeRequests {
	r := pr.p.rec
	sum := func(xs []float64) int {
		var s float64
		for _, x := range xs {
			s += x
		}
		return int(s)
	}
	return ProbeRequests{GetEtcd: sum(r.GetEtcd), GetCache: sum(r.GetCache), List: sum(r.List), Watch: sum(r.WatchReqs)}
}

// WatchOpen reports whether the reflector of object o holds an open watch.
func (pr *Probe) WatchOpen(o int) bool {
	s := pr.slot(o)
	return s >= 0 && pr.p.watchSlots != nil && pr.p.watchSlots[s].watchOpen
}

// BackoffStep is the next wait of object o's reflector (Watch) at t: one
// step of its backoff manager.
func (pr *Probe) BackoffStep(o int, t time.Duration) (time.Duration, error) {
	s := pr.slot(o)
	m, ok := pr.p.mgr.(*watchingManager)
	if s < 0 || !ok || !pr.p.watchSlots[s].started {
		return 0, fmt.Errorf("probe: object %d has no reflector", o)
	}
	if err := pr.advance(sim.At(t)); err != nil {
		return 0, err
	}
	return time.Duration(m.backoffStep(s, sim.At(t))), nil
}

// Throttle is how long a request the node makes at t waits for its
// client-side token bucket.
func (pr *Probe) Throttle(t time.Duration) time.Duration {
	cfg := pr.p.cfg
	return time.Duration(pr.p.nodes[0].bucket.reserve(sim.At(t), cfg.KubeAPIQPS, cfg.KubeAPIBurst))
}

// DealHand is the hand of handSize queues out of queues that the model's
// priority level deals a flow with the given hash (shuffle sharding).
func DealHand(queues, handSize int, hash uint64) []int {
	qs := &queueSet{queues: make([]fqQueue, queues), handSize: handSize}
	return qs.deal(hash, nil)
}

// FlowHash is the hash the model gives node n's flow.
func FlowHash(n int) uint64 { return flowHash(int32(n)) }
