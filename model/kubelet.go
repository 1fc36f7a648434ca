package model

import (
	"fmt"
	"time"

	"cmsim/internal/hugepages"
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
	mountTimeout       = sim.Time(2*time.Minute + 3*time.Second)
	reconcilerLoop     = sim.Time(100 * time.Millisecond) // reconcilerLoopSleepPeriod
	watchSyncPoll      = sim.Time(10 * time.Millisecond)  // objectCache.Get polls hasSynced every 10 ms
	resyncJitterFactor = 0.5                              // workerResyncIntervalJitterFactor
	// backOffPeriod is the pod worker's requeue after a failed sync
	// (kubelet.go backOffPeriod, jittered by workerBackOffPeriodJitterFactor).
	backOffPeriod = sim.Time(10 * time.Second)
	// Mount failures: pkg/util/goroutinemap/exponentialbackoff.
	mountBackoffInitial = sim.Time(500 * time.Millisecond)
	mountBackoffMax     = sim.Time(2*time.Minute + 2*time.Second)
)

// resyncDelay draws wait.Jitter(syncFrequency, 0.5), U[S, 1.5 S), for pod
// pi's next resync. The draw is keyed by the pod and its count of draws,
// not taken from a shared sequence, so a pod whose resyncs are accounted
// without events (parked_resyncs.go) draws exactly what its events would
// have, whatever else happened in between.
//
// A pod with consumers is keyed by its first consumer, which holds the
// count: the simple and fast paths' cycles read that consumer, not the pod.
func (c *Cluster) resyncDelay(pi int32) sim.Time {
	p := &c.pods[pi]
	if p.consEnd > p.consStart {
		return c.consumerResyncDelay(p.consStart)
	}
	return c.resyncDraw(1<<40|uint64(pi), &p.resyncs)
}

// consumerResyncDelay is resyncDelay for the pod whose first consumer is ci.
func (c *Cluster) consumerResyncDelay(ci int32) sim.Time {
	return c.resyncDraw(uint64(ci), &c.consumers[ci].resyncs)
}

func (c *Cluster) resyncDraw(key uint64, count *uint32) sim.Time {
	u := c.resyncRand.Float64(key, uint64(*count))
	*count++
	return c.syncFrequency + sim.Time(u*resyncJitterFactor*float64(c.syncFrequency))
}

// scheduleCycle queues the pod's next cycle for a sync that starts at t. The
// event carries the pod's epoch, so that a deletion or a kubelet restart
// voids it.
func (c *partition) scheduleCycle(pi int32, t sim.Time) {
	p := &c.pods[pi]
	p.syncAt = t
	at := t
	if p.hasVolumes {
		at = c.mountTime(&c.nodes[p.node], t)
	}
	if at <= c.end {
		c.eng.Schedule(at, c.evCycle, pi, p.epoch, 0, 0)
	}
}

// scheduleResync computes the next periodic sync after a sync that ended at
// end: the work queue entry expires after the jittered interval, and the
// sync loop picks it up at the first tick strictly after that.
func (c *partition) scheduleResync(pi int32, end sim.Time) {
	n := &c.nodes[c.pods[pi].node]
	due := end + c.resyncDelay(pi)
	c.scheduleTickSync(pi, nextTick(n.syncPhase, syncTick, due))
}

// scheduleTickSync queues the cycle of a sync that starts at sync tick t,
// on the fast path for a simple pod.
func (c *partition) scheduleTickSync(pi int32, t sim.Time) {
	p := &c.pods[pi]
	if !p.simple {
		if p.fast >= 0 {
			c.scheduleFast(p.fast, t)
			return
		}
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
// last sync tick before the remount. Simple pods are never deleted and
// their kubelet never restarts, so their events need no epoch.
//
// A pod whose next resync can only read what its files hold is parked
// instead (parked_resyncs.go).
func (c *partition) scheduleSimple(n *nodeState, ci, slot, seen, node int32, t sim.Time) {
	if c.parking && seen >= 0 && c.watchReady[slot] == seen && c.opIdle(ci) {
		c.parkSimple(ci, slot, seen, t)
		return
	}
	if at := c.mountTime(n, t); at <= c.end {
		c.eng.Schedule(at, c.evCycleSimple, ci, slot, seen, node)
	}
}

// onCycleSimple is onCycle for a simple pod, without reading the pod or the
// consumer unless the files change or the mount fails.
func (c *partition) onCycleSimple(ev sim.Event) {
	now := c.eng.Now()
	n := &c.nodes[ev.D]
	start := prevTick(n.syncPhase, syncTick, now)
	c.rec.add(c.rec.Syncs, start, 1)
	if c.tracing {
		c.traceSync(c.consumers[ev.A].pod, start, "periodic resync")
	}
	if c.registerEverySync() {
		c.mgr.addReference(ev.B, now) // ≤ 1.28: RegisterPod on every sync
	}
	seen := ev.C
	if c.watchReady != nil && c.watchReady[ev.B] >= 0 {
		c.rec.add(c.rec.Remounts, now, 1)
		v := c.watchReady[ev.B]
		if c.tracing {
			c.traceRemount(ev.A, ev.B, now, v, seen, now)
		}
		if SourceChanged(seen, v) {
			c.rec.add(c.rec.VolumeWrites, now, 1)
			c.expose(ev.A, c.consumers[ev.A].srcStart, v, now)
			seen = v
		}
	} else {
		cs := &c.consumers[ev.A]
		if cs.opWrote {
			// A retry or a read that waited wrote the files meanwhile.
			seen = max(seen, c.srcSeen[cs.srcStart])
			cs.opWrote = false
		}
		if c.opIdle(ev.A) {
			c.rec.add(c.rec.Remounts, now, 1)
			w := waiter{waitMount, ev.A, 0} // simple pods are never deleted nor restarted
			v, done, ok, pending := c.read(ev.B, max(now, cs.busyUntil), w)
			if pending {
				c.handOver(ev.A, now, max(now, cs.busyUntil), cs.srcStart, false)
				due := start + c.consumerResyncDelay(ev.A)
				c.scheduleSimple(n, ev.A, ev.B, seen, ev.D, nextTick(n.syncPhase, syncTick, due))
				return
			}
			cs.busyUntil = done
			if c.tracing {
				c.traceRemount(ev.A, ev.B, now, v, seen, done)
			}
			switch {
			case !ok:
				if c.tracing {
					p := &c.pods[cs.pod]
					c.tracef(done, "%s %s: MountVolume %s failed: files keep their content", c.nodeName(p.node), c.podName(p), c.consumerName(cs))
				}
				c.mountFailed(ev.A, done)
			case SourceChanged(seen, v):
				c.rec.add(c.rec.VolumeWrites, done, 1)
				c.expose(ev.A, cs.srcStart, v, done)
				seen = v
			}
		}
		// else: a failed mount waits out its backoff, or a read waits for
		// the apiserver; either remounts on the general path.
	}
	if now > c.horizon && !keepDraining && seen == c.version[c.slots[ev.B].obj] && c.opIdle(ev.A) {
		return // draining, and this pod has seen the last write
	}
	due := start + c.consumerResyncDelay(ev.A)
	c.scheduleSimple(n, ev.A, ev.B, seen, ev.D, nextTick(n.syncPhase, syncTick, due))
}

// warmStartPod puts a pod into steady state at t=0: its next resync is due
// after the equilibrium residual of the U[S, 1.5 S) renewal process, so the
// first minutes look like the hours after them. So is its service-account
// token: refreshes come at remounts, so the token's refresh time is drawn
// uniformly over one refresh cycle that starts at the pod's last resync
// before 0 (the refresh period less the mean jitter plus the mean wait for
// a resync); a token due before the first resync is refreshed there.
func (c *partition) warmStartPod(pi int32) {
	p := &c.pods[pi]
	n := &c.nodes[p.node]
	a, b := float64(c.syncFrequency), 1.5*float64(c.syncFrequency)
	due := residualUniform(&n.rng, a, b)
	c.scheduleTickSync(pi, nextTick(n.syncPhase, syncTick, sim.Time(due)))
	if c.cfg.Workloads[p.workload].TokenRequests {
		// The resync gap that holds 0, given the first resync at due, is
		// U[max(a, due), b); the last resync was that gap before due.
		lo := max(a, due)
		prev := due - (lo + n.tokens.Float64()*(b-lo))
		meanWait := (a*a + a*b + b*b) / 3 / (a + b)       // E[P²]/2E[P]: a resync's mean residual
		meanJitter := float64(tokenMaxJitter-1) / 2 * 1e9 // whole seconds in [0, maxJitter)
		cycle := float64(tokenRefreshAfter) - meanJitter + meanWait
		p.hasToken = true
		p.tokenAt = sim.Time(prev + n.tokens.Float64()*cycle)
	}
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

// onCycle runs a pod's sync (periodic, or the PLEG one after a start) and
// its remount.
func (c *partition) onCycle(ev sim.Event) {
	pi := ev.A
	p := &c.pods[pi]
	if ev.B != p.epoch {
		return // the pod was deleted, or its kubelet restarted
	}
	start := p.syncAt
	now := c.eng.Now()
	c.rec.add(c.rec.Syncs, start, 1)
	if c.tracing {
		c.traceSync(pi, start, "resync or PLEG")
	}
	if c.registerEverySync() {
		// ≤ 1.28: SyncPod's RegisterPod calls AddReference again, which
		// drops the data of every object the pod references.
		c.eachPodSlot(p, func(si int32) { c.mgr.addReference(si, now) })
	}
	c.readPullSecrets(pi, now)
	if p.hasVolumes {
		c.remount(pi, now, false)
	}
	if p.plegNext {
		// After a kubelet restart, PLEG's first relist sees every
		// container and syncs the pod again.
		p.plegNext = false
		c.scheduleCycle(pi, nextTick(c.nodes[p.node].plegPhase, plegRelistPeriod, start))
		return
	}
	if now > c.horizon && !keepDraining && c.podUpToDate(p) {
		return // draining, and this pod's volumes have seen the last writes
	}
	c.scheduleResync(pi, start)
}

// readPullSecrets is getPullSecretsForPod: every sync reads each
// imagePullSecrets entry through the secret manager. A failure is only
// logged (the image pull may fail later), so nothing waits for it.
func (c *partition) readPullSecrets(pi int32, t sim.Time) {
	p := &c.pods[pi]
	for ci := p.consStart; ci < p.consEnd; ci++ {
		cs := &c.consumers[ci]
		if cs.kind != PullSecret {
			continue
		}
		for s := cs.srcStart; s < cs.srcEnd; s++ {
			if c.watchReady != nil && c.watchReady[c.srcSlot[s]] >= 0 {
				continue // a read of the local store
			}
			c.read(c.srcSlot[s], t, waiter{})
		}
	}
}

// podUpToDate reports whether every volume source of p holds its object's
// latest version and no mount is waiting to be retried.
func (c *partition) podUpToDate(p *podState) bool {
	for ci := p.consStart; ci < p.consEnd; ci++ {
		cs := &c.consumers[ci]
		if !cs.kind.isVolume() {
			continue
		}
		if !c.opIdle(ci) {
			return false
		}
		for s := cs.srcStart; s < cs.srcEnd; s++ {
			if c.srcSeen[s] < c.version[c.srcObj[s]] {
				return false
			}
		}
	}
	return true
}

// remount runs the reconciler's MountVolume for every configMap, secret and
// projected volume of the pod at t. A volume whose last mount failed waits
// for its backoff (its retry event remounts it). It returns when the last
// volume's operation completes, and whether every volume mounted.
//
// A new pod's first mount (fresh) always writes its volumes.
func (c *partition) remount(pi int32, t sim.Time, fresh bool) (sim.Time, bool) {
	p := &c.pods[pi]
	last, ok := t, true
	for ci := p.consStart; ci < p.consEnd; ci++ {
		cs := &c.consumers[ci]
		if !cs.kind.isVolume() {
			continue
		}
		if !c.opIdle(ci) {
			ok = false // nestedpendingoperations refuses it: backoff, or an operation in flight
			continue
		}
		done, mounted, finished := c.mountVolume(ci, t, fresh)
		ok = ok && mounted && finished
		if finished {
			last = max(last, done)
		}
	}
	return last, ok
}

// op returns consumer ci's operation state, allocating the partition's on
// the first use.
func (c *partition) op(ci int32) *consumerOp {
	if c.ops == nil {
		c.ops = hugepages.Make[consumerOp](int(c.consHi-c.consLo), int(c.consHi-c.consLo))
	}
	return &c.ops[ci-c.consLo]
}

// opIdle says whether consumer ci may start a MountVolume: no failure's
// backoff pending and no operation in flight.
func (c *partition) opIdle(ci int32) bool {
	if c.ops == nil {
		return true
	}
	op := &c.ops[ci-c.consLo]
	return op.retryAt == 0 && !op.opActive
}

// retryAt is when consumer ci's failed mount retries (0: none pending).
func (c *partition) retryAt(ci int32) sim.Time {
	if c.ops == nil {
		return 0
	}
	return c.ops[ci-c.consLo].retryAt
}

// failFault is the fault (+1) of consumer ci's pending failure (0: none).
func (c *partition) failFault(ci int32) int32 {
	if c.ops == nil {
		return 0
	}
	return c.ops[ci-c.consLo].failFault
}

// mountVolume starts one MountVolume of consumer ci at t: it reads every
// source through the manager, one after another, and if any changed swaps
// the whole payload atomically (AtomicWriter: one rename exposes every key;
// unchanged content is not rewritten). If a read fails, the operation fails:
// the files keep their content and the retry waits out the backoff. It
// returns when the operation completed and whether it mounted, or finished
// false when it waits for the apiserver (finite capacity): it then goes on
// when the response comes (mountRead).
func (c *partition) mountVolume(ci int32, t sim.Time, fresh bool) (done sim.Time, ok, finished bool) {
	cs, op := &c.consumers[ci], c.op(ci)
	c.rec.add(c.rec.Remounts, t, 1)
	op.opActive, op.opFresh, op.opChanged = true, fresh, fresh
	op.opStart = t
	// nestedpendingoperations runs one operation per volume at a time.
	op.opAt = max(t, cs.busyUntil)
	op.opNext = cs.srcStart
	return c.stepMount(ci)
}

// stepMount runs consumer ci's MountVolume from where it stands until it
// completes or waits for the apiserver.
func (c *partition) stepMount(ci int32) (sim.Time, bool, bool) {
	cs := &c.consumers[ci]
	op := c.op(ci)
	w := waiter{waitMount, ci, c.pods[cs.pod].epoch}
	for op.opNext < cs.srcEnd {
		s := op.opNext
		v, done, ok, pending := c.read(c.srcSlot[s], op.opAt, w)
		if pending {
			return 0, false, false
		}
		op.opAt = done
		if !ok {
			return c.endMount(ci, false), false, true
		}
		c.opVer[s] = v
		if SourceChanged(c.srcSeen[s], v) {
			op.opChanged = true
		}
		op.opNext++
	}
	if op.opNext == cs.srcEnd && c.isTokenVolume(ci) {
		op.opNext++ // the token step
		ok, renewed, pending := c.tokenForMount(cs.pod, op.opAt, w)
		if pending {
			return 0, false, false
		}
		if !ok {
			return c.endMount(ci, false), false, true
		}
		op.opChanged = op.opChanged || renewed // the token file is part of the payload
	}
	return c.endMount(ci, true), true, true
}

// mountRead resumes a MountVolume with a read that completed at done.
func (c *partition) mountRead(w waiter, v int32, done sim.Time, ok bool) {
	cs := &c.consumers[w.id]
	op := c.op(w.id)
	if w.gen != c.pods[cs.pod].epoch || !op.opActive {
		return // the pod was deleted, or its kubelet restarted
	}
	op.opAt = done
	if !ok {
		c.endMount(w.id, false)
		c.afterMount(w.id)
		return
	}
	s := op.opNext
	c.opVer[s] = v
	if SourceChanged(c.srcSeen[s], v) {
		op.opChanged = true
	}
	op.opNext++
	if _, _, finished := c.stepMount(w.id); finished {
		c.afterMount(w.id)
	}
}

// afterMount goes on with a pod waiting for an asynchronous mount: a new
// pod starts its containers once all its volumes are mounted.
func (c *partition) afterMount(ci int32) {
	cs := &c.consumers[ci]
	if p := &c.pods[cs.pod]; p.added && !p.running {
		c.maybeStart(cs.pod, cs.busyUntil)
	}
}

// endMount completes consumer ci's MountVolume at its operation's time.
func (c *partition) endMount(ci int32, ok bool) sim.Time {
	cs := &c.consumers[ci]
	op := c.op(ci)
	p := &c.pods[cs.pod]
	op.opActive = false
	done := op.opAt
	cs.busyUntil = done
	if c.tracing {
		for s := cs.srcStart; s < min(op.opNext, cs.srcEnd); s++ {
			seen := c.srcSeen[s]
			if op.opFresh {
				seen = -1
			}
			c.traceRemount(ci, c.srcSlot[s], op.opStart, c.opVer[s], seen, done)
		}
	}
	if !ok {
		if c.tracing {
			c.tracef(done, "%s %s: MountVolume %s failed: files keep their content", c.nodeName(p.node), c.podName(p), c.consumerName(cs))
		}
		c.mountFailed(ci, done)
		return done
	}
	if op.opChanged {
		c.rec.add(c.rec.VolumeWrites, done, 1)
		for s := cs.srcStart; s < cs.srcEnd; s++ {
			c.expose(ci, s, c.opVer[s], done)
		}
		cs.opWrote = true
	}
	c.mountSucceeded(ci, done)
	return done
}

// mountFailed records a failed MountVolume of consumer ci completing at t
// and queues its retry: the operation may run again once
// durationBeforeRetry has passed since the failure (500 ms, doubling, at
// most 2 min 2 s), at the reconciler's next loop after that.
func (c *partition) mountFailed(ci int32, t sim.Time) {
	cs := &c.consumers[ci]
	op := c.op(ci)
	c.rec.add(c.rec.MountFailures, t, 1)
	if op.backoff == 0 {
		op.backoff = mountBackoffInitial
	} else {
		op.backoff = min(2*op.backoff, mountBackoffMax)
	}
	if op.failFault == 0 {
		if f := c.faultAt(t); f >= 0 {
			op.failFault = f + 1
			c.rec.faultMountFailures(f)
		}
	}
	p := &c.pods[cs.pod]
	if p.fast >= 0 {
		c.fast[p.fast].failing |= 1 << (ci - p.consStart)
	}
	n := &c.nodes[p.node]
	op.retryAt = nextTick(n.reconPhase, reconcilerLoop, t+op.backoff)
	if op.retryAt <= c.end {
		c.eng.Schedule(op.retryAt, c.evMountRetry, ci, p.epoch, 0, 0)
	}
}

// mountSucceeded ends consumer ci's failure backoff (the operation's entry
// is deleted), and records when the fault that made it fail was recovered.
func (c *partition) mountSucceeded(ci int32, t sim.Time) {
	cs := &c.consumers[ci]
	if p := &c.pods[cs.pod]; p.fast >= 0 {
		// Back on the fast path: its copies of the volume's state.
		fp, k := &c.fast[p.fast], ci-p.consStart
		fp.failing &^= 1 << k
		fp.seen[k] = max(fp.seen[k], c.srcSeen[fp.src+k])
		fp.busy[k] = cs.busyUntil
		if fp.token >= 0 {
			fp.tokenAt = p.tokenAt
		}
	}
	if c.ops == nil {
		return
	}
	op := c.op(ci)
	op.backoff, op.retryAt = 0, 0
	if op.failFault > 0 {
		c.rec.faultMountRecovered(op.failFault-1, t)
		op.failFault = 0
	}
}

// onMountRetry retries a failed mount: the volume is still remountRequired,
// so the reconciler runs MountVolume again as soon as the backoff allows.
func (c *partition) onMountRetry(ev sim.Event) {
	ci := ev.A
	cs := &c.consumers[ci]
	op := c.op(ci)
	p := &c.pods[cs.pod]
	if ev.B != p.epoch || op.retryAt != c.eng.Now() {
		return
	}
	op.retryAt = 0
	t := c.eng.Now()
	fresh := c.srcSeen[cs.srcStart] < 0
	if _, ok, finished := c.mountVolume(ci, t, fresh); ok && finished && p.syncAt >= 0 && !p.running {
		c.maybeStart(cs.pod, cs.busyUntil)
	}
}

// expose makes version v of source s visible in consumer ci's files at t.
// A subPath consumer's volume changes too, but its container keeps the file
// it bind-mounted at start, so nothing is observed.
func (c *partition) expose(ci int32, s int32, v int32, t sim.Time) {
	if v <= c.srcSeen[s] {
		return
	}
	c.srcSeen[s] = v
	if c.consumers[ci].kind == SubPath {
		return
	}
	c.observe(ci, s, v, t)
}

// observe records that consumer ci holds version v of source s's object
// from t on. Result turns these exposures into one sample per (update,
// consumer chain): the first exposure of that version or a newer one.
func (c *partition) observe(ci, s int32, v int32, t sim.Time) {
	c.rec.addExposure(exposure{cons: ci, src: s, version: v, at: t})
}

// onCreate creates a pod (cold start, or a later incarnation): the pod ADD
// arrives at t.
func (c *partition) onCreate(ev sim.Event) {
	pi := ev.A
	p := &c.pods[pi]
	t := c.eng.Now()
	if p.deleteAt <= t || p.added {
		return // deleted before it was created (its node left first), or already added
	}
	if n := &c.nodes[p.node]; n.down {
		return // the kubelet is restarting: it adds the pod when it starts
	}
	c.startPod(pi, t, "pod ADD: first sync, RegisterPod")
}

// startPod runs the first sync of pod pi at t: RegisterPod adds the pod's
// references to the manager, the volume manager mounts its volumes, and
// SyncPod waits for them before starting the containers.
func (c *partition) startPod(pi int32, t sim.Time, why string) {
	p := &c.pods[pi]
	p.running = false
	p.added = true
	if p.consEnd > p.consStart {
		for s := c.consumers[p.consStart].srcStart; s < c.consumers[p.consEnd-1].srcEnd; s++ {
			c.srcSeen[s] = -1 // nothing mounted yet
		}
	}
	p.syncAt = t
	c.rec.add(c.rec.Syncs, t, 1)
	if c.tracing {
		c.traceSync(pi, t, why)
	}
	c.registerPod(pi, t)
	c.readPullSecrets(pi, t)
	if p.hasVolumes {
		c.eng.Schedule(c.mountTime(&c.nodes[p.node], t), c.evInitialMount, pi, p.epoch, 0, 0)
		return
	}
	c.eng.Schedule(t, c.evStart, pi, p.epoch, 0, 0)
}

// registerPod is the manager's RegisterPod on a pod UID's first sync: one
// AddReference per distinct referenced object.
func (c *partition) registerPod(pi int32, t sim.Time) {
	p := &c.pods[pi]
	p.registered = true
	for ci := p.consStart; ci < p.consEnd; ci++ {
		if cs := &c.consumers[ci]; cs.kind.readEverySync() {
			for s := cs.srcStart; s < cs.srcEnd; s++ {
				c.slots[c.srcSlot[s]].syncRefs++
			}
		}
	}
	c.eachPodSlot(p, func(si int32) {
		c.slots[si].refs++
		c.mgr.addReference(si, t)
	})
}

// unregisterPod is the manager's UnregisterPod when a deleted pod's volumes
// are torn down: one DeleteReference per distinct referenced object.
func (c *partition) unregisterPod(pi int32, t sim.Time) {
	p := &c.pods[pi]
	if !p.registered {
		return
	}
	p.registered = false
	for ci := p.consStart; ci < p.consEnd; ci++ {
		if cs := &c.consumers[ci]; cs.kind.readEverySync() {
			for s := cs.srcStart; s < cs.srcEnd; s++ {
				c.slots[c.srcSlot[s]].syncRefs--
			}
		}
	}
	c.eachPodSlot(p, func(si int32) {
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
	if ev.B != p.epoch {
		return // the pod was deleted, or its kubelet restarted
	}
	done, ok := c.remount(pi, c.eng.Now(), true)
	if ok {
		c.maybeStart(pi, done)
	}
	// else: the failed volumes' retries start the pod once all are mounted.
}

// maybeStart starts pod pi's containers once every volume is mounted, the
// last at t. WaitForAttachAndMount polls every 300 ms for 2 min 3 s from
// the sync's start; if the mounts take longer the sync fails, the pod
// worker requeues it after backOffPeriod × U[1, 1.5), and the next sync
// polls again.
func (c *partition) maybeStart(pi int32, t sim.Time) {
	p := &c.pods[pi]
	for ci := p.consStart; ci < p.consEnd; ci++ {
		cs := &c.consumers[ci]
		if cs.kind.isVolume() && (!c.opIdle(ci) || c.srcSeen[cs.srcStart] < 0) {
			return // a volume is still not mounted
		}
	}
	n := &c.nodes[p.node]
	for t > p.syncAt+mountTimeout {
		failed := p.syncAt + mountTimeout
		due := failed + backOffPeriod + sim.Time(n.rng.Float64()*resyncJitterFactor*float64(backOffPeriod))
		p.syncAt = nextTick(n.syncPhase, syncTick, due)
		c.rec.add(c.rec.Syncs, p.syncAt, 1)
	}
	polls := (t - p.syncAt + mountPollInterval - 1) / mountPollInterval
	at := max(p.syncAt+polls*mountPollInterval, t)
	if c.tracing {
		c.tracef(at, "%s %s: WaitForAttachAndMount sees the volumes mounted (300 ms poll); containers start", c.nodeName(p.node), c.podName(p))
	}
	if at <= c.end {
		c.eng.Schedule(at, c.evStart, pi, p.epoch, 0, 0)
	}
}

// onStart starts a new pod's containers: env and envFrom references are read
// once, here, and baked in, and subPath mounts bind the volume's current
// file. PLEG sees the containers start at its next relist and triggers a
// sync, which replaces the pending resync; the periodic cycle runs from
// there.
func (c *partition) onStart(ev sim.Event) {
	pi := ev.A
	p := &c.pods[pi]
	if ev.B != p.epoch {
		return // the pod was deleted, or its kubelet restarted
	}
	p.running = true
	t := c.eng.Now()
	for ci := p.consStart; ci < p.consEnd; ci++ {
		cs := &c.consumers[ci]
		switch {
		case cs.kind == SubPath:
			s := cs.srcStart
			cs.baked = max(cs.baked, c.srcSeen[s])
			c.observe(ci, s, c.srcSeen[s], t)
		case cs.kind == Env || cs.kind == EnvFrom:
			op := c.op(ci)
			op.opNext, op.opAt = cs.srcStart, t
			c.stepEnv(ci)
		}
	}
	n := &c.nodes[p.node]
	if c.tracing {
		c.tracef(t, "%s %s: containers running; PLEG's next relist (%v) will sync the pod", c.nodeName(p.node), c.podName(p), nextTick(n.plegPhase, plegRelistPeriod, t))
	}
	c.scheduleCycle(pi, nextTick(n.plegPhase, plegRelistPeriod, t))
}

// onDelete deletes a pod: its containers stop and it syncs no more; its
// volumes are torn down and UnregisterPod runs after the grace period.
func (c *partition) onDelete(ev sim.Event) {
	pi := ev.A
	p := &c.pods[pi]
	t := c.eng.Now()
	p.epoch++
	p.running = false
	p.hasToken = false
	if c.ops != nil {
		for ci := p.consStart; ci < p.consEnd; ci++ {
			c.op(ci).retryAt = 0
		}
	}
	if c.tracing {
		c.tracef(t, "%s %s: pod deleted: containers stop", c.nodeName(p.node), c.podName(p))
	}
	at := t + sim.Time(c.cfg.Workloads[p.workload].GracePeriod)
	if at <= c.end {
		c.eng.Schedule(at, c.evUnregister, pi, 0, 0, 0)
	}
}

// onUnregister runs UnregisterPod for a deleted pod.
func (c *partition) onUnregister(ev sim.Event) {
	p := &c.pods[ev.A]
	if c.tracing && p.registered {
		c.tracef(c.eng.Now(), "%s %s: volumes torn down: UnregisterPod", c.nodeName(p.node), c.podName(p))
	}
	c.unregisterPod(ev.A, c.eng.Now())
}

// onKubelet is a node's kubelet stopping for a restart (B=0, C: the
// restart's index), starting again after it (B=2), or a new node's kubelet
// starting (B=1).
func (c *partition) onKubelet(ev sim.Event) {
	n := ev.A
	t := c.eng.Now()
	switch ev.B {
	case 1:
		if c.tracing {
			c.tracef(t, "%s: joins the cluster", c.nodeName(n))
		}
		c.restartKubelet(n, t) // its first start: it adds the pods bound to it
	case 0:
		r := c.plan.restarts[n][ev.C]
		c.stopKubelet(n, t, r.fault)
		if r.up <= c.end {
			c.eng.Schedule(r.up, c.evKubelet, n, 2, ev.C, 0)
		}
	case 2:
		c.restartKubelet(n, t)
	}
}

// stopKubelet kills node n's kubelet at t: its watches close with its
// connection, its managers' state and the token manager's cache are lost,
// and its pods' pending work is void. Containers keep running.
func (c *partition) stopKubelet(n int32, t sim.Time, fault int32) {
	nd := &c.nodes[n]
	nd.down = true
	nd.epoch++
	nd.replica = -1
	if c.tracing {
		c.tracef(t, "%s: kubelet stops (restart)", c.nodeName(n))
	}
	for si := c.nodeSlotStart[n]; si < c.nodeSlotStart[n+1]; si++ {
		c.mgr.reset(si, t, fault)
		sl := &c.slots[si]
		sl.refs, sl.syncRefs = 0, 0
	}
	for pi := c.nodePodStart[n]; pi < c.nodePodStart[n+1]; pi++ {
		p := &c.pods[pi]
		p.epoch++
		p.registered = false
		p.hasToken = false
		if c.ops == nil {
			continue
		}
		for ci := p.consStart; ci < p.consEnd; ci++ {
			op := c.op(ci)
			op.retryAt, op.backoff, op.failFault = 0, 0, 0
		}
	}
}

// restartKubelet starts node n's kubelet again at t. Its loops start with
// new phases; HandlePodAdditions syncs every pod at once (RegisterPod:
// Watch starts a reflector per object, Cache's items are empty); the
// reconstructed volumes are mounted again, rewriting only changed files;
// PLEG's first relist sees every container and syncs each pod again; pods
// created meanwhile take the normal creation path.
func (c *partition) restartKubelet(n int32, t sim.Time) {
	nd := &c.nodes[n]
	nd.down = false
	c.drawPhases(nd)
	if c.tracing {
		c.tracef(t, "%s: kubelet starts: HandlePodAdditions for every pod", c.nodeName(n))
	}
	for pi := c.nodePodStart[n]; pi < c.nodePodStart[n+1]; pi++ {
		p := &c.pods[pi]
		if p.deleteAt <= t || p.createAt > t {
			continue
		}
		if !p.running {
			// Created while the kubelet was down, or not started yet.
			c.startPod(pi, t, "pod ADD after the kubelet restart")
			continue
		}
		// The ADD sync registers at once; its cycle mounts the
		// reconstructed volumes, then PLEG's sync follows.
		c.registerPod(pi, t)
		p.plegNext = true
		c.scheduleCycle(pi, t)
	}
}

// onTTL applies a change of node A's TTL annotation (plan change B).
func (c *partition) onTTL(ev sim.Event) {
	ch := c.plan.ttl[ev.A][ev.B]
	c.nodes[ev.A].cacheTTL = ch.ttl
	if c.tracing {
		c.tracef(c.eng.Now(), "%s: node annotation node.alpha.kubernetes.io/ttl = %v", c.nodeName(ev.A), time.Duration(ch.ttl))
	}
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

// stepEnv reads consumer ci's env references into its container, one
// after another, until done or waiting for the apiserver. For env consumers
// srcSeen is the value baked into the container. A read that fails leaves
// the container unstarted in reality (CreateContainerConfigError, retried at
// the next sync); the model starts it with the last value read.
func (c *partition) stepEnv(ci int32) {
	cs := &c.consumers[ci]
	op := c.op(ci)
	w := waiter{waitEnv, ci, c.pods[cs.pod].epoch}
	for op.opNext < cs.srcEnd {
		v, done, ok, pending := c.read(c.srcSlot[op.opNext], op.opAt, w)
		if pending {
			return
		}
		c.envDone(ci, v, done, ok)
	}
}

// envDone records one env read of consumer ci, completed at done.
func (c *partition) envDone(ci int32, v int32, done sim.Time, ok bool) {
	cs := &c.consumers[ci]
	op := c.op(ci)
	s := op.opNext
	op.opAt = done
	op.opNext++
	if !ok {
		return
	}
	c.srcSeen[s] = max(c.srcSeen[s], v)
	c.observe(ci, s, v, done)
	if c.tracing {
		p := &c.pods[cs.pod]
		c.tracef(done, "%s %s: %s reads %s v%d into the container for good", c.nodeName(p.node), c.podName(p), c.consumerName(cs), c.objectName(c.srcObj[s]), v)
	}
}

// envRead resumes a container's env reads with one that completed.
func (c *partition) envRead(w waiter, v int32, done sim.Time, ok bool) {
	cs := &c.consumers[w.id]
	op := c.op(w.id)
	if w.gen != c.pods[cs.pod].epoch || op.opNext >= cs.srcEnd {
		return
	}
	c.envDone(w.id, v, done, ok)
	c.stepEnv(w.id)
}

// handOver continues on the general path a fast-path remount of consumer ci
// (started at start) that waits for the apiserver at at: next is the source
// whose read it waits for, or srcEnd+1 for its TokenRequest.
func (c *partition) handOver(ci int32, start, at sim.Time, next int32, changed bool) {
	cs := &c.consumers[ci]
	op := c.op(ci)
	op.opActive, op.opFresh, op.opChanged = true, false, changed
	op.opStart, op.opAt, op.opNext = start, at, next
	if p := &c.pods[cs.pod]; p.fast >= 0 {
		c.fast[p.fast].failing |= 1 << (ci - p.consStart)
	}
}
