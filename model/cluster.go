package model

import (
	"fmt"
	"time"

	"cmsim/sim"
)

// Cluster is one simulated cluster: the apiserver's objects, the nodes with
// their kubelets, and the pods, wired onto a sim.Engine. It is
// single-threaded; build it with New and run it once with Run.
type Cluster struct {
	cfg     *Config
	eng     *sim.Engine
	rec     *Recorder
	horizon sim.Time
	mgr     manager
	streams sim.Streams

	objects   []objectState
	nodes     []nodeState
	pods      []podState
	consumers []consumerState
	// Sources: one entry per (consumer, object) pair, in consumer order.
	srcObj  []int32
	srcSlot []int32 // the (node, object) slot the source reads through
	srcSeen []int32 // the object version the consumer's files hold; -1 before the first mount
	slots   []slot
	// objSlots[objSlotStart[o]:objSlotStart[o+1]] are the slots of object o.
	objSlotStart []int32
	objSlots     []int32
	updates      []updateRecord
	rules        []ruleState
	scratch      []int32 // versions read for one volume's sources

	syncFrequency sim.Time
	cacheTTL      sim.Time
	maxIdle       sim.Time

	// watchReady[s] is slot s's store version when a Watch Get through it is
	// a plain local read (reflector synced, volume-referenced, not waiting
	// to stop an immutable object), else -1. It is 4 bytes a slot so that
	// the hot path stays in cache.
	watchReady []int32

	evCycle, evCycleSimple, evCreate, evInitialMount, evStart, evUpdate, evDeliver, evWatchExpire, evIdleCheck sim.Kind
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

// slowPathOnly turns the simple-pod fast path off, for tests that check it
// changes nothing.
var slowPathOnly = false

// New builds a cluster from a validated config.
func New(cfg *Config) (*Cluster, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := &Cluster{
		cfg:           cfg,
		horizon:       sim.At(cfg.Duration),
		streams:       sim.NewStreams(cfg.Seed),
		syncFrequency: sim.Time(cfg.SyncFrequency),
	}
	c.rec = newRecorder(c.horizon, cfg.Bucket)
	c.maxIdle = sim.Time(max(5*cfg.SyncFrequency, time.Minute))
	switch cfg.CacheTTLMode {
	case TTLAuto:
		c.cacheTTL = sim.Time(TTLForClusterSize(cfg.Nodes))
	case TTLAbsent:
		c.cacheTTL = sim.Time(defaultCacheTTL)
	case TTLFixed:
		c.cacheTTL = sim.Time(cfg.CacheTTL)
	}
	switch cfg.Strategy {
	case Get:
		c.mgr = &simpleManager{c: c}
	case Cache:
		c.mgr = &cachingManager{c: c}
	case Watch:
		c.mgr = &watchingManager{c: c}
	default:
		return nil, fmt.Errorf("unknown strategy %v", cfg.Strategy)
	}
	c.objects = make([]objectState, len(cfg.Objects))
	for i := range c.objects {
		c.objects[i].versionUpdate = []int32{0}
	}
	c.buildNodes()
	c.buildPods()
	c.buildSlots()
	if cfg.Strategy == Watch && !slowPathOnly {
		c.watchReady = make([]int32, len(c.slots))
		for i := range c.watchReady {
			c.watchReady[i] = -1
		}
	}

	c.eng = sim.New(time.Duration(float64(cfg.SyncFrequency)*1.5)+time.Second, len(c.pods)+len(c.slots)/8)
	e := c.eng
	c.evCycle = e.Register(c.onCycle)
	c.evCycleSimple = e.Register(c.onCycleSimple)
	c.evCreate = e.Register(c.onCreate)
	c.evInitialMount = e.Register(c.onInitialMount)
	c.evStart = e.Register(c.onStart)
	c.evUpdate = e.Register(c.onUpdate)
	c.evDeliver = e.Register(c.onDeliver)
	c.evWatchExpire = e.Register(c.onWatchExpire)
	c.evIdleCheck = e.Register(c.onIdleCheck)

	if cfg.ColdStart {
		for p := range c.pods {
			e.Schedule(0, c.evCreate, int32(p), 0, 0, 0)
		}
	} else {
		c.mgr.warmStart()
		for p := range c.pods {
			c.warmStartPod(int32(p))
		}
	}
	c.rules = make([]ruleState, len(cfg.Updates))
	for i := range cfg.Updates {
		c.rules[i] = ruleState{rule: &cfg.Updates[i], rng: c.streams.StreamN("updates", i)}
		c.scheduleNextUpdate(int32(i))
	}
	return c, nil
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
func (c *Cluster) buildPods() {
	cursor := 0 // round-robin placement continues across workloads
	for wi := range c.cfg.Workloads {
		w := &c.cfg.Workloads[wi]
		rng := c.streams.StreamN("workload", wi)
		n := w.Replicas
		if w.PodsPerNode > 0 {
			n = w.PodsPerNode * c.cfg.Nodes
		}
		for i := 0; i < n; i++ {
			var node int
			if w.PodsPerNode > 0 {
				node = i / w.PodsPerNode
			} else {
				node = cursor % c.cfg.Nodes
				cursor++
			}
			p := podState{node: int32(node), workload: int32(wi), index: int32(i), consStart: int32(len(c.consumers))}
			for mi := range w.Mounts {
				c.addConsumers(&p, rng, int16(mi), &w.Mounts[mi], i)
			}
			p.consEnd = int32(len(c.consumers))
			if p.consEnd == p.consStart+1 && !slowPathOnly {
				cs := &c.consumers[p.consStart]
				p.simple = cs.kind.isVolume() && cs.srcEnd == cs.srcStart+1
			}
			c.pods = append(c.pods, p)
		}
	}
}

func (c *Cluster) addConsumers(p *podState, rng *sim.Rand, mi int16, m *Mount, podIndex int) {
	pi := int32(len(c.pods))
	var members []int // positions in m.Objects
	switch m.Select {
	case SelectAll:
		members = make([]int, len(m.Objects))
		for i := range members {
			members[i] = i
		}
	case SelectRandom:
		members = []int{rng.IntN(len(m.Objects))}
	case SelectByIndex:
		members = []int{podIndex % len(m.Objects)}
	}
	if m.As.isVolume() {
		p.hasVolumes = true
	}
	add := func(member int32, pos []int) {
		cs := consumerState{pod: pi, kind: m.As, mount: mi, member: member, srcStart: int32(len(c.srcObj))}
		for _, k := range pos {
			c.srcObj = append(c.srcObj, int32(m.Objects[k]))
			c.srcSeen = append(c.srcSeen, 0)
		}
		cs.srcEnd = int32(len(c.srcObj))
		c.consumers = append(c.consumers, cs)
	}
	switch m.As {
	case Volume, SubPath:
		// One volume per member.
		for _, k := range members {
			add(int32(k), []int{k})
		}
	default:
		// A projected volume, or one container's env, reads every member.
		member := int32(-1)
		if len(members) == 1 {
			member = int32(members[0])
		}
		add(member, members)
	}
}

// buildSlots creates one slot per distinct (node, object) reference and the
// per-object index used for watch fan-out.
func (c *Cluster) buildSlots() {
	c.srcSlot = make([]int32, len(c.srcObj))
	// Visit pods grouped by node so each node's slots are contiguous.
	byNode := make([]int32, len(c.nodes)+1)
	for _, p := range c.pods {
		byNode[p.node+1]++
	}
	for i := 1; i < len(byNode); i++ {
		byNode[i] += byNode[i-1]
	}
	order := make([]int32, len(c.pods))
	fill := append([]int32(nil), byNode[:len(c.nodes)]...)
	for i, p := range c.pods {
		order[fill[p.node]] = int32(i)
		fill[p.node]++
	}
	local := map[int32]int32{}
	for n := range c.nodes {
		clear(local)
		for _, pi := range order[byNode[n]:byNode[n+1]] {
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
		}
	}
	c.objSlotStart = make([]int32, len(c.objects)+1)
	for _, s := range c.slots {
		c.objSlotStart[s.obj+1]++
	}
	for i := 1; i < len(c.objSlotStart); i++ {
		c.objSlotStart[i] += c.objSlotStart[i-1]
	}
	c.objSlots = make([]int32, len(c.slots))
	fill = append(fill[:0], c.objSlotStart[:len(c.objects)]...)
	for i, s := range c.slots {
		c.objSlots[fill[s.obj]] = int32(i)
		fill[s.obj]++
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
// observed.
func (c *Cluster) Run() (*Result, error) {
	budget := c.cfg.EventBudget
	if budget == 0 {
		syncs := float64(len(c.pods)) * (c.cfg.Duration.Seconds()/c.cfg.SyncFrequency.Seconds() + 3)
		budget = uint64(1e7 + 20*syncs + 100*float64(len(c.slots)))
	}
	if err := c.eng.RunUntil(c.horizon, budget); err != nil {
		return nil, err
	}
	c.rec.finish()
	return c.result(), nil
}
