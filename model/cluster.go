package model

import (
	"fmt"
	"sync"
	"time"

	"cmsim/internal/hugepages"
	"cmsim/sim"
)

// Cluster is one simulated cluster: the apiserver's objects, the nodes with
// their kubelets, and the pods. Build it with New and run it once with Run.
//
// Nodes interact only through the apiserver, and the apiserver's state (each
// object's versions, each replica's outages) depends only on scheduled
// inputs, never on the nodes: the plan (schedule.go) computes it, with every
// pod's placement, before the run. So the nodes are split into partitions,
// each simulated on its own engine; their recordings are merged exactly. The
// partitioning depends only on the plan, so results are identical however
// many workers run the partitions, and each partition's working set stays
// small enough for the CPU caches.
type Cluster struct {
	cfg     *Config
	horizon sim.Time // the scenario's duration: writes and load are recorded up to here
	// end is when the simulation stops: after the horizon it drains, with no
	// new writes, for long enough that every pod sees the last ones, so the
	// latencies of late updates are not cut off.
	end     sim.Time
	streams sim.Streams
	// resyncRand draws every pod's resync jitter, keyed by pod and instant.
	resyncRand sim.Keyed
	// watchRand draws a re-issued WATCH's timeout, keyed by slot and count.
	watchRand sim.Keyed
	plan      *plan
	// groupNames name the object groups; objGroup[o] is object o's.
	groupNames []string
	objGroup   []int32
	// partNodes[i] is partition i's first node; partNodes[len-1] = nodes.
	partNodes []int32
	// What the partitions leave behind when they finish: their recordings,
	// event counts and traces. perSecond sums their per-second request
	// counts as they finish (integer sums, so the order does not matter).
	partRecs   []*Recorder
	partEvents []uint64
	partTraces [][]TraceEvent
	perSecMu   sync.Mutex
	perSecond  [verbs][]uint32

	nodes     []nodeState
	pods      []podState // grouped by node
	consumers []consumerState
	// Sources: one entry per (consumer, object) pair, in consumer order.
	srcObj  []int32
	srcSlot []int32 // the (node, object) slot the source reads through
	srcSeen []int32 // the object version the consumer's files hold; -1 before the first mount
	// srcOpVer backs each partition's opVer; partitions own disjoint
	// ranges of sources, so one array serves them all.
	srcOpVer []int32
	slots    []slot // grouped by node
	// cacheSlots[s] (Cache) or watchSlots[s] (Watch) is slot s's manager
	// state; nil under the other strategies.
	cacheSlots []cacheSlot
	watchSlots []watchSlot
	// slotRef[s] is slot s's node and object, dense for the Get path (nil
	// under the other strategies).
	slotRef []slotRef
	// objSlots[objSlotStart[o]:objSlotStart[o+1]] are the slots of object o.
	objSlotStart []int32
	objSlots     []int32
	// nodePodStart[n] and nodeSlotStart[n] are node n's first pod and slot.
	nodePodStart  []int32
	nodeSlotStart []int32
	// fast holds the hot state of the pods that take the fast path.
	fast []fastPod
	// watchReady[s] is slot s's store version when a Watch Get through it is
	// a plain local read (reflector synced, read on every sync, not waiting
	// to stop an immutable object), else -1. It is 4 bytes a slot so that
	// the hot path stays in cache.
	watchReady []int32

	// The apiserver's objects: versionUpdate[o][v] is the update id that
	// produced version v of object o (index 0 unused), writeAt[o][v-1] its
	// commit time, rejected[o] the ids of updates refused because o is
	// immutable.
	versionUpdate [][]int32
	writeAt       [][]sim.Time
	rejected      [][]int32
	updates       []updateRecord

	syncFrequency   sim.Time
	behaviours      behaviourSet // the version table at the run's releases
	minWatchTimeout sim.Time     // a WATCH lasts U[1, 2) of it
	cacheTTL        sim.Time     // the TTL every node starts with
	maxIdle         sim.Time
	// calm is true when no replica ever goes down: every request is served
	// by the node's replica and the availability checks are skipped.
	calm bool
	// lb is true when the load balancer's choices matter: several replicas
	// or GOAWAY.
	lb bool
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
	consLo, consHi int32
	// ops[ci-consLo] is consumer ci's operation state; nil until the first.
	ops []consumerOp

	// version[o] is object o's current version; next is the next write.
	version []int32
	next    int32
	// opVer[s] is the version a mount operation read for source s.
	opVer []int32

	tracing bool
	trace   []TraceEvent

	// With finite capacity: each replica's priority level, the requests
	// in flight and their free slots, and the draws of service times and
	// background arrivals.
	levels   []*queueSet
	reqs     []request
	freeReqs []int32
	apiRng   *sim.Rand
	bgRng    *sim.Rand
	// Reads waiting on a slot: a Cache item's fetch in flight, or a Watch
	// reflector's first sync.
	cacheWaiters map[int32][]pendingRead
	syncWaiters  map[int32][]pendingRead
	waiterSeq    int32
	inline       inlineCall
	hands        []uint16 // each node's shuffle-sharding hand: handSize queues from n×handSize

	evCycle, evCycleSimple, evCreate, evInitialMount, evStart, evUpdate, evDeliver, evWatchExpire,
	evIdleCheck, evDelete, evUnregister, evMountRetry, evReflector, evOutage, evKubelet, evTTL, evCycleFast,
	evArrive, evRetry, evRelease, evQueueTimeout, evBackground, evSyncTimeout, evParkWake sim.Kind

	// Parked resyncs (parked_resyncs.go): parkHead[s-slotLo] is the first
	// entry of slot s's list of pods waiting on it, -1 none; parkFree
	// chains the pool's free entries.
	parking bool
	// lazyWatches: WATCH re-issues on a calm apiserver are accounted when
	// the watch stops or the run ends, not run as events (catchUpExpiries).
	lazyWatches bool
	parkHead    []int32
	parkPool    []parkEntry
	parkFree    int32
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
	// cacheTTL is the node's node.alpha.kubernetes.io/ttl annotation as its
	// kubelet reads it (Cache).
	cacheTTL sim.Time
	// replica is the apiserver replica the kubelet's connection goes to; -1:
	// none, the next request connects through the load balancer.
	replica int32
	// down is true while the kubelet is restarting; epoch counts restarts.
	down  bool
	epoch int32
	// lb draws the load balancer's and GOAWAY's choices (nil unless lb).
	lb *sim.Rand
	// tokens draws the token manager's choices: its refresh jitter and the
	// warm tokens' ages (nil unless a workload requests tokens).
	tokens *sim.Rand
	// goawayAt is when a GOAWAY on the node's lease renewals next closes its
	// connection.
	goawayAt sim.Time
	// bucket is the kubelet client's token bucket (kubeAPIQPS).
	bucket tokenBucket
}

// pendingRead is a read waiting on a slot: its waiter, when it was made,
// and an id for its timeout.
type pendingRead struct {
	w  waiter
	at sim.Time
	id int32
}

type podState struct {
	createAt sim.Time // -1 for the pods of the start
	deleteAt sim.Time // never: not deleted
	syncAt   sim.Time // start of the pod's current (or last) sync (general path only)
	tokenAt  sim.Time // when the pod's service-account token needs a refresh

	node      int32
	workload  int32
	index     int32 // the workload's replica (or job pod) number
	gen       int32 // incarnation: a new pod UID replaces the old one in a rollout
	chainCons int32 // the first consumer of the chain's first incarnation
	consStart int32
	consEnd   int32
	// epoch voids the pod's pending events: it changes when the pod is
	// deleted and when its kubelet restarts.
	epoch int32
	fast  int32 // its record in Cluster.fast (fast_path.go), or -1
	// resyncs counts the resync delays drawn for a pod without consumers
	// (resyncDelay; the others count in their first consumer).
	resyncs uint32

	hasVolumes bool
	simple     bool // one volume consumer with one source, never disturbed: cycles take the fast path
	registered bool // its references are in the node's managers
	added      bool // its kubelet has processed its ADD (startPod ran)
	running    bool // created (and its containers started), not deleted
	hasToken   bool // the token manager holds a token for it
	plegNext   bool // after a kubelet restart: the next sync is PLEG's, not a resync
}

type consumerState struct {
	busyUntil sim.Time // the volume's last mount operation completes (one operation per volume at a time)
	pod       int32
	srcStart  int32
	srcEnd    int32
	member    int32 // for per-member consumers (volume, subPath): the member's position in the mount; -1 for multi-source ones
	baked     int32 // subPath: the version the container bind-mounted at start (env: srcSeen)
	mount     int16 // index of the workload mount it comes from
	kind      ConsumerKind
	opWrote   bool // the general path wrote the files (the simple path's copy of srcSeen is stale)
	// resyncs counts the resync delays drawn for the consumer's pod, when
	// it is the pod's first (resyncDelay).
	resyncs uint32
}

// consumerOp is a consumer's operation in flight (a MountVolume, or a
// container's env reads) and its mount failures. A partition allocates them
// at its first operation (partition.op): a calm cluster whose resyncs all
// take the fast paths never needs them.
type consumerOp struct {
	// Mount failures: nestedpendingoperations' exponential backoff. retryAt
	// is when the next attempt may run (0: no failure pending); backoff is
	// the current durationBeforeRetry.
	retryAt sim.Time
	backoff sim.Time
	// The operation's start and current time, and the next source to read
	// (srcEnd: the token step).
	opStart   sim.Time
	opAt      sim.Time
	opNext    int32
	failFault int32 // the fault (+1) that its first pending failure belongs to; 0: none
	opActive  bool
	opFresh   bool
	opChanged bool
}

type slotRef struct{ node, obj int32 }

// slot is a node's reference to one object: the manager's per-node item for
// it (Cache: objectStore item; Watch: objectCache item with its reflector).
// The strategy's own state is in cacheSlots or watchSlots, allocated only for
// that strategy.
type slot struct {
	node     int32
	obj      int32
	syncRefs int32 // consumers on the node that read it on every sync (volumes, pull secrets)
	refs     int32 // registered pods on the node that reference it (RegisterPod minus UnregisterPod)
}

// cacheSlot is a Cache slot's objectStore item.
type cacheSlot struct {
	lastUpdate  sim.Time
	fetchDone   sim.Time
	cacheGen    int32 // AddReference's count: a fetch it overtook fills nothing
	dataVersion int32
	hasData     bool
	fetching    bool // a fetch is in flight (finite capacity): Gets wait for it
}

// watchSlot is a Watch slot's objectCache item and its reflector.
type watchSlot struct {
	syncedAt   sim.Time // the store is initialised from here on (never: not yet known)
	lastAccess sim.Time
	// The reflector's connection and retries (reflector.go).
	watchStart   sim.Time // when the open watch was (re)issued: bookmarks follow each minute
	rvAt         sim.Time // when the reflector's last resourceVersion was current
	backoffBase  sim.Time // the next backoff step's base delay (0: the initial one)
	backoffReset sim.Time // backoffManager.lastStart: the reflector's creation or last reset
	storeVersion int32
	watchGen     int32
	watchReplica int32 // the replica serving the open watch
	// With lazyWatches: the open watch's next timeout, not yet accounted
	// (catchUpExpiries), and the count of its re-issues' timeout draws.
	expiryAt     sim.Time
	expiries     uint32
	faultPending int32 // the fault (+1) that dropped the watch, until it is open again

	started          bool // reflector running
	watchOpen        bool
	immutableStopped bool
	idleCheck        bool
}

type ruleState struct {
	rule   *UpdateRule
	cursor arrivalCursor
}

// DrainTime is how long a run goes on after its duration, with no new
// writes: the longest resync (1.5 × syncFrequency, plus a tick), the Cache
// TTL, and 10 s for the volume loops, GETs and watch delivery.
func DrainTime(syncFrequency, cacheTTL time.Duration) time.Duration {
	return syncFrequency*3/2 + cacheTTL + 11*time.Second
}

// faultDrain is how much longer a run with faults drains after the last
// fault's disruption ends: the mount backoff's cap (2 min 2 s) and the
// reflector's longest retry (60 s), so that every consumer converges.
const faultDrain = 2*time.Minute + 2*time.Second + time.Minute

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
	c.resyncRand = c.streams.Keyed("resync")
	c.watchRand = c.streams.Keyed("watch-timeout")
	c.maxIdle = sim.Time(max(5*cfg.SyncFrequency, time.Minute))
	c.behaviours = resolveBehaviours(cfg.kubeletRelease(), cfg.apiserverRelease())
	c.minWatchTimeout = sim.Time(c.behaviours.minWatchTimeout)
	c.groupNames, c.objGroup = objectGroups(cfg)
	switch cfg.CacheTTLMode {
	case TTLAuto:
		c.cacheTTL = sim.Time(TTLForClusterSize(cfg.Nodes))
	case TTLAbsent:
		c.cacheTTL = sim.Time(defaultCacheTTL)
	case TTLFixed:
		c.cacheTTL = sim.Time(cfg.CacheTTL)
	}
	c.plan = c.buildPlan()
	c.end = c.horizon.Add(DrainTime(cfg.SyncFrequency, time.Duration(c.plan.ttlMax)))
	for _, f := range c.plan.faults {
		c.end = max(c.end, f.end.Add(DrainTime(cfg.SyncFrequency, time.Duration(c.plan.ttlMax))+faultDrain))
	}
	if cfg.Capacity != nil {
		c.end += sim.Time(faultDrain) // queueing and 429 retries delay the last reads
	}
	c.calm = true
	for _, os := range c.plan.outages {
		if len(os) > 0 {
			c.calm = false
		}
	}
	c.lb = max(cfg.Replicas, 1) > 1 || cfg.GoawayChance > 0
	c.buildWrites()
	c.buildNodes()
	c.buildPods()
	c.buildSlots()
	for pi := range c.pods {
		if f := c.pods[pi].fast; f >= 0 {
			c.fast[f] = c.newFastPod(int32(pi))
		}
	}
	if cfg.Strategy == Watch && !slowPathOnly {
		c.watchReady = hugepages.Make[int32](len(c.slots), len(c.slots))
		for i := range c.watchReady {
			c.watchReady[i] = -1
		}
	}
	n := (len(c.pods) + podsPerPartition - 1) / podsPerPartition
	nodes := len(c.nodes)
	n = min(max(n, 1), nodes)
	if cfg.Capacity != nil {
		n = 1 // the apiserver's queues couple every node: one engine
	}
	for i := 0; i <= n; i++ {
		c.partNodes = append(c.partNodes, int32(i*nodes/n))
	}
	return c, nil
}

// buildWrites indexes the plan's writes by object.
func (c *Cluster) buildWrites() {
	objects := len(c.cfg.Objects)
	c.versionUpdate = make([][]int32, objects)
	c.writeAt = make([][]sim.Time, objects)
	c.rejected = make([][]int32, objects)
	for o := range c.versionUpdate {
		c.versionUpdate[o] = []int32{0}
	}
	c.updates = c.plan.writes
	for i, u := range c.updates {
		id := int32(i + 1)
		if u.rejected {
			c.rejected[u.obj] = append(c.rejected[u.obj], id)
			continue
		}
		c.versionUpdate[u.obj] = append(c.versionUpdate[u.obj], id)
		c.writeAt[u.obj] = append(c.writeAt[u.obj], u.at)
	}
}

// versionAt returns object o's version at t (writes committed at or before t).
func (c *Cluster) versionAt(o int32, t sim.Time) int32 {
	w := c.writeAt[o]
	lo, hi := 0, len(w)
	for lo < hi {
		m := (lo + hi) / 2
		if w[m] <= t {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return int32(lo)
}

func (c *Cluster) newPartition(nodeLo, nodeHi int32, primary bool) *partition {
	p := c.buildPartition(nodeLo, nodeHi, primary)
	p.start()
	return p
}

// buildPartition builds partition p with no initial state and nothing
// scheduled but the capacity model's background load.
func (c *Cluster) buildPartition(nodeLo, nodeHi int32, primary bool) *partition {
	cfg := c.cfg
	p := &partition{Cluster: c, primary: primary, nodeLo: nodeLo, nodeHi: nodeHi,
		slotLo: c.nodeSlotStart[nodeLo], slotHi: c.nodeSlotStart[nodeHi], tracing: cfg.Trace}
	podLo, podHi := c.nodePodStart[nodeLo], c.nodePodStart[nodeHi]
	if podHi > podLo {
		p.consLo, p.consHi = c.pods[podLo].consStart, c.pods[podHi-1].consEnd
	}
	p.rec = newRecorder(c.horizon, cfg.Bucket, len(c.plan.faults), max(cfg.Replicas, 1), len(c.groupNames))
	switch cfg.Strategy {
	case Get:
		p.mgr = &simpleManager{c: p}
	case Cache:
		p.mgr = &cachingManager{c: p}
	case Watch:
		p.mgr = &watchingManager{c: p}
	}
	p.version = make([]int32, len(cfg.Objects))
	// The calendar is sized for the events pending within a resync
	// interval: every pod's cycle, but under Watch most pods are parked
	// (parked_resyncs.go) and only the ones an update woke are queued.
	pending := int(podHi-podLo) + int(p.slotHi-p.slotLo)/8
	if cfg.Strategy == Watch {
		pending /= 16
	}
	p.eng = sim.New(time.Duration(float64(cfg.SyncFrequency)*1.5)+time.Second, pending)
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
	p.evDelete = e.Register(p.onDelete)
	p.evUnregister = e.Register(p.onUnregister)
	p.evMountRetry = e.Register(p.onMountRetry)
	p.evReflector = e.Register(p.onReflector)
	p.evOutage = e.Register(p.onOutage)
	p.evKubelet = e.Register(p.onKubelet)
	p.evTTL = e.Register(p.onTTL)
	p.evCycleFast = e.Register(p.onCycleFast)
	p.evArrive = e.Register(p.onArrive)
	p.evRetry = e.Register(p.onRetry)
	p.evRelease = e.Register(p.onRelease)
	p.evQueueTimeout = e.Register(p.onQueueTimeout)
	p.evBackground = e.Register(p.onBackground)
	p.evSyncTimeout = e.Register(p.onSyncTimeout)
	p.evParkWake = e.Register(p.onParkWake)
	p.opVer = c.srcOpVer
	if k := cfg.Capacity; k != nil {
		p.levels = make([]*queueSet, len(c.plan.outages))
		for r := range p.levels {
			p.levels[r] = newQueueSet(k)
			p.levels[r].replica = int32(r)
		}
		// Each kubelet's hand of queues, dealt once from its flow's hash.
		p.hands = make([]uint16, 0, len(c.nodes)*k.HandSize)
		for n := range c.nodes {
			for _, q := range p.levels[0].deal(flowHash(int32(n)), nil) {
				p.hands = append(p.hands, uint16(q))
			}
		}
		p.apiRng = c.streams.Stream("apiserver")
		p.bgRng = c.streams.Stream("background")
		p.cacheWaiters = map[int32][]pendingRead{}
		p.syncWaiters = map[int32][]pendingRead{}
		p.scheduleBackground(0)
	}

	return p
}

// start puts partition p into its initial state and schedules its inputs:
// pod creations and deletions, writes, faults. A Probe skips it and drives
// the manager directly.
func (p *partition) start() {
	c, cfg, e := p.Cluster, p.cfg, p.eng
	nodeLo, nodeHi := p.nodeLo, p.nodeHi
	podLo, podHi := c.nodePodStart[nodeLo], c.nodePodStart[nodeHi]
	// A trace lists every resync, so a traced run keeps them all events
	// (its output is the same either way).
	if c.watchReady != nil && !p.tracing && !parkingOff {
		p.parking = true
		p.parkHead = make([]int32, p.slotHi-p.slotLo)
		for i := range p.parkHead {
			p.parkHead[i] = -1
		}
		p.parkFree = -1
		// An entry per parked simple pod and per slot of a parked fast pod.
		p.parkPool = hugepages.Make[parkEntry](0, int(p.consHi-p.consLo))
		p.lazyWatches = c.calm && !c.lb && p.levels == nil
	}
	if c.watchReady != nil && !p.lazyWatches {
		p.eng.Reserve(int(p.slotHi - p.slotLo)) // a WATCH timeout per reflector
	}
	// Initial state: warm pods are running and registered; cold pods and
	// later incarnations are created by events.
	if cfg.ColdStart {
		for si := p.slotLo; si < p.slotHi; si++ {
			c.slots[si].refs = 0 // pods register as they are created
		}
	} else {
		p.mgr.warmStart()
	}
	// Node events first: a node that joins at t is up for the pods created
	// on it at t.
	for n := nodeLo; n < nodeHi; n++ {
		nd := &c.nodes[n]
		if c.plan.joinAt[n] > 0 {
			nd.down = true // not there yet
			e.Schedule(c.plan.joinAt[n], p.evKubelet, n, 1, 0, 0)
		}
		if c.plan.restarts != nil {
			for k, r := range c.plan.restarts[n] {
				if r.at <= c.end {
					e.Schedule(r.at, p.evKubelet, n, 0, int32(k), 0)
				}
			}
		}
		if c.plan.ttl != nil {
			for k, ch := range c.plan.ttl[n] {
				if ch.at <= c.end {
					e.Schedule(ch.at, p.evTTL, n, int32(k), 0, 0)
				}
			}
		}
	}
	for pi := podLo; pi < podHi; pi++ {
		pd := &c.pods[pi]
		switch {
		case pd.createAt < 0 && !cfg.ColdStart:
			pd.running, pd.registered = true, true
			p.warmStartPod(pi)
		case pd.createAt < 0:
			e.Schedule(0, p.evCreate, pi, 0, 0, 0)
		case pd.createAt <= c.end:
			e.Schedule(pd.createAt, p.evCreate, pi, 0, 0, 0)
		}
		if pd.deleteAt <= c.end {
			e.Schedule(pd.deleteAt, p.evDelete, pi, 0, 0, 0)
		}
	}
	p.scheduleNextUpdate()
	if !c.calm {
		for r, os := range c.plan.outages {
			for k, o := range os {
				e.Schedule(o.down, p.evOutage, int32(r), int32(k), 0, 0)
			}
		}
	}
}

func (c *Cluster) buildNodes() {
	c.nodes = make([]nodeState, c.plan.nodes)
	tokens := false
	for _, w := range c.cfg.Workloads {
		tokens = tokens || w.TokenRequests
	}
	for i := range c.nodes {
		n := &c.nodes[i]
		n.rng = *c.streams.StreamN("node", i)
		if tokens {
			n.tokens = c.streams.StreamN("token-manager", i)
		}
		c.drawPhases(n)
		n.cacheTTL = c.cacheTTL
		n.replica = 0
		n.goawayAt = never
		if c.lb {
			n.lb = c.streams.StreamN("load-balancer", i)
			n.replica = -1
			n.goawayAt = c.nextLeaseGoaway(n, 0)
		}
	}
}

// drawPhases gives a starting kubelet the phases of its loops.
func (c *Cluster) drawPhases(n *nodeState) {
	n.syncPhase = sim.Time(n.rng.IntN(int(time.Second)))
	n.plegPhase = sim.Time(n.rng.IntN(int(time.Second)))
	n.popPhase = sim.Time(n.rng.IntN(int(100 * time.Millisecond)))
	n.reconPhase = sim.Time(n.rng.IntN(int(100 * time.Millisecond)))
	n.recyclePhase = sim.Time(n.rng.Int64N(int64(time.Minute)))
}

// buildPods lays the plan's pod incarnations out grouped by node, with their
// consumers and sources. The pods of the start come first on each node, in
// the order the plan placed them; later incarnations follow in creation
// order. A random member selection is drawn once per chain (a Deployment's
// replacement pod mounts what its predecessor did), the pods of the start
// in node order as before churn existed.
func (c *Cluster) buildPods() {
	cfg := c.cfg
	plan := c.plan
	nodes := plan.nodes
	perNodeCount := make([]int32, nodes)
	for _, pp := range plan.pods {
		perNodeCount[pp.node]++
	}
	order := hugepages.Make[int32](len(plan.pods), len(plan.pods)) // layout position -> plan index
	c.nodePodStart = make([]int32, nodes+1)
	for n := 0; n < nodes; n++ {
		c.nodePodStart[n+1] = c.nodePodStart[n] + perNodeCount[n]
	}
	fill := append([]int32(nil), c.nodePodStart[:nodes]...)
	for i, pp := range plan.pods {
		order[fill[pp.node]] = int32(i)
		fill[pp.node]++
	}

	// Count first, so that every slice is allocated once at its size: a
	// pod's consumers and sources depend only on its workload's mounts.
	consPer := make([]int32, len(cfg.Workloads))
	srcPer := make([]int32, len(cfg.Workloads))
	for wi := range cfg.Workloads {
		for _, m := range cfg.Workloads[wi].Mounts {
			members := int32(1)
			if m.Select == SelectAll {
				members = int32(len(m.Objects))
			}
			srcPer[wi] += members
			if m.As == Volume || m.As == SubPath || m.As == PullSecret {
				consPer[wi] += members
			} else {
				consPer[wi]++
			}
		}
	}
	// Pods are laid out in parallel chunks of positions; each chunk's
	// consumers and sources start where the previous chunk's end.
	const chunkPods = 1 << 16
	chunks := (len(order) + chunkPods - 1) / chunkPods
	consAt, srcAt := make([]int32, chunks+1), make([]int32, chunks+1)
	for pos, i := range order {
		k := pos / chunkPods
		wi := plan.pods[i].workload
		consAt[k+1] += consPer[wi]
		srcAt[k+1] += srcPer[wi]
	}
	for k := 0; k < chunks; k++ {
		consAt[k+1] += consAt[k]
		srcAt[k+1] += srcAt[k]
	}
	// The model's largest arrays ask for huge pages (see hugepages): at
	// two million pods their first touch is most of the build.
	c.pods = hugepages.Make[podState](len(order), len(order))
	c.consumers = hugepages.Make[consumerState](int(consAt[chunks]), int(consAt[chunks]))
	c.srcObj = hugepages.Make[int32](int(srcAt[chunks]), int(srcAt[chunks]))
	c.srcSeen = hugepages.Make[int32](int(srcAt[chunks]), int(srcAt[chunks]))
	c.srcOpVer = hugepages.Make[int32](int(srcAt[chunks]), int(srcAt[chunks]))

	// Random picks, per chain and mount: the pods of the start in layout
	// order, then the other chains' first pods in plan order.
	rngs := make([]*sim.Rand, len(cfg.Workloads))
	for wi := range rngs {
		rngs[wi] = c.streams.StreamN("workload", wi)
	}
	// pickAt[chain] indexes the chain's picks in picks, one per mount
	// (-1: not picked yet); flat, since there is a chain per pod.
	pickAt := hugepages.Make[int32](len(plan.pods), len(plan.pods))
	for i := range pickAt {
		pickAt[i] = -1
	}
	npicks := 0
	for i := range plan.pods {
		if pp := &plan.pods[i]; pp.chain == int32(i) {
			npicks += len(cfg.Workloads[pp.workload].Mounts)
		}
	}
	picks := make([]int32, 0, npicks)
	pick := func(pp *podPlan) []int32 {
		w := &cfg.Workloads[pp.workload]
		if at := pickAt[pp.chain]; at >= 0 {
			return picks[at : int(at)+len(w.Mounts)]
		}
		at := int32(len(picks))
		for _, m := range w.Mounts {
			v := int32(0)
			switch m.Select {
			case SelectRandom:
				v = int32(rngs[pp.workload].IntN(len(m.Objects)))
			case SelectByIndex:
				v = pp.index % int32(len(m.Objects))
			}
			picks = append(picks, v)
		}
		pickAt[pp.chain] = at
		return picks[at:]
	}
	for _, i := range order {
		if plan.pods[i].initial {
			pick(&plan.pods[i])
		}
	}
	for i := range plan.pods {
		if pp := &plan.pods[i]; pp.chain == int32(i) {
			pick(pp)
		}
	}

	disturbed := make([]bool, nodes) // kubelet restarts or a leave: no fast path
	for n := range disturbed {
		disturbed[n] = plan.leaveAt[n] != never || (plan.restarts != nil && len(plan.restarts[n]) > 0)
	}
	layout := hugepages.Make[int32](len(plan.pods), len(plan.pods)) // plan index -> layout position
	parallel(c.cfg.Workers, chunks, func(k int) {
		ci, si := consAt[k], srcAt[k]
		for pos := k * chunkPods; pos < min((k+1)*chunkPods, len(order)); pos++ {
			i := order[pos]
			layout[i] = int32(pos)
			pp := &plan.pods[i]
			w := &cfg.Workloads[pp.workload]
			p := podState{node: pp.node, workload: pp.workload, index: pp.index, gen: pp.gen,
				consStart: ci, createAt: pp.createAt, deleteAt: pp.deleteAt}
			at := pickAt[pp.chain]
			if at < 0 {
				panic("model: a chain without picks") // every chain's head was picked above
			}
			sel := picks[at : int(at)+len(w.Mounts)]
			for mi := range w.Mounts {
				c.addConsumers(&p, int32(pos), int16(mi), &w.Mounts[mi], sel[mi], &ci, &si)
			}
			p.consEnd = ci
			if p.consEnd == p.consStart+1 && !slowPathOnly && pp.deleteAt == never && !disturbed[pp.node] && !w.TokenRequests {
				cs := &c.consumers[p.consStart]
				p.simple = cs.kind.isVolume() && cs.srcEnd == cs.srcStart+1
			}
			p.fast = -1
			c.pods[pos] = p
		}
	})
	for pi := range c.pods {
		p := &c.pods[pi]
		if !p.simple && p.deleteAt == never && !disturbed[p.node] && c.fastEligible(p) {
			p.fast = int32(len(c.fast))
			c.fast = append(c.fast, fastPod{})
		}
	}
	for i := range c.pods {
		p := &c.pods[i]
		head := &c.pods[layout[plan.pods[order[i]].chain]]
		p.chainCons = head.consStart
	}
	plan.pods = nil // c.pods holds all of it now
}

// addConsumers adds pod pi's consumers of mount m at consumer *ci and
// source *si, and moves both on; lo is the chain's pick for random-one and
// by-index selections.
func (c *Cluster) addConsumers(p *podState, pi int32, mi int16, m *Mount, lo int32, ci, si *int32) {
	hi := int32(len(m.Objects))
	if m.Select != SelectAll {
		hi = lo + 1
	} else {
		lo = 0
	}
	if m.As.isVolume() {
		p.hasVolumes = true
	}
	add := func(member int32, from, to int32) {
		cs := consumerState{pod: pi, kind: m.As, mount: mi, member: member, srcStart: *si}
		for k := from; k < to; k++ {
			c.srcObj[*si] = int32(m.Objects[k])
			*si++
		}
		cs.srcEnd = *si
		c.consumers[*ci] = cs
		*ci++
	}
	switch m.As {
	case Volume, SubPath, PullSecret:
		// One volume (or pull secret) per member.
		for k := lo; k < hi; k++ {
			add(k, k, k+1)
		}
	default:
		// A projected volume, or one container's env, reads every member.
		member := int32(-1)
		if hi == lo+1 {
			member = lo
		}
		add(member, lo, hi)
	}
}

// buildSlots creates one slot per distinct (node, object) reference and the
// per-object index used for watch fan-out. The pods of the start are
// registered.
func (c *Cluster) buildSlots() {
	c.srcSlot = hugepages.Make[int32](len(c.srcObj), len(c.srcObj))
	c.nodeSlotStart = make([]int32, len(c.nodes)+1)
	// Nodes are independent: chunks of them find their slots in parallel,
	// numbered from 0 within the chunk, then shift them into place. The
	// chunks depend only on the cluster's size, and the slots come out in
	// node order whatever the chunks, so the result is the same for any
	// number of workers.
	const chunkNodes = 4096
	chunks := (len(c.nodes) + chunkNodes - 1) / chunkNodes
	parts := make([][]slot, chunks)
	parallel(c.cfg.Workers, chunks, func(k int) {
		lo, hi := k*chunkNodes, min((k+1)*chunkNodes, len(c.nodes))
		parts[k] = c.nodeSlots(lo, hi)
	})
	partStart := make([]int32, chunks+1)
	for k, p := range parts {
		partStart[k+1] = partStart[k] + int32(len(p))
	}
	c.slots = hugepages.Make[slot](0, int(partStart[chunks]))
	for _, p := range parts {
		c.slots = append(c.slots, p...)
	}
	parallel(c.cfg.Workers, chunks, func(k int) {
		lo, hi := k*chunkNodes, min((k+1)*chunkNodes, len(c.nodes))
		base := partStart[k]
		for n := lo; n < hi; n++ {
			c.nodeSlotStart[n] += base
		}
		for pi := c.nodePodStart[lo]; pi < c.nodePodStart[hi]; pi++ {
			p := &c.pods[pi]
			for ci := p.consStart; ci < p.consEnd; ci++ {
				cs := &c.consumers[ci]
				for s := cs.srcStart; s < cs.srcEnd; s++ {
					c.srcSlot[s] += base
				}
			}
		}
	})
	c.nodeSlotStart[len(c.nodes)] = int32(len(c.slots))
	parts = nil
	switch c.cfg.Strategy {
	case Cache:
		c.cacheSlots = hugepages.Make[cacheSlot](len(c.slots), len(c.slots))
	case Watch:
		// Touched first here, in parallel: at two million slots this is
		// 170 MB of fresh pages.
		c.watchSlots = hugepages.Make[watchSlot](len(c.slots), len(c.slots))
		const chunkSlots = 1 << 16
		parallel(c.cfg.Workers, (len(c.slots)+chunkSlots-1)/chunkSlots, func(k int) {
			for i := k * chunkSlots; i < min((k+1)*chunkSlots, len(c.slots)); i++ {
				c.watchSlots[i].lastAccess = -1
			}
		})
	}
	if c.cfg.Strategy == Get {
		c.slotRef = make([]slotRef, len(c.slots))
		for i, s := range c.slots {
			c.slotRef[i] = slotRef{s.node, s.obj}
		}
	}
	objects := len(c.cfg.Objects)
	c.objSlotStart = make([]int32, objects+1)
	for _, s := range c.slots {
		c.objSlotStart[s.obj+1]++
	}
	for i := 1; i < len(c.objSlotStart); i++ {
		c.objSlotStart[i] += c.objSlotStart[i-1]
	}
	c.objSlots = hugepages.Make[int32](len(c.slots), len(c.slots))
	fill := append([]int32(nil), c.objSlotStart[:objects]...)
	for i, s := range c.slots {
		c.objSlots[fill[s.obj]] = int32(i)
		fill[s.obj]++
	}
}

// nodeSlots finds the slots of nodes [lo, hi): one per (node, referenced
// object), numbered from 0 at node lo. It sets their sources' srcSlot and
// the nodes' nodeSlotStart with those numbers, and counts the references
// of the pods of the start.
func (c *Cluster) nodeSlots(lo, hi int) []slot {
	// At most one slot per source, and per object on each node: sized
	// once, since growing would leave copies (fresh pages) behind.
	bound := 0
	if podLo, podHi := c.nodePodStart[lo], c.nodePodStart[hi]; podHi > podLo {
		if consLo, consHi := c.pods[podLo].consStart, c.pods[podHi-1].consEnd; consHi > consLo {
			bound = int(c.consumers[consHi-1].srcEnd - c.consumers[consLo].srcStart)
		}
	}
	bound = min(bound, (hi-lo)*len(c.cfg.Objects))
	out := make([]slot, 0, bound)
	local := map[int32]int32{}
	for n := lo; n < hi; n++ {
		c.nodeSlotStart[n] = int32(len(out))
		clear(local)
		for pi := c.nodePodStart[n]; pi < c.nodePodStart[n+1]; pi++ {
			p := &c.pods[pi]
			for ci := p.consStart; ci < p.consEnd; ci++ {
				cs := &c.consumers[ci]
				for s := cs.srcStart; s < cs.srcEnd; s++ {
					o := c.srcObj[s]
					si, ok := local[o]
					if !ok {
						si = int32(len(out))
						local[o] = si
						out = append(out, slot{node: int32(n), obj: o})
					}
					c.srcSlot[s] = si
					if cs.kind.readEverySync() && p.createAt < 0 {
						out[si].syncRefs++
					}
				}
			}
			if p.createAt < 0 {
				c.eachPodSlot(p, func(si int32) { out[si].refs++ })
			}
		}
	}
	return out
}

// parallel runs f(0) ... f(n-1) on up to workers goroutines.
func parallel(workers, n int, f func(k int)) {
	workers = min(max(workers, 1), n)
	if workers <= 1 {
		for k := 0; k < n; k++ {
			f(k)
		}
		return
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				f(k)
			}
		}()
	}
	for k := 0; k < n; k++ {
		next <- k
	}
	close(next)
	wg.Wait()
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
		errs[i] = p.eng.RunUntil(c.end, c.eventBudget(p))
		p.flushParked()
		p.flushWatches()
		p.rec.closeGauges()
		p.finishFaults()
		c.addPerSecond(p.rec)
		c.partRecs[i] = p.rec
		c.partEvents[i] = p.eng.Processed()
		c.partTraces[i] = p.trace
	}
	parallel(c.cfg.Workers, n, run)
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return c.result(), nil
}

// eventBudget bounds a partition's events: generous multiples of its syncs,
// writes, restarts and faults, so that a bug that loops is an error, not a
// hang.
func (c *Cluster) eventBudget(p *partition) uint64 {
	if c.cfg.EventBudget > 0 {
		return c.cfg.EventBudget
	}
	pods := float64(c.nodePodStart[p.nodeHi] - c.nodePodStart[p.nodeLo])
	span := (c.end - 0).Seconds()
	syncs := pods * (span/c.cfg.SyncFrequency.Seconds() + 3)
	slots := float64(p.slotHi - p.slotLo)
	// Each write is at most one event per slot of the partition (watch
	// deliveries).
	writes := float64(len(c.updates))
	// Each fault may make every slot and consumer retry for the whole run.
	faults := float64(len(c.plan.faults)) * (slots + pods) * (span/30 + 10)
	return uint64(1e7 + 20*syncs + 100*slots + 2*writes*(slots+1) + faults)
}

// finishFaults marks the faults whose dropped watches or failed mounts had
// not recovered when the partition's run ended.
func (c *partition) finishFaults() {
	for s := c.slotLo; s < c.slotHi; s++ {
		if c.watchSlots == nil {
			break
		}
		if f := c.watchSlots[s].faultPending; f > 0 && c.slots[s].refs > 0 {
			c.rec.faults[f-1].unrecovered = true
		}
	}
	for n := c.nodeLo; n < c.nodeHi; n++ {
		for pi := c.nodePodStart[n]; pi < c.nodePodStart[n+1]; pi++ {
			p := &c.pods[pi]
			for ci := p.consStart; ci < p.consEnd; ci++ {
				if f := c.failFault(ci); f > 0 && p.deleteAt == never {
					c.rec.faults[f-1].unrecovered = true
				}
			}
		}
	}
}
