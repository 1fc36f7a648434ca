package model

import (
	"fmt"
	"time"

	"cmsim/sim"
)

// The kubelet side: pod workers and the volume manager.
//
// A pod's periodic cycle is one event. The sync itself starts on a 1 s sync
// tick; for a running pod SyncPod does not wait for the remount, and nothing
// the sync does is visible before the volume manager's reconciler remounts
// the pod's volumes at most two 100 ms loops later. So the cycle event fires
// at the remount time, accounts the sync at its start time, remounts, and
// schedules the next cycle from the sync's start (completeWork re-enqueues
// the pod with wait.Jitter(syncFrequency, 0.5) after every sync).

const (
	syncTick           = sim.Time(time.Second)            // syncLoop's syncTicker
	plegRelistPeriod   = sim.Time(time.Second)            // genericPlegRelistPeriod
	mountPollInterval  = sim.Time(300 * time.Millisecond) // podAttachAndMountRetryInterval
	watchSyncPoll      = sim.Time(10 * time.Millisecond)  // objectCache.Get polls hasSynced every 10 ms
	resyncJitterFactor = 0.5                              // workerResyncIntervalJitterFactor
)

// resyncDelay draws wait.Jitter(syncFrequency, 0.5): U[S, 1.5 S).
func (c *partition) resyncDelay(r *sim.Rand) sim.Time {
	return c.syncFrequency + sim.Time(r.Float64()*resyncJitterFactor*float64(c.syncFrequency))
}

// scheduleCycle queues the pod's next cycle for a sync that starts at t. The
// event carries the pod's incarnation, so that a restart voids it.
func (c *partition) scheduleCycle(pi int32, t sim.Time) {
	p := &c.pods[pi]
	p.syncAt = t
	at := t
	if p.hasVolumes {
		at = c.mountTime(&c.nodes[p.node], t)
	}
	if at <= c.end {
		c.eng.Schedule(at, c.evCycle, pi, p.gen, 0, 0)
	}
}

// scheduleResync computes the next periodic sync after a sync that ended at
// end: the work queue entry expires after the jittered interval, and the
// sync loop picks it up at the first tick strictly after that.
func (c *partition) scheduleResync(pi int32, end sim.Time) {
	n := &c.nodes[c.pods[pi].node]
	due := end + c.resyncDelay(&n.rng)
	c.scheduleTickSync(pi, nextTick(n.syncPhase, syncTick, due))
}

// scheduleTickSync queues the cycle of a sync that starts at sync tick t,
// on the fast path for a simple pod.
func (c *partition) scheduleTickSync(pi int32, t sim.Time) {
	p := &c.pods[pi]
	if !p.simple {
		c.scheduleCycle(pi, t)
		return
	}
	ci := p.consStart
	s := c.consumers[ci].srcStart
	c.scheduleSimple(&c.nodes[p.node], ci, c.srcSlot[s], c.srcSeen[s], p.node, t)
}

// scheduleSimple queues the fast-path cycle of a simple pod (one volume, one
// source) for a sync starting at tick t. The event carries everything the
// cycle needs, so that it touches little memory: A the consumer, B the
// slot, C the version its files hold, D the node. The sync's start is the
// last sync tick before the remount.
func (c *partition) scheduleSimple(n *nodeState, ci, slot, seen, node int32, t sim.Time) {
	if at := c.mountTime(n, t); at <= c.end {
		c.eng.Schedule(at, c.evCycleSimple, ci, slot, seen, node)
	}
}

// onCycleSimple is onCycle for a simple pod, without reading the pod or the
// consumer unless the files change.
func (c *partition) onCycleSimple(ev sim.Event) {
	now := c.eng.Now()
	n := &c.nodes[ev.D]
	start := prevTick(n.syncPhase, syncTick, now)
	c.rec.add(c.rec.Syncs, start, 1)
	c.rec.add(c.rec.Remounts, now, 1)
	if c.tracing {
		c.traceSync(c.consumers[ev.A].pod, start, "periodic resync")
	}
	var v int32
	done := now
	if c.watchReady != nil && c.watchReady[ev.B] >= 0 {
		v = c.watchReady[ev.B]
	} else {
		cs := &c.consumers[ev.A]
		v, done = c.mgr.get(ev.B, max(now, cs.busyUntil))
		cs.busyUntil = done
	}
	seen := ev.C
	if c.tracing {
		c.traceRemount(ev.A, ev.B, now, v, seen, done)
	}
	if v > seen {
		c.rec.add(c.rec.VolumeWrites, done, 1)
		c.expose(ev.A, c.consumers[ev.A].srcStart, v, done)
		seen = v
	}
	if now > c.horizon && !keepDraining && seen == c.objects[c.slots[ev.B].obj].version {
		return // draining, and this pod has seen the last write
	}
	due := start + c.resyncDelay(&n.rng)
	c.scheduleSimple(n, ev.A, ev.B, seen, ev.D, nextTick(n.syncPhase, syncTick, due))
}

// warmStartPod puts a pod into steady state at t=0: its next resync is due
// after the equilibrium residual of the U[S, 1.5 S) renewal process, so the
// first minutes look like the hours after them.
func (c *partition) warmStartPod(pi int32) {
	n := &c.nodes[c.pods[pi].node]
	due := residualUniform(&n.rng, float64(c.syncFrequency), 1.5*float64(c.syncFrequency))
	c.scheduleTickSync(pi, nextTick(n.syncPhase, syncTick, sim.Time(due)))
}

// residualUniform draws the time to the next renewal, seen from a random
// instant, of a renewal process with U[a, b) gaps: density P(X > x)/E[X].
func residualUniform(r *sim.Rand, a, b float64) float64 {
	mean := (a + b) / 2
	if r.Float64() < a/mean {
		return a * r.Float64() // the flat part, [0, a)
	}
	// The part on [a, b) has density falling linearly to 0 at b.
	return b - (b-a)*sqrtUnit(r)
}

// sqrtUnit returns sqrt(U), U uniform on [0, 1): a draw with density 2x.
func sqrtUnit(r *sim.Rand) float64 {
	u, v := r.Float64(), r.Float64()
	return max(u, v)
}

// onCycle runs a pod's periodic sync and its remount.
func (c *partition) onCycle(ev sim.Event) {
	pi := ev.A
	p := &c.pods[pi]
	if ev.B != p.gen {
		return // the pod was replaced
	}
	start := p.syncAt
	c.rec.add(c.rec.Syncs, start, 1)
	if c.tracing {
		c.traceSync(pi, start, "resync or PLEG")
	}
	if p.hasVolumes {
		c.remount(pi, c.eng.Now(), false)
	}
	if c.eng.Now() > c.horizon && !keepDraining && c.podUpToDate(p) {
		return // draining, and this pod's volumes have seen the last writes
	}
	c.scheduleResync(pi, start)
}

// podUpToDate reports whether every volume source of p holds its object's
// latest version.
func (c *partition) podUpToDate(p *podState) bool {
	for ci := p.consStart; ci < p.consEnd; ci++ {
		cs := &c.consumers[ci]
		if !cs.kind.isVolume() {
			continue
		}
		for s := cs.srcStart; s < cs.srcEnd; s++ {
			if c.srcSeen[s] < c.objects[c.srcObj[s]].version {
				return false
			}
		}
	}
	return true
}

// remount runs the reconciler's MountVolume for every configMap, secret and
// projected volume of the pod at t. Each volume reads its sources through the
// manager, one after another, and if any changed swaps the whole payload
// atomically (AtomicWriter: one rename exposes every key; unchanged content
// is not rewritten). It returns when the last volume's operation completes.
//
// A new pod's first mount (fresh) always writes its volumes.
func (c *partition) remount(pi int32, t sim.Time, fresh bool) sim.Time {
	p := &c.pods[pi]
	last := t
	for ci := p.consStart; ci < p.consEnd; ci++ {
		cs := &c.consumers[ci]
		if !cs.kind.isVolume() {
			continue
		}
		c.rec.add(c.rec.Remounts, t, 1)
		// nestedpendingoperations runs one operation per volume at a time.
		done := max(t, cs.busyUntil)
		changed := fresh
		c.scratch = c.scratch[:0]
		for s := cs.srcStart; s < cs.srcEnd; s++ {
			var v int32
			v, done = c.mgr.get(c.srcSlot[s], done)
			c.scratch = append(c.scratch, v)
			if v > c.srcSeen[s] {
				changed = true
			}
		}
		cs.busyUntil = done
		if c.tracing {
			for k, s := 0, cs.srcStart; s < cs.srcEnd; k, s = k+1, s+1 {
				seen := c.srcSeen[s]
				if fresh {
					seen = -1
				}
				c.traceRemount(ci, c.srcSlot[s], t, c.scratch[k], seen, done)
			}
		}
		if changed {
			c.rec.add(c.rec.VolumeWrites, done, 1)
			for k, s := 0, cs.srcStart; s < cs.srcEnd; k, s = k+1, s+1 {
				c.expose(ci, s, c.scratch[k], done)
			}
		}
		last = max(last, done)
	}
	return last
}

// expose makes version v of source s visible in consumer ci's files at t, and
// records every update between the old content and v as observed at t.
// A subPath consumer's volume changes too, but its container keeps the file
// it bind-mounted at start, so nothing is observed.
func (c *partition) expose(ci int32, s int32, v int32, t sim.Time) {
	old := c.srcSeen[s]
	if v <= old {
		return
	}
	c.srcSeen[s] = v
	if c.consumers[ci].kind == SubPath {
		return
	}
	c.observe(ci, s, old, v, t)
}

// observe records that consumer ci, which held version old of source s's
// object, holds version v from t on: every update in between is observed.
func (c *partition) observe(ci, s int32, old, v int32, t sim.Time) {
	o := &c.objects[c.srcObj[s]]
	for k := max(old+1, 1); k <= v; k++ {
		c.rec.Samples = append(c.rec.Samples, Sample{Update: o.versionUpdate[k], Consumer: ci, Observed: t})
	}
}

// onCreate runs a new pod's first sync (cold start: the pod ADD arrives at
// t): RegisterPod adds the pod's references to the manager, the volume
// manager mounts its volumes, and SyncPod waits for them before starting the
// containers.
func (c *partition) onCreate(ev sim.Event) {
	pi := ev.A
	p := &c.pods[pi]
	if p.consEnd > p.consStart {
		for s := c.consumers[p.consStart].srcStart; s < c.consumers[p.consEnd-1].srcEnd; s++ {
			c.srcSeen[s] = -1 // nothing mounted yet
		}
	}
	c.createPod(pi, c.eng.Now(), "pod ADD: first sync, RegisterPod")
}

// createPod runs the first sync of pod pi's current incarnation at t.
func (c *partition) createPod(pi int32, t sim.Time, why string) {
	p := &c.pods[pi]
	p.syncAt = t
	c.rec.add(c.rec.Syncs, t, 1)
	if c.tracing {
		c.traceSync(pi, t, why)
	}
	c.registerPod(pi, t)
	if p.hasVolumes {
		c.eng.Schedule(c.mountTime(&c.nodes[p.node], t), c.evInitialMount, pi, p.gen, 0, 0)
		return
	}
	c.eng.Schedule(t, c.evStart, pi, p.gen, 0, 0)
}

// registerPod is the manager's RegisterPod on a pod UID's first sync: one
// AddReference per distinct referenced object.
func (c *partition) registerPod(pi int32, t sim.Time) {
	c.eachPodSlot(&c.pods[pi], func(si int32) {
		c.slots[si].refs++
		c.mgr.addReference(si, t)
	})
}

// unregisterPod is the manager's UnregisterPod when a pod is deleted: one
// DeleteReference per distinct referenced object.
func (c *partition) unregisterPod(pi int32, t sim.Time) {
	c.eachPodSlot(&c.pods[pi], func(si int32) {
		if c.slots[si].refs--; c.slots[si].refs < 0 {
			panic(fmt.Sprintf("model: slot %d has %d references", si, c.slots[si].refs))
		}
		c.mgr.deleteReference(si, t)
	})
}

// onInitialMount mounts a new pod's volumes. WaitForAttachAndMount polls
// every 300 ms from the sync's start, so the sync goes on at the first poll
// after the last mount completes.
func (c *partition) onInitialMount(ev sim.Event) {
	pi := ev.A
	p := &c.pods[pi]
	if ev.B != p.gen {
		return // the pod was replaced
	}
	done := c.remount(pi, c.eng.Now(), true)
	polls := (done - p.syncAt + mountPollInterval - 1) / mountPollInterval
	if c.tracing {
		c.tracef(p.syncAt+polls*mountPollInterval, "%s %s: WaitForAttachAndMount sees the volumes mounted (300 ms poll); containers start", c.nodeName(p.node), c.podName(p))
	}
	c.eng.Schedule(p.syncAt+polls*mountPollInterval, c.evStart, pi, p.gen, 0, 0)
}

// onStart starts a new pod's containers: env and envFrom references are read
// once, here, and baked in, and subPath mounts bind the volume's current
// file. PLEG sees the containers start at its next relist and triggers a
// sync, which replaces the pending resync; the periodic cycle runs from
// there. Updates the container now holds, and did not before (its previous
// incarnation's), count as observed now.
func (c *partition) onStart(ev sim.Event) {
	pi := ev.A
	p := &c.pods[pi]
	if ev.B != p.gen {
		return // the pod was replaced
	}
	t := c.eng.Now()
	for ci := p.consStart; ci < p.consEnd; ci++ {
		cs := &c.consumers[ci]
		switch {
		case cs.kind == SubPath:
			s := cs.srcStart
			c.observe(ci, s, cs.baked, c.srcSeen[s], t)
			cs.baked = max(cs.baked, c.srcSeen[s])
		case !cs.kind.isVolume():
			// For env consumers srcSeen is the value baked into the container.
			done := t
			for s := cs.srcStart; s < cs.srcEnd; s++ {
				var v int32
				v, done = c.mgr.get(c.srcSlot[s], done)
				c.observe(ci, s, c.srcSeen[s], v, done)
				c.srcSeen[s] = max(c.srcSeen[s], v)
				if c.tracing {
					c.tracef(done, "%s %s: %s reads %s v%d into the container for good", c.nodeName(p.node), c.podName(p), c.consumerName(cs), c.objectName(c.srcObj[s]), v)
				}
			}
		}
	}
	n := &c.nodes[p.node]
	if c.tracing {
		c.tracef(t, "%s %s: containers running; PLEG's next relist (%v) will sync the pod", c.nodeName(p.node), c.podName(p), nextTick(n.plegPhase, plegRelistPeriod, t))
	}
	c.scheduleCycle(pi, nextTick(n.plegPhase, plegRelistPeriod, t))
}

// traceSync records a pod's sync at t.
func (c *partition) traceSync(pi int32, t sim.Time, why string) {
	p := &c.pods[pi]
	c.tracef(t, "%s %s: sync (%s)", c.nodeName(p.node), c.podName(p), why)
}

// traceRemount records one volume source's remount at t: what the manager
// returned, and whether the files swap when the read completes.
func (c *partition) traceRemount(ci, s int32, t sim.Time, v, seen int32, done sim.Time) {
	cs := &c.consumers[ci]
	p := &c.pods[cs.pod]
	obj := c.objectName(c.slots[s].obj)
	c.tracef(t, "%s %s: remount %s: manager returns %s v%d", c.nodeName(p.node), c.podName(p), c.consumerName(cs), obj, v)
	switch {
	case v <= seen:
		c.tracef(done, "%s %s: %s unchanged (v%d): no write", c.nodeName(p.node), c.podName(p), c.consumerName(cs), max(seen, 0))
	case cs.kind == SubPath:
		c.tracef(done, "%s %s: %s volume swaps to v%d; the container keeps its bind-mounted file", c.nodeName(p.node), c.podName(p), c.consumerName(cs), v)
	default:
		c.tracef(done, "%s %s: %s files swap to %s v%d (atomic rename)", c.nodeName(p.node), c.podName(p), c.consumerName(cs), obj, v)
	}
}

// scheduleRollout queues restart rule i's arrival k, if any before the
// horizon.
func (c *partition) scheduleRollout(i int32, k int32) {
	r := &c.cfg.Restarts[i]
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
	if at <= c.horizon && at >= c.eng.Now() {
		c.eng.Schedule(at, c.evRollout, i, k, 0, 0)
	}
}

// onRollout starts a rollout of restart rule A: this partition's pods of the
// workload are replaced one by one over the rule's spread.
func (c *partition) onRollout(ev sim.Event) {
	r := &c.cfg.Restarts[ev.A]
	t := c.eng.Now()
	w := &c.cfg.Workloads[r.Workload]
	n := w.Replicas
	if w.PodsPerNode > 0 {
		n = w.PodsPerNode * c.cfg.Nodes
	}
	for pi := c.nodePodStart[c.nodeLo]; pi < c.nodePodStart[c.nodeHi]; pi++ {
		p := &c.pods[pi]
		if int(p.workload) != r.Workload {
			continue
		}
		at := t + sim.Time(int64(r.Spread)*int64(p.index)/int64(n))
		c.eng.Schedule(at, c.evRestart, pi, 0, 0, 0)
	}
	c.scheduleRollout(ev.A, ev.B+1)
}

// onRestart replaces pod A: the new incarnation registers and starts, then
// the old one unregisters; the old one's pending events are void.
func (c *partition) onRestart(ev sim.Event) {
	pi := ev.A
	p := &c.pods[pi]
	t := c.eng.Now()
	p.gen++
	c.createPod(pi, t, "rolling restart: the new pod's first sync, RegisterPod")
	c.unregisterPod(pi, t)
}
