package model

import (
	"cmp"
	"container/heap"
	"math"
	"slices"
	"time"

	"cmsim/internal/hugepages"
	"cmsim/sim"
)

// The cluster's plan: everything that depends only on the scenario's inputs
// and never on what the kubelets do. Which nodes exist when, where each pod
// incarnation runs and when it is deleted, when each apiserver replica is
// down, each node's TTL annotation over time, the kubelet restarts, and
// every write with its commit time. It is computed once, before the nodes
// are split into partitions, so that faults and churn stay scheduled inputs
// and the partitions stay independent.
//
// Upstream counterparts: the ReplicaSet, DaemonSet and Job controllers
// create pods; kube-scheduler places them (here: the node with the fewest
// pods, ties broken at random); a leaving node is drained and its pods are
// re-created elsewhere; the TTL controller (ttl_controller.go) re-annotates
// every node when the cluster crosses a size boundary.

// never is an instant after every run.
const never = sim.Time(math.MaxInt64)

// nodeReportPeriod is the kubelet's nodeStatusReportFrequency: with node
// leases the Node object is written at least this often, and each write is a
// node update event on which the TTL controller re-annotates the node.
const nodeReportPeriod = sim.Time(5 * time.Minute)

// podPlan is one pod incarnation (one pod UID on one node).
type podPlan struct {
	node     int32
	workload int32
	index    int32    // the workload's replica (or job pod) number: its chain
	chain    int32    // plan index of the chain's first incarnation
	gen      int32    // incarnation within the chain, from 0
	createAt sim.Time // -1: running before the start (warm) or created at 0 (cold)
	deleteAt sim.Time // never: not deleted
	initial  bool     // one of the pods at t=0
}

// faultEvent is one arrival of a fault rule, as the summary reports it.
type faultEvent struct {
	rule    int32
	kind    FaultKind
	at      sim.Time
	end     sim.Time // when the last target's disruption ends
	replica int32    // apiserverRestart: -1 for all
	nodes   int32    // how many nodes it acted on
}

// outage is one apiserver replica restart: down on [down, up), then
// initialising its watch cache until ready.
type outage struct {
	down, up, ready sim.Time
	fault           int32 // the plan fault that caused it
}

// kubeletRestart is one node's kubelet restart: down on [at, at+downtime).
type kubeletRestart struct {
	at, up sim.Time
	fault  int32
}

// ttlChange is a node's TTL annotation changing at an instant.
type ttlChange struct {
	at  sim.Time
	ttl sim.Time
}

// plan is the whole schedule of a run.
type plan struct {
	nodes    int // every node that ever exists; the first cfg.Nodes are there at the start
	joinAt   []sim.Time
	leaveAt  []sim.Time
	pods     []podPlan
	faults   []faultEvent
	outages  [][]outage // per replica, in time order
	restarts [][]kubeletRestart
	ttl      [][]ttlChange // per node; empty when the TTL never changes
	ttlMax   sim.Time      // the largest TTL any node has during the run
	// writes are the update rules' writes in commit order.
	writes []updateRecord
}

// planner runs the plan's events (fault and churn arrivals, rollouts, job
// arrivals and ends) on a sim.Engine of its own, so that inputs at one
// instant apply in a fixed order.
type planner struct {
	c   *Cluster
	cfg *Config
	p   *plan
	eng *sim.Engine
	rng *sim.Rand // placement tie-breaks and node sampling

	up        []bool  // node is in the cluster
	podCount  []int32 // live pods per node, for the scheduler
	sched     nodeHeap
	live      [][]int32 // per workload: the plan index of each chain's live incarnation (-1: none)
	ttl       TTLController
	ttlPhase  []sim.Time // per node: the phase of its status reports
	evFault   sim.Kind
	evRollout sim.Kind
	evJob     sim.Kind
	evNode    sim.Kind
	evReplace sim.Kind
	evJobEnd  sim.Kind
	jobRules  []arrivalCursor
	faultArr  []arrivalCursor
}

// arrivalCursor generates the instants of an Arrivals, one at a time.
type arrivalCursor struct {
	a         *Arrivals
	at        []time.Duration // a.At, sorted
	rng       *sim.Rand
	perMinute float64 // update rules' Poisson rate: gaps of Exp × 60 s / perMinute, computed as before
	k         int
	prev      sim.Time
}

func newArrivalCursor(a *Arrivals, rng *sim.Rand) arrivalCursor {
	at := slices.Clone(a.At)
	slices.Sort(at)
	return arrivalCursor{a: a, at: at, rng: rng}
}

// next returns the next arrival, or false when there is none before the
// horizon.
func (ac *arrivalCursor) next(horizon sim.Time) (sim.Time, bool) {
	a := ac.a
	var at sim.Time
	switch {
	case len(ac.at) > 0:
		if ac.k >= len(ac.at) {
			return 0, false
		}
		at = sim.At(ac.at[ac.k])
	case a.Every > 0:
		at = sim.At(a.Start + time.Duration(ac.k+1)*a.Every)
	case ac.perMinute > 0 || a.PoissonPerHour > 0:
		from := ac.prev
		if ac.k == 0 {
			from = sim.At(a.Start)
		}
		if ac.perMinute > 0 {
			at = from + sim.Time(ac.rng.Exp()*60e9/ac.perMinute)
		} else {
			at = from + sim.Time(ac.rng.Exp()*3600e9/a.PoissonPerHour)
		}
	default:
		return 0, false
	}
	ac.k++
	ac.prev = at
	return at, at <= horizon
}

// buildPlan computes the plan. It draws only from its own named streams, so
// a scenario without faults or churn draws exactly what it did before they
// existed.
func (c *Cluster) buildPlan() *plan {
	cfg := c.cfg
	p := &plan{nodes: cfg.Nodes}
	pl := &planner{c: c, cfg: cfg, p: p}
	pl.rng = c.streams.Stream("scheduler")

	// Nodes that join are numbered after the initial ones.
	joins := 0
	for _, f := range cfg.Faults {
		if f.Kind == NodeJoin {
			joins++
		}
	}
	p.joinAt = make([]sim.Time, cfg.Nodes, cfg.Nodes+joins)
	p.leaveAt = make([]sim.Time, cfg.Nodes, cfg.Nodes+joins)
	for i := range p.joinAt {
		p.joinAt[i], p.leaveAt[i] = -1, never
	}
	pl.up = make([]bool, cfg.Nodes)
	pl.podCount = make([]int32, cfg.Nodes)
	for i := range pl.up {
		pl.up[i] = true
	}
	replicas := max(cfg.Replicas, 1)
	p.outages = make([][]outage, replicas)
	for i := 0; i < cfg.Nodes; i++ {
		pl.ttl.AddNode()
	}
	p.ttlMax = c.cacheTTL

	pl.initialPods()
	pl.writesFromRules()

	churn := len(cfg.Faults) > 0 || len(cfg.Restarts) > 0
	for _, w := range cfg.Workloads {
		if w.Job != nil {
			churn = true
		}
	}
	if !churn {
		return p
	}
	pl.eng = sim.New(time.Minute, 64)
	pl.evFault = pl.eng.Register(pl.onFault)
	pl.evRollout = pl.eng.Register(pl.onRollout)
	pl.evJob = pl.eng.Register(pl.onJob)
	pl.evNode = pl.eng.Register(pl.onNode)
	pl.evReplace = pl.eng.Register(pl.onReplace)
	pl.evJobEnd = pl.eng.Register(pl.onJobEnd)
	pl.sched = nodeHeap{pos: make([]int32, cfg.Nodes)}
	for n := 0; n < cfg.Nodes; n++ {
		pl.sched.push(pl.schedKey(int32(n)))
	}
	pl.ttlPhase = make([]sim.Time, cfg.Nodes)
	ttlRng := c.streams.Stream("ttl-controller")
	for n := range pl.ttlPhase {
		pl.ttlPhase[n] = sim.Time(ttlRng.Int64N(int64(nodeReportPeriod)))
	}
	p.ttl = make([][]ttlChange, cfg.Nodes)
	p.restarts = make([][]kubeletRestart, cfg.Nodes)

	pl.faultArr = make([]arrivalCursor, len(cfg.Faults))
	for i := range cfg.Faults {
		pl.faultArr[i] = newArrivalCursor(&cfg.Faults[i].Arrivals, c.streams.StreamN("faults", i))
		pl.scheduleFault(int32(i))
	}
	for i := range cfg.Restarts {
		pl.scheduleRollout(int32(i), 0)
	}
	pl.jobRules = make([]arrivalCursor, len(cfg.Workloads))
	for wi := range cfg.Workloads {
		if j := cfg.Workloads[wi].Job; j != nil {
			pl.jobRules[wi] = newArrivalCursor(&j.Arrivals, c.streams.StreamN("jobs", wi))
			pl.scheduleJob(int32(wi))
		}
	}
	_ = pl.eng.RunUntil(c.horizon, 0)
	// Writes that arrive while every replica is down wait for one to come
	// back (the client retries until the apiserver answers).
	pl.deferWrites()
	return p
}

// initialPods places the pods of the start: podsPerNode pods on every node,
// Deployment replicas round-robin over the nodes, workload by workload.
func (pl *planner) initialPods() {
	cfg := pl.cfg
	nodes := cfg.Nodes
	pl.live = make([][]int32, len(cfg.Workloads))
	// Sized once: appending 150,000 pods one by one copied them five times.
	total := 0
	for wi := range cfg.Workloads {
		w := &cfg.Workloads[wi]
		n := w.PodsPerNode*nodes + w.Replicas
		pl.live[wi] = make([]int32, 0, n)
		total += n
	}
	pl.p.pods = hugepages.Make[podPlan](0, total)
	cursor := 0
	createAt := sim.Time(-1)
	for wi := range cfg.Workloads {
		w := &cfg.Workloads[wi]
		switch {
		case w.PodsPerNode > 0:
			for i := 0; i < w.PodsPerNode*nodes; i++ {
				pl.addPod(int32(i/w.PodsPerNode), int32(wi), int32(i), -1, 0, createAt, true)
			}
		case w.Replicas > 0:
			for i := 0; i < w.Replicas; i++ {
				pl.addPod(int32(cursor%nodes), int32(wi), int32(i), -1, 0, createAt, true)
				cursor++
			}
		}
	}
}

// addPod adds incarnation gen of chain (workload, index) on node at t;
// chain < 0 starts a new chain.
func (pl *planner) addPod(node, wi, index, chain, gen int32, t sim.Time, initial bool) int32 {
	p := pl.p
	pi := int32(len(p.pods))
	if chain < 0 {
		chain, gen = pi, 0
	}
	p.pods = append(p.pods, podPlan{node: node, workload: wi, index: index, chain: chain, gen: gen,
		createAt: t, deleteAt: never, initial: initial})
	for int(index) >= len(pl.live[wi]) {
		pl.live[wi] = append(pl.live[wi], -1)
	}
	pl.live[wi][index] = pi
	pl.podCount[node]++
	if pl.sched.pos != nil {
		pl.sched.fix(node, pl.schedKey(node))
	}
	return pi
}

// deletePod deletes incarnation pi at t.
func (pl *planner) deletePod(pi int32, t sim.Time) {
	pp := &pl.p.pods[pi]
	if pp.deleteAt != never {
		return
	}
	pp.deleteAt = t
	pl.podCount[pp.node]--
	if pl.live[pp.workload][pp.index] == pi {
		pl.live[pp.workload][pp.index] = -1
	}
	if pl.up[pp.node] {
		pl.sched.fix(pp.node, pl.schedKey(pp.node))
	}
}

// schedKey orders nodes for the scheduler: fewest pods first, ties by a
// fresh random key, so equal nodes are picked at random.
func (pl *planner) schedKey(n int32) schedEntry {
	return schedEntry{node: n, pods: pl.podCount[n], tie: pl.rng.Uint64()}
}

// place picks the node for a new pod: the up node with the fewest pods.
func (pl *planner) place() int32 {
	return pl.sched.items[0].node
}

// writesFromRules generates every write of the update rules, in the order
// the old per-partition replay applied them: each rule's next arrival is
// queued when its previous write is applied, on an engine of its own.
func (pl *planner) writesFromRules() {
	c, cfg := pl.c, pl.cfg
	if len(cfg.Updates) == 0 {
		return
	}
	eng := sim.New(time.Minute, len(cfg.Updates))
	rules := make([]ruleState, len(cfg.Updates))
	var ev sim.Kind
	schedule := func(i int32) {
		st := &rules[i]
		at, ok := st.cursor.next(c.horizon)
		if ok && at >= eng.Now() {
			eng.Schedule(at, ev, i, 0, 0, 0)
		}
	}
	ev = eng.Register(func(e sim.Event) {
		st := &rules[e.A]
		target := st.rule.Targets[0]
		if n := len(st.rule.Targets); n > 1 {
			target = st.rule.Targets[st.cursor.rng.IntN(n)]
		}
		at := eng.Now()
		pl.p.writes = append(pl.p.writes, updateRecord{obj: int32(target), at: at, rejected: cfg.Objects[target].Immutable})
		schedule(e.A)
	})
	for i := range cfg.Updates {
		u := &cfg.Updates[i]
		// At is not sorted: as before, a listed time earlier than the
		// previous write's ends the rule.
		rules[i] = ruleState{rule: u, cursor: arrivalCursor{
			a:         &Arrivals{At: u.At, Every: u.Every, Start: u.Start},
			at:        u.At,
			rng:       c.streams.StreamN("updates", i),
			perMinute: u.PoissonPerMinute,
		}}
		schedule(int32(i))
	}
	_ = eng.RunUntil(c.horizon, 0)
}

// deferWrites moves writes that arrive while every replica is down to the
// instant the first replica is back, keeping their order.
func (pl *planner) deferWrites() {
	p := pl.p
	moved := false
	for i := range p.writes {
		w := &p.writes[i]
		if at := p.firstUp(w.at); at != w.at {
			w.at, moved = at, true
		}
	}
	if moved {
		slices.SortStableFunc(p.writes, func(a, b updateRecord) int { return cmp.Compare(a.at, b.at) })
	}
}

// firstUp returns the first instant at or after t when some replica is up
// (it may still be initialising its watch cache: writes go to etcd).
func (p *plan) firstUp(t sim.Time) sim.Time {
	for {
		next := t
		allDown := true
		for _, os := range p.outages {
			down := false
			for _, o := range os {
				if o.down <= t && t < o.up {
					down = true
					next = max(next, o.up)
					break
				}
			}
			if !down {
				allDown = false
				break
			}
		}
		if !allDown {
			return t
		}
		// Every replica is down: the earliest return is the answer, unless
		// another outage starts by then.
		earliest := never
		for _, os := range p.outages {
			for _, o := range os {
				if o.down <= t && t < o.up {
					earliest = min(earliest, o.up)
				}
			}
		}
		t = earliest
	}
}

func (pl *planner) scheduleFault(i int32) {
	if at, ok := pl.faultArr[i].next(pl.c.horizon); ok && at >= pl.eng.Now() {
		pl.eng.Schedule(at, pl.evFault, i, 0, 0, 0)
	}
}

// onFault applies one arrival of fault rule A.
func (pl *planner) onFault(ev sim.Event) {
	i := ev.A
	f := &pl.cfg.Faults[i]
	t := pl.eng.Now()
	p := pl.p
	fe := faultEvent{rule: i, kind: f.Kind, at: t, end: t, replica: -1}
	fid := int32(len(p.faults))
	switch f.Kind {
	case APIServerRestart:
		fe.replica = int32(f.Replica)
		fe.end = t + sim.Time(f.Downtime)
		for r := range p.outages {
			if f.Replica >= 0 && r != f.Replica {
				continue
			}
			os := p.outages[r]
			o := outage{down: t, up: t + sim.Time(f.Downtime), fault: fid}
			if n := len(os); n > 0 && os[n-1].ready > t {
				// Restarted again before it was ready: one longer outage.
				o.down = os[n-1].down
				o.up = max(o.up, os[n-1].up)
				os = os[:n-1]
			}
			o.ready = o.up + sim.Time(pl.cfg.WatchCacheInit)
			p.outages[r] = append(os, o)
			fe.end = max(fe.end, o.ready)
		}
	case KubeletRestart:
		targets := pl.sample(f.Nodes, pl.c.streams.StreamN("fault-targets", int(fid)))
		for j, n := range targets {
			at := t + spreadAt(f.Spread, j, len(targets))
			r := kubeletRestart{at: at, up: at + sim.Time(f.Downtime), fault: fid}
			rs := p.restarts[n]
			if k := len(rs); k > 0 && rs[k-1].up > at {
				continue // still down from an earlier restart
			}
			p.restarts[n] = append(rs, r)
			fe.end = max(fe.end, r.up)
		}
		fe.nodes = int32(len(targets))
	case NodeJoin:
		k := f.Nodes.N
		if f.Nodes.Fraction > 0 {
			k = max(1, int(math.Round(f.Nodes.Fraction*float64(pl.upCount()))))
		}
		for j := 0; j < k; j++ {
			at := t + spreadAt(f.Spread, j, k)
			pl.eng.Schedule(at, pl.evNode, 1, 0, 0, 0)
			fe.end = max(fe.end, at)
		}
		fe.nodes = int32(k)
	case NodeLeave:
		targets := pl.sample(f.Nodes, pl.c.streams.StreamN("fault-targets", int(fid)))
		if len(targets) >= pl.upCount() {
			targets = targets[:pl.upCount()-1] // at least one node stays
		}
		for j, n := range targets {
			at := t + spreadAt(f.Spread, j, len(targets))
			pl.eng.Schedule(at, pl.evNode, 0, n, 0, 0)
			fe.end = max(fe.end, at)
		}
		fe.nodes = int32(len(targets))
	}
	p.faults = append(p.faults, fe)
	pl.scheduleFault(i)
}

// spreadAt is when target j of k acts, for a window of length spread.
func spreadAt(spread time.Duration, j, k int) sim.Time {
	if k == 0 {
		return 0
	}
	return sim.Time(int64(spread) * int64(j) / int64(k))
}

func (pl *planner) upCount() int {
	n := 0
	for _, u := range pl.up {
		if u {
			n++
		}
	}
	return n
}

// sample picks a count's worth of distinct up nodes at random.
func (pl *planner) sample(cnt Count, r *sim.Rand) []int32 {
	var ups []int32
	for n, u := range pl.up {
		if u {
			ups = append(ups, int32(n))
		}
	}
	k := cnt.N
	if cnt.Fraction > 0 {
		k = int(math.Round(cnt.Fraction * float64(len(ups))))
		if k == 0 {
			k = 1
		}
	}
	k = min(k, len(ups))
	// A partial Fisher-Yates shuffle.
	for j := 0; j < k; j++ {
		x := j + r.IntN(len(ups)-j)
		ups[j], ups[x] = ups[x], ups[j]
	}
	return ups[:k]
}

// onNode is a node joining (A=1) or node B leaving (A=0).
func (pl *planner) onNode(ev sim.Event) {
	t := pl.eng.Now()
	p := pl.p
	if ev.A == 1 {
		n := int32(p.nodes)
		p.nodes++
		p.joinAt = append(p.joinAt, t)
		p.leaveAt = append(p.leaveAt, never)
		pl.up = append(pl.up, true)
		pl.podCount = append(pl.podCount, 0)
		pl.sched.pos = append(pl.sched.pos, -1)
		pl.sched.push(pl.schedKey(n))
		pl.ttlPhase = append(pl.ttlPhase, sim.Time(pl.rng.Int64N(int64(nodeReportPeriod))))
		p.ttl = append(p.ttl, nil)
		p.restarts = append(p.restarts, nil)
		pl.ttlEvent(t, func() { pl.ttl.AddNode() }, n)
		// A DaemonSet's pods come with the node.
		for wi := range pl.cfg.Workloads {
			w := &pl.cfg.Workloads[wi]
			for k := 0; k < w.PodsPerNode; k++ {
				pl.addPod(n, int32(wi), int32(len(pl.live[wi])), -1, 0, t, false)
			}
		}
		return
	}
	n := ev.B
	if !pl.up[n] {
		return
	}
	pl.up[n] = false
	p.leaveAt[n] = t
	pl.sched.remove(n)
	// Drain: every pod goes; Deployment and Job pods are re-created on the
	// nodes left.
	for pi := range p.pods {
		pp := &p.pods[pi]
		if pp.node != n || pp.deleteAt != never || (pp.createAt > t) {
			continue
		}
		w := &pl.cfg.Workloads[pp.workload]
		pl.deletePod(int32(pi), t)
		if w.PodsPerNode > 0 {
			continue
		}
		wi, index, chain, gen := pp.workload, pp.index, pp.chain, pp.gen
		np := pl.addPod(pl.place(), wi, index, chain, gen+1, t, false)
		if w.Job != nil {
			// The job pod runs for what was left of its time.
			pl.eng.Schedule(max(t, pl.jobEnd(chain)), pl.evJobEnd, np, 0, 0, 0)
		}
	}
	pl.ttlEvent(t, func() { pl.ttl.DeleteNode() }, -1)
}

// jobEnd returns when a job chain's pod completes.
func (pl *planner) jobEnd(chain int32) sim.Time {
	pp := &pl.p.pods[chain]
	return pp.createAt + sim.Time(pl.cfg.Workloads[pp.workload].Job.RunFor)
}

// ttlEvent applies a node add or delete to the TTL controller at t. If the
// TTL changes, each node gets the new annotation at its next status report
// (the node update event on which the controller re-annotates it); a joining
// node (joined >= 0) is annotated on its add event at once.
func (pl *planner) ttlEvent(t sim.Time, change func(), joined int32) {
	if pl.cfg.Strategy != Cache || pl.cfg.CacheTTLMode != TTLAuto {
		change()
		return
	}
	before := pl.ttl.TTL()
	change()
	after := sim.Time(pl.ttl.TTL())
	p := pl.p
	if joined >= 0 {
		p.ttl[joined] = append(p.ttl[joined], ttlChange{at: t, ttl: after})
	}
	if sim.Time(before) == after {
		return
	}
	p.ttlMax = max(p.ttlMax, after)
	for n := range pl.up {
		if !pl.up[n] || int32(n) == joined {
			continue
		}
		at := nextTick(pl.ttlPhase[n], nodeReportPeriod, t)
		// A later change supersedes pending ones at or after its own time.
		l := p.ttl[n]
		for len(l) > 0 && l[len(l)-1].at >= at {
			l = l[:len(l)-1]
		}
		p.ttl[n] = append(l, ttlChange{at: at, ttl: after})
	}
}

func (pl *planner) scheduleRollout(i, k int32) {
	r := &pl.cfg.Restarts[i]
	var at sim.Time
	switch {
	case len(r.At) > 0:
		if int(k) >= len(r.At) {
			return
		}
		at = sim.At(r.At[k])
	default:
		at = sim.At(r.Start + time.Duration(k+1)*r.Every)
	}
	if at <= pl.c.horizon && at >= pl.eng.Now() {
		pl.eng.Schedule(at, pl.evRollout, i, k, 0, 0)
	}
}

// onRollout rolls restart rule A's workload: its live pods are replaced one
// by one over the spread, in replica order.
func (pl *planner) onRollout(ev sim.Event) {
	r := &pl.cfg.Restarts[ev.A]
	t := pl.eng.Now()
	live := pl.live[r.Workload]
	var chains []int32
	for index, pi := range live {
		if pi >= 0 {
			chains = append(chains, int32(index))
		}
	}
	n := len(chains)
	// The old code spread pod i of n over the window by its index; with
	// churn, by its position among the live ones.
	w := &pl.cfg.Workloads[r.Workload]
	total := w.Replicas
	if w.PodsPerNode > 0 {
		total = len(live)
	}
	for j, index := range chains {
		pos := j
		if n == total {
			pos = int(index)
		}
		at := t + sim.Time(int64(r.Spread)*int64(pos)/int64(max(n, total)))
		pl.eng.Schedule(at, pl.evReplace, int32(r.Workload), index, 0, 0)
	}
	pl.scheduleRollout(ev.A, ev.B+1)
}

// onReplace replaces the live pod of chain (A, B): the new one first (it is
// placed by the scheduler; a DaemonSet's stays on its node), then the old
// one is deleted.
func (pl *planner) onReplace(ev sim.Event) {
	wi, index := ev.A, ev.B
	old := pl.live[wi][index]
	if old < 0 {
		return
	}
	t := pl.eng.Now()
	oldp := pl.p.pods[old]
	node := oldp.node
	if pl.cfg.Workloads[wi].PodsPerNode == 0 {
		node = pl.place()
	}
	pl.addPod(node, wi, index, oldp.chain, oldp.gen+1, t, false)
	pl.deletePod(old, t)
}

func (pl *planner) scheduleJob(wi int32) {
	if at, ok := pl.jobRules[wi].next(pl.c.horizon); ok && at >= pl.eng.Now() {
		pl.eng.Schedule(at, pl.evJob, wi, 0, 0, 0)
	}
}

// onJob starts Parallelism pods of job workload A, each running RunFor.
func (pl *planner) onJob(ev sim.Event) {
	wi := ev.A
	j := pl.cfg.Workloads[wi].Job
	t := pl.eng.Now()
	for k := 0; k < j.Parallelism; k++ {
		pi := pl.addPod(pl.place(), wi, int32(len(pl.live[wi])), -1, 0, t, false)
		pl.eng.Schedule(t+sim.Time(j.RunFor), pl.evJobEnd, pi, 0, 0, 0)
	}
	pl.scheduleJob(wi)
}

// onJobEnd deletes a job pod that completed.
func (pl *planner) onJobEnd(ev sim.Event) {
	pl.deletePod(ev.A, pl.eng.Now())
}

// schedEntry is a node in the scheduler's heap.
type schedEntry struct {
	node int32
	pods int32
	tie  uint64
}

func (a schedEntry) less(b schedEntry) bool {
	if a.pods != b.pods {
		return a.pods < b.pods
	}
	return a.tie < b.tie
}

// nodeHeap is a min-heap of up nodes by pod count, with each node's position
// so that a count change re-sorts it in O(log n).
type nodeHeap struct {
	items []schedEntry
	pos   []int32 // node -> index in items, -1 if absent
}

func (h *nodeHeap) Len() int           { return len(h.items) }
func (h *nodeHeap) Less(i, j int) bool { return h.items[i].less(h.items[j]) }
func (h *nodeHeap) Swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.pos[h.items[i].node] = int32(i)
	h.pos[h.items[j].node] = int32(j)
}
func (h *nodeHeap) Push(x any) {
	e := x.(schedEntry)
	h.pos[e.node] = int32(len(h.items))
	h.items = append(h.items, e)
}
func (h *nodeHeap) Pop() any {
	e := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	h.pos[e.node] = -1
	return e
}

func (h *nodeHeap) push(e schedEntry) { heap.Push(h, e) }

func (h *nodeHeap) fix(n int32, e schedEntry) {
	i := h.pos[n]
	if i < 0 {
		return
	}
	h.items[i] = e
	heap.Fix(h, int(i))
}

func (h *nodeHeap) remove(n int32) {
	if i := h.pos[n]; i >= 0 {
		heap.Remove(h, int(i))
	}
}
