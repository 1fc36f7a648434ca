package model

import (
	"fmt"
	"time"

	"cmsim/sim"
)

// Cluster is one simulated cluster: the apiserver's objects, the nodes with
// their kubelets, and the pods. Build it with New and run it once with Run.
//
// Nodes interact only through the apiserver, and the apiserver's state (each
// object's versions) depends only on the update rules, never on the nodes.
// So the nodes are split into partitions, each simulated on its own engine
// with its own copy of the update stream; their recordings are merged
// exactly. The partitioning depends only on the cluster's size, so results
// are identical however many workers run the partitions, and each
// partition's working set stays small enough for the CPU caches.
type Cluster struct {
	cfg     *Config
	horizon sim.Time // the scenario's duration: writes and load are recorded up to here
	// end is when the simulation stops: after the horizon it drains, with no
	// new writes, for long enough that every pod sees the last ones, so the
	// latencies of late updates are not cut off.
	end     sim.Time
	streams sim.Streams
	// partNodes[i] is partition i's first node; partNodes[len-1] = nodes.
	partNodes []int32
	// What the partitions leave behind when they finish: their recordings,
	// event counts, and the first one's record of the apiserver's objects.
	partRecs   []*Recorder
	partEvents []uint64
	partTraces [][]TraceEvent
	apiObjects []objectState
	apiUpdates []updateRecord

	nodes     []nodeState
	pods      []podState // grouped by node
	consumers []consumerState
	// Sources: one entry per (consumer, object) pair, in consumer order.
	srcObj  []int32
	srcSlot []int32 // the (node, object) slot the source reads through
	srcSeen []int32 // the object version the consumer's files hold; -1 before the first mount
	slots   []slot  // grouped by node
	// objSlots[objSlotStart[o]:objSlotStart[o+1]] are the slots of object o.
	objSlotStart []int32
	objSlots     []int32
	// nodePodStart[n] and nodeSlotStart[n] are node n's first pod and slot.
	nodePodStart  []int32
	nodeSlotStart []int32
	// watchReady[s] is slot s's store version when a Watch Get through it is
	// a plain local read (reflector synced, volume-referenced, not waiting
	// to stop an immutable object), else -1. It is 4 bytes a slot so that
	// the hot path stays in cache.
	watchReady []int32

	syncFrequency sim.Time
	cacheTTL      sim.Time
	maxIdle       sim.Time
}

// partition simulates a contiguous range of nodes on its own engine.
type partition struct {
	*Cluster
	eng     *sim.Engine
	rec     *Recorder
	mgr     manager
	primary bool // the first partition also counts cluster-wide events (writes)

	nodeLo, nodeHi int32
	slotLo, slotHi int32

	// The apiserver's objects and the update stream: every partition
	// replays the same writes.
	objects []objectState
	updates []updateRecord
	rules   []ruleState
	scratch []int32 // versions read for one volume's sources

	tracing bool
	trace   []TraceEvent

	evCycle, evCycleSimple, evCreate, evInitialMount, evStart, evUpdate, evDeliver, evWatchExpire, evIdleCheck, evRollout, evRestart sim.Kind
}

type objectState struct {
	version       int32   // accepted updates so far; 0 is the initial content
	versionUpdate []int32 // versionUpdate[v] is the update id that produced version v (index 0 unused)
	rejected      []int32 // ids of updates refused because the object is immutable
}

type updateRecord struct {
	obj      int32
	at       sim.Time
	rejected bool
}

type nodeState struct {
	rng sim.Rand
	// Phases of the node's loops, in [0, period): the kubelet's 1 s sync
	// ticker, PLEG's 1 s relist, the volume manager's 100 ms populator and
	// reconciler loops, and the watch manager's 1 min idle-watch recycler.
	syncPhase, plegPhase, popPhase, reconPhase, recyclePhase sim.Time
}

type podState struct {
	node       int32
	workload   int32
	index      int32 // within the workload
	consStart  int32
	consEnd    int32
	hasVolumes bool
	simple     bool     // one volume consumer with one source: cycles take the fast path
	restarted  bool     // its workload has restart rules: events carry gen
	gen        int32    // the pod's incarnation (a new UID after each restart)
	syncAt     sim.Time // start of the pod's current (or last) sync (general path only)
}

type consumerState struct {
	pod       int32
	kind      ConsumerKind
	mount     int16 // index of the workload mount it comes from
	member    int32 // for per-member consumers (volume, subPath): the member's position in the mount; -1 for multi-source ones
	srcStart  int32
	srcEnd    int32
	baked     int32    // subPath: the version the container bind-mounted at start (env: srcSeen)
	busyUntil sim.Time // the volume's last mount operation completes (one operation per volume at a time)
}

// slot is a node's reference to one object: the manager's per-node item for
// it (Cache: objectStore item; Watch: objectCache item with its reflector).
type slot struct {
	node       int32
	obj        int32
	volumeRefs int32 // consumers on the node that read it through a volume
	refs       int32 // live pods on the node that reference it (RegisterPod minus UnregisterPod)

	// Cache.
	hasData     bool
	dataVersion int32
	lastUpdate  sim.Time
	fetchDone   sim.Time

	// Watch.
	started          bool // reflector running (LIST done or in flight)
	watchOpen        bool
	immutableStopped bool
	idleCheck        bool
	storeVersion     int32
	watchGen         int32
	syncedAt         sim.Time
	lastAccess       sim.Time
}

type ruleState struct {
	rule *UpdateRule
	rng  *sim.Rand
	k    int
	prev sim.Time
}

// DrainTime is how long a run goes on after its duration, with no new
// writes: the longest resync (1.5 × syncFrequency, plus a tick), the Cache
// TTL, and 10 s for the volume loops, GETs and watch delivery.
func DrainTime(syncFrequency, cacheTTL time.Duration) time.Duration {
	return syncFrequency*3/2 + cacheTTL + 11*time.Second
}

// slowPathOnly turns the simple-pod fast path off, for tests that check it
// changes nothing.
var slowPathOnly = false

// keepDraining keeps every pod resyncing to the end of the drain, for tests
// that check that stopping up-to-date pods early changes nothing.
var keepDraining = false

// podsPerPartition bounds a partition's size: about the largest cluster
// whose hot state fits the CPU caches.
var podsPerPartition = 16000

// New builds a cluster from a validated config.
func New(cfg *Config) (*Cluster, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Strategy > Watch {
		return nil, fmt.Errorf("unknown strategy %v", cfg.Strategy)
	}
	c := &Cluster{
		cfg:           cfg,
		horizon:       sim.At(cfg.Duration),
		streams:       sim.NewStreams(cfg.Seed),
		syncFrequency: sim.Time(cfg.SyncFrequency),
	}
	c.maxIdle = sim.Time(max(5*cfg.SyncFrequency, time.Minute))
	switch cfg.CacheTTLMode {
	case TTLAuto:
		c.cacheTTL = sim.Time(TTLForClusterSize(cfg.Nodes))
	case TTLAbsent:
		c.cacheTTL = sim.Time(defaultCacheTTL)
	case TTLFixed:
		c.cacheTTL = sim.Time(cfg.CacheTTL)
	}
	c.end = c.horizon.Add(DrainTime(cfg.SyncFrequency, time.Duration(c.cacheTTL)))
	c.buildNodes()
	c.buildPods()
	c.buildSlots()
	if cfg.Strategy == Watch && !slowPathOnly {
		c.watchReady = make([]int32, len(c.slots))
		for i := range c.watchReady {
			c.watchReady[i] = -1
		}
	}
	n := (len(c.pods) + podsPerPartition - 1) / podsPerPartition
	n = min(max(n, 1), cfg.Nodes)
	for i := 0; i <= n; i++ {
		c.partNodes = append(c.partNodes, int32(i*cfg.Nodes/n))
	}
	return c, nil
}

func (c *Cluster) newPartition(nodeLo, nodeHi int32, primary bool) *partition {
	cfg := c.cfg
	p := &partition{Cluster: c, primary: primary, nodeLo: nodeLo, nodeHi: nodeHi,
		slotLo: c.nodeSlotStart[nodeLo], slotHi: c.nodeSlotStart[nodeHi], tracing: cfg.Trace}
	podLo, podHi := c.nodePodStart[nodeLo], c.nodePodStart[nodeHi]
	p.rec = newRecorder(c.horizon, cfg.Bucket)
	switch cfg.Strategy {
	case Get:
		p.mgr = &simpleManager{c: p}
	case Cache:
		p.mgr = &cachingManager{c: p}
	case Watch:
		p.mgr = &watchingManager{c: p}
	}
	p.objects = make([]objectState, len(cfg.Objects))
	for i := range p.objects {
		p.objects[i].versionUpdate = []int32{0}
	}
	pods := int(podHi - podLo)
	p.eng = sim.New(time.Duration(float64(cfg.SyncFrequency)*1.5)+time.Second, pods+int(p.slotHi-p.slotLo)/8)
	e := p.eng
	p.evCycle = e.Register(p.onCycle)
	p.evCycleSimple = e.Register(p.onCycleSimple)
	p.evCreate = e.Register(p.onCreate)
	p.evInitialMount = e.Register(p.onInitialMount)
	p.evStart = e.Register(p.onStart)
	p.evUpdate = e.Register(p.onUpdate)
	p.evDeliver = e.Register(p.onDeliver)
	p.evWatchExpire = e.Register(p.onWatchExpire)
	p.evIdleCheck = e.Register(p.onIdleCheck)
	p.evRollout = e.Register(p.onRollout)
	p.evRestart = e.Register(p.onRestart)

	if cfg.ColdStart {
		for si := p.slotLo; si < p.slotHi; si++ {
			c.slots[si].refs = 0 // pods register as they are created
		}
		for pi := podLo; pi < podHi; pi++ {
			e.Schedule(0, p.evCreate, pi, 0, 0, 0)
		}
	} else {
		p.mgr.warmStart()
		for pi := podLo; pi < podHi; pi++ {
			p.warmStartPod(pi)
		}
	}
	p.rules = make([]ruleState, len(cfg.Updates))
	for i := range cfg.Updates {
		p.rules[i] = ruleState{rule: &cfg.Updates[i], rng: c.streams.StreamN("updates", i)}
		p.scheduleNextUpdate(int32(i))
	}
	for i := range cfg.Restarts {
		p.scheduleRollout(int32(i), 0)
	}
	return p
}

func (c *Cluster) buildNodes() {
	c.nodes = make([]nodeState, c.cfg.Nodes)
	for i := range c.nodes {
		n := &c.nodes[i]
		n.rng = *c.streams.StreamN("node", i)
		n.syncPhase = sim.Time(n.rng.IntN(int(time.Second)))
		n.plegPhase = sim.Time(n.rng.IntN(int(time.Second)))
		n.popPhase = sim.Time(n.rng.IntN(int(100 * time.Millisecond)))
		n.reconPhase = sim.Time(n.rng.IntN(int(100 * time.Millisecond)))
		n.recyclePhase = sim.Time(n.rng.IntN(int(time.Minute)))
	}
}

// buildPods places pods on nodes and creates their consumers and sources.
// Pods are stored grouped by node, so that a partition's pods, consumers
// and sources are contiguous.
func (c *Cluster) buildPods() {
	type placed struct{ workload, index int32 }
	nodes := c.cfg.Nodes
	// Count first, so that every slice is allocated once at its size.
	var pods, consumers, sources int
	perNodeCount := make([]int32, nodes)
	cursor := 0 // round-robin placement continues across workloads
	for wi := range c.cfg.Workloads {
		w := &c.cfg.Workloads[wi]
		n := w.Replicas
		if w.PodsPerNode > 0 {
			n = w.PodsPerNode * nodes
			for k := range perNodeCount {
				perNodeCount[k] += int32(w.PodsPerNode)
			}
		} else {
			for i := 0; i < n; i++ {
				perNodeCount[(cursor+i)%nodes]++
			}
			cursor += n
		}
		pods += n
		for _, m := range w.Mounts {
			members := 1
			if m.Select == SelectAll {
				members = len(m.Objects)
			}
			sources += n * members
			if m.As == Volume || m.As == SubPath {
				consumers += n * members
			} else {
				consumers += n
			}
		}
	}
	c.pods = make([]podState, 0, pods)
	c.consumers = make([]consumerState, 0, consumers)
	c.srcObj = make([]int32, 0, sources)
	c.srcSeen = make([]int32, 0, sources)
	flat := make([]placed, pods)
	perNode := make([][]placed, nodes)
	for n, at := 0, 0; n < nodes; n++ {
		perNode[n] = flat[at : at : at+int(perNodeCount[n])]
		at += int(perNodeCount[n])
	}
	cursor = 0
	for wi := range c.cfg.Workloads {
		w := &c.cfg.Workloads[wi]
		if w.PodsPerNode > 0 {
			for i := 0; i < w.PodsPerNode*nodes; i++ {
				perNode[i/w.PodsPerNode] = append(perNode[i/w.PodsPerNode], placed{int32(wi), int32(i)})
			}
			continue
		}
		for i := 0; i < w.Replicas; i++ {
			n := cursor % nodes
			cursor++
			perNode[n] = append(perNode[n], placed{int32(wi), int32(i)})
		}
	}
	restarted := make([]bool, len(c.cfg.Workloads))
	for _, r := range c.cfg.Restarts {
		restarted[r.Workload] = true
	}
	rngs := make([]*sim.Rand, len(c.cfg.Workloads))
	for wi := range rngs {
		rngs[wi] = c.streams.StreamN("workload", wi)
	}
	c.nodePodStart = make([]int32, nodes+1)
	for n, list := range perNode {
		c.nodePodStart[n] = int32(len(c.pods))
		for _, pl := range list {
			w := &c.cfg.Workloads[pl.workload]
			p := podState{node: int32(n), workload: pl.workload, index: pl.index, consStart: int32(len(c.consumers))}
			for mi := range w.Mounts {
				c.addConsumers(&p, rngs[pl.workload], int16(mi), &w.Mounts[mi], int(pl.index))
			}
			p.consEnd = int32(len(c.consumers))
			p.restarted = restarted[pl.workload]
			if p.consEnd == p.consStart+1 && !slowPathOnly && !p.restarted {
				cs := &c.consumers[p.consStart]
				p.simple = cs.kind.isVolume() && cs.srcEnd == cs.srcStart+1
			}
			c.pods = append(c.pods, p)
		}
		perNode[n] = nil
	}
	c.nodePodStart[nodes] = int32(len(c.pods))
}

func (c *Cluster) addConsumers(p *podState, rng *sim.Rand, mi int16, m *Mount, podIndex int) {
	pi := int32(len(c.pods))
	// The members the pod uses: positions [lo, hi) in m.Objects.
	lo, hi := 0, len(m.Objects)
	switch m.Select {
	case SelectRandom:
		lo = rng.IntN(len(m.Objects))
		hi = lo + 1
	case SelectByIndex:
		lo = podIndex % len(m.Objects)
		hi = lo + 1
	}
	if m.As.isVolume() {
		p.hasVolumes = true
	}
	add := func(member int32, from, to int) {
		cs := consumerState{pod: pi, kind: m.As, mount: mi, member: member, srcStart: int32(len(c.srcObj))}
		for k := from; k < to; k++ {
			c.srcObj = append(c.srcObj, int32(m.Objects[k]))
			c.srcSeen = append(c.srcSeen, 0)
		}
		cs.srcEnd = int32(len(c.srcObj))
		c.consumers = append(c.consumers, cs)
	}
	switch m.As {
	case Volume, SubPath:
		// One volume per member.
		for k := lo; k < hi; k++ {
			add(int32(k), k, k+1)
		}
	default:
		// A projected volume, or one container's env, reads every member.
		member := int32(-1)
		if hi == lo+1 {
			member = int32(lo)
		}
		add(member, lo, hi)
	}
}

// buildSlots creates one slot per distinct (node, object) reference and the
// per-object index used for watch fan-out.
func (c *Cluster) buildSlots() {
	c.srcSlot = make([]int32, len(c.srcObj))
	c.nodeSlotStart = make([]int32, len(c.nodes)+1)
	c.slots = make([]slot, 0, len(c.srcObj)) // at most one per source
	local := map[int32]int32{}
	for n := range c.nodes {
		c.nodeSlotStart[n] = int32(len(c.slots))
		clear(local)
		for pi := c.nodePodStart[n]; pi < c.nodePodStart[n+1]; pi++ {
			p := &c.pods[pi]
			for ci := p.consStart; ci < p.consEnd; ci++ {
				cs := &c.consumers[ci]
				for s := cs.srcStart; s < cs.srcEnd; s++ {
					o := c.srcObj[s]
					si, ok := local[o]
					if !ok {
						si = int32(len(c.slots))
						local[o] = si
						c.slots = append(c.slots, slot{node: int32(n), obj: o, lastAccess: -1})
					}
					c.srcSlot[s] = si
					if cs.kind.isVolume() {
						c.slots[si].volumeRefs++
					}
				}
			}
			c.eachPodSlot(p, func(si int32) { c.slots[si].refs++ })
		}
	}
	c.nodeSlotStart[len(c.nodes)] = int32(len(c.slots))
	objects := len(c.cfg.Objects)
	c.objSlotStart = make([]int32, objects+1)
	for _, s := range c.slots {
		c.objSlotStart[s.obj+1]++
	}
	for i := 1; i < len(c.objSlotStart); i++ {
		c.objSlotStart[i] += c.objSlotStart[i-1]
	}
	c.objSlots = make([]int32, len(c.slots))
	fill := append([]int32(nil), c.objSlotStart[:objects]...)
	for i, s := range c.slots {
		c.objSlots[fill[s.obj]] = int32(i)
		fill[s.obj]++
	}
}

// eachPodSlot calls f once for every distinct slot the pod references.
func (c *Cluster) eachPodSlot(p *podState, f func(si int32)) {
	if p.consEnd == p.consStart {
		return
	}
	first := c.consumers[p.consStart].srcStart
	last := c.consumers[p.consEnd-1].srcEnd
	for s := first; s < last; s++ {
		dup := false
		for s2 := first; s2 < s; s2++ {
			if c.srcSlot[s2] == c.srcSlot[s] {
				dup = true
				break
			}
		}
		if !dup {
			f(c.srcSlot[s])
		}
	}
}

// prevTick returns the last instant before t on the grid phase + k*period.
func prevTick(phase, period, t sim.Time) sim.Time {
	d := t - 1 - phase
	k := d / period
	if d < 0 && d%period != 0 {
		k--
	}
	return phase + k*period
}

// nextTick returns the first instant after t on the grid phase + k*period.
func nextTick(phase, period, t sim.Time) sim.Time {
	if t < phase {
		return phase
	}
	return phase + ((t-phase)/period+1)*period
}

// mountTime returns when the volume manager remounts a pod's volumes after a
// sync that started at t: the populator's next loop marks them
// remountRequired, the reconciler's next loop after that mounts them.
func (c *Cluster) mountTime(n *nodeState, t sim.Time) sim.Time {
	const loop = sim.Time(100 * time.Millisecond)
	return nextTick(n.reconPhase, loop, nextTick(n.popPhase, loop, t))
}

// Run runs the cluster to the end of the scenario and returns what it
// observed. It runs the partitions on up to cfg.Workers goroutines; the
// result does not depend on how many. A partition's engine is dropped as
// soon as it finishes, so memory holds at most Workers of them.
func (c *Cluster) Run() (*Result, error) {
	n := len(c.partNodes) - 1
	c.partRecs = make([]*Recorder, n)
	c.partEvents = make([]uint64, n)
	c.partTraces = make([][]TraceEvent, n)
	errs := make([]error, n)
	run := func(i int) {
		p := c.newPartition(c.partNodes[i], c.partNodes[i+1], i == 0)
		budget := c.cfg.EventBudget
		if budget == 0 {
			pods := float64(c.nodePodStart[p.nodeHi] - c.nodePodStart[p.nodeLo])
			syncs := pods * (c.cfg.Duration.Seconds()/c.cfg.SyncFrequency.Seconds() + 3)
			// Each write is at most one event per slot of the partition
			// (watch deliveries).
			writes := 0.0
			for _, u := range c.cfg.Updates {
				minutes := (c.cfg.Duration - u.Start).Minutes()
				switch {
				case len(u.At) > 0:
					writes += float64(len(u.At))
				case u.Every > 0:
					writes += minutes / u.Every.Minutes()
				default:
					writes += 2*u.PoissonPerMinute*minutes + 100
				}
			}
			rollouts := 0.0
			for _, r := range c.cfg.Restarts {
				rollouts += float64(len(r.At))
				if r.Every > 0 {
					rollouts += (c.cfg.Duration - r.Start).Minutes() / r.Every.Minutes()
				}
			}
			budget = uint64(1e7 + 20*syncs + 100*float64(p.slotHi-p.slotLo) + 2*writes*float64(p.slotHi-p.slotLo+1) + 20*rollouts*pods)
		}
		errs[i] = p.eng.RunUntil(c.end, budget)
		c.partRecs[i] = p.rec
		c.partEvents[i] = p.eng.Processed()
		c.partTraces[i] = p.trace
		if p.primary {
			c.apiObjects, c.apiUpdates = p.objects, p.updates
		}
	}
	workers := min(max(c.cfg.Workers, 1), n)
	if workers == 1 {
		for i := 0; i < n; i++ {
			run(i)
		}
	} else {
		next := make(chan int)
		done := make(chan struct{})
		for w := 0; w < workers; w++ {
			go func() {
				for i := range next {
					run(i)
				}
				done <- struct{}{}
			}()
		}
		for i := 0; i < n; i++ {
			next <- i
		}
		close(next)
		for w := 0; w < workers; w++ {
			<-done
		}
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return c.result(), nil
}
