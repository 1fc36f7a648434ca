package model

import (
	"time"

	"cmsim/sim"
)

// watchingManager is the Watch strategy (NewWatchingConfigMapManager, the
// objectCache of watch_based_manager.go): one reflector per node and
// referenced object, LIST then WATCH scoped to that object's name.
//
//   - Get reads the local store (no API call), after waiting for the
//     reflector's first sync (polled every 10 ms for at most 1 s; after that
//     the Get fails). A synced store keeps serving, stale, while its
//     reflector is disconnected.
//   - Each WATCH lasts U[30, 60) min (MinWatchTimeout 30 min; 5 min up to
//     1.30) and is
//     re-issued from the last resourceVersion: no relist, no lost events.
//   - A watch that an apiserver outage ends is retried as client-go's
//     reflector does (reflector.go): at once, then with backoff; a 410
//     relists.
//   - A Get of an immutable object stops its reflector for good; the store
//     keeps serving the copy it has.
//   - A reflector that no Get touched for max(5 × syncFrequency, 1 min) is
//     stopped by the once-a-minute recycler. Volume and pull-secret
//     references are read on every sync and never go idle; env-only
//     references do.
type watchingManager struct {
	c *partition
}

const (
	recyclePeriod = sim.Time(time.Minute)
	hasSyncedWait = sim.Time(time.Second) // objectCache.Get's PollImmediate timeout
)

func (m *watchingManager) get(s int32, t sim.Time) (int32, sim.Time, bool) {
	c := m.c
	sl := &c.slots[s]
	ws := &c.watchSlots[s]
	ws.lastAccess = t
	if !ws.started {
		m.startReflector(s, t) // restartReflectorIfNeeded
	}
	if t < ws.syncedAt {
		// wait.PollImmediate(10ms, 1s, hasSynced).
		if ws.syncedAt-t > hasSyncedWait {
			if c.tracing {
				c.tracef(t, "%s: Get %s: reflector not synced within 1 s: failed to sync cache", c.nodeName(sl.node), c.objectName(sl.obj))
			}
			return 0, t + hasSyncedWait, false
		}
		t += (ws.syncedAt - t + watchSyncPoll - 1) / watchSyncPoll * watchSyncPoll
	}
	return m.readStore(s, t), t, true
}

// readStore is a Get's read of slot s's synced store at t.
func (m *watchingManager) readStore(s int32, t sim.Time) int32 {
	c := m.c
	sl := &c.slots[s]
	ws := &c.watchSlots[s]
	if c.cfg.Objects[sl.obj].Immutable && !ws.immutableStopped {
		ws.immutableStopped = true
		m.stopWatch(s, t)
		if c.tracing {
			c.tracef(t, "%s: %s is immutable: watch stopped for good, the store keeps v%d", c.nodeName(sl.node), c.objectName(sl.obj), ws.storeVersion)
		}
	}
	if sl.syncRefs == 0 && ws.watchOpen && !ws.idleCheck {
		m.scheduleIdleCheck(s)
	}
	m.updateReady(s, t)
	return ws.storeVersion
}

// getAsync is get when the apiserver's capacity is finite: a Get of a
// reflector whose LIST is still in flight waits for it, at most 1 s.
func (m *watchingManager) getAsync(s int32, t sim.Time, w waiter) (int32, sim.Time, bool, bool) {
	c := m.c
	ws := &c.watchSlots[s]
	if ws.started && ws.syncedAt == never || !ws.started && m.startsAsync(s, t) {
		ws.lastAccess = t
		id := c.waiterSeq
		c.waiterSeq++
		c.syncWaiters[s] = append(c.syncWaiters[s], pendingRead{w: w, at: t, id: id})
		c.eng.Schedule(t+hasSyncedWait, c.evSyncTimeout, s, id, 0, 0)
		return 0, 0, false, true
	}
	v, done, ok := m.get(s, t)
	return v, done, ok, false
}

// startsAsync starts slot s's reflector at t (restartReflectorIfNeeded)
// and reports whether its sync is in flight.
func (m *watchingManager) startsAsync(s int32, t sim.Time) bool {
	m.startReflector(s, t)
	return m.c.watchSlots[s].syncedAt == never
}

// wakeSynced resumes the Gets waiting for slot s's reflector, which synced
// at t: each at its next 10 ms poll.
func (m *watchingManager) wakeSynced(s int32, t sim.Time) {
	c := m.c
	waiting := c.syncWaiters[s]
	delete(c.syncWaiters, s)
	for _, pr := range waiting {
		at := pr.at + (t-pr.at+watchSyncPoll-1)/watchSyncPoll*watchSyncPoll
		c.resumeRead(pr.w, m.readStore(s, at), at, true)
	}
}

// onSyncTimeout fails a Get that waited 1 s for its reflector to sync:
// "failed to sync configmap cache".
func (c *partition) onSyncTimeout(ev sim.Event) {
	waiting := c.syncWaiters[ev.A]
	for i, pr := range waiting {
		if pr.id == ev.B {
			c.syncWaiters[ev.A] = append(waiting[:i:i], waiting[i+1:]...)
			if c.tracing {
				sl := &c.slots[ev.A]
				c.tracef(c.eng.Now(), "%s: Get %s: reflector not synced within 1 s: failed to sync cache", c.nodeName(sl.node), c.objectName(sl.obj))
			}
			c.resumeRead(pr.w, 0, c.eng.Now(), false)
			return
		}
	}
}

// updateReady refreshes the cluster's watchReady entry for slot s at t: a
// Get through it is a plain read of the store when the reflector has synced,
// an immutable object's watch has already been stopped, and it is read on
// every sync (so it never goes idle and needs no access time).
func (m *watchingManager) updateReady(s int32, t sim.Time) {
	c := m.c
	if c.watchReady == nil {
		return
	}
	sl := &c.slots[s]
	ws := &c.watchSlots[s]
	ready := ws.started && t >= ws.syncedAt && sl.syncRefs > 0 &&
		(ws.immutableStopped || !c.cfg.Objects[sl.obj].Immutable)
	if ready {
		c.setWatchReady(s, ws.storeVersion)
	} else {
		c.setWatchReady(s, -1)
	}
}

func (m *watchingManager) addReference(s int32, t sim.Time) {
	if !m.c.watchSlots[s].started {
		m.startReflector(s, t)
	}
	m.updateReady(s, t)
}

// deleteReference stops and forgets the reflector when the last pod on the
// node that references the object goes (refMap empty: item.stop()); a later
// AddReference starts a new one, with a new LIST.
func (m *watchingManager) deleteReference(s int32, t sim.Time) {
	c := m.c
	sl := &c.slots[s]
	ws := &c.watchSlots[s]
	if sl.refs > 0 || !ws.started {
		m.updateReady(s, t)
		return
	}
	if c.tracing {
		c.tracef(t, "%s: no pod references %s any more: reflector stopped", c.nodeName(sl.node), c.objectName(sl.obj))
	}
	m.forget(s, t)
}

// forget stops slot s's reflector and forgets its item, as item.stop() and
// a deleted objectCache entry do.
func (m *watchingManager) forget(s int32, t sim.Time) {
	ws := &m.c.watchSlots[s]
	m.stopWatch(s, t)
	ws.watchGen++ // voids a pending retry
	ws.started = false
	ws.immutableStopped = false
	ws.syncedAt = never
	ws.backoffReset = never
	ws.faultPending = 0
	m.updateReady(s, t)
}

// reset forgets the slot's reflector when its kubelet stops; the watch it
// held ends with the connection, and the restarted kubelet's new reflector
// re-opens it.
func (m *watchingManager) reset(s int32, t sim.Time, fault int32) {
	ws := &m.c.watchSlots[s]
	dropped := ws.watchOpen
	if dropped {
		m.c.rec.faultWatchDropped(fault)
	}
	m.forget(s, t)
	if dropped {
		ws.faultPending = fault + 1
	}
}

// startReflector LISTs the object from the watch cache and opens a WATCH from
// the listed resourceVersion. Events after that version reach the store, so
// the watch counts as open from the LIST on.
func (m *watchingManager) startReflector(s int32, t sim.Time) {
	ws := &m.c.watchSlots[s]
	ws.started = true
	if ws.backoffReset == never {
		ws.backoffReset = t // NewReflectorWithOptions: the backoff manager starts now
	}
	ws.syncedAt = never
	m.list(s, t)
}

// openWatch opens slot s's WATCH at t on replica rep, already counted; u in
// [0, 1) picks its timeout.
func (m *watchingManager) openWatch(s int32, t sim.Time, u float64, rep int32) {
	c := m.c
	sl := &c.slots[s]
	ws := &c.watchSlots[s]
	ws.watchOpen = true
	ws.watchGen++
	ws.watchStart = t
	ws.watchReplica = rep
	c.rec.openWatchDelta(t, 1, ws.watchReplica)
	if ws.faultPending > 0 {
		c.rec.faultRewatched(ws.faultPending-1, t)
		ws.faultPending = 0
	}
	// timeoutSeconds = minWatchTimeout * (rand + 1).
	m.scheduleExpiry(s, t+c.watchTimeout(u))
	if c.tracing {
		c.tracef(t, "%s: WATCH %s opened, times out at %v", c.nodeName(sl.node), c.objectName(sl.obj), t+c.watchTimeout(u))
	}
}

func (m *watchingManager) scheduleExpiry(s int32, at sim.Time) {
	if m.c.lazyWatches {
		m.c.watchSlots[s].expiryAt = at // see catchUpExpiries
		return
	}
	if at <= m.c.end {
		m.c.eng.Schedule(at, m.c.evWatchExpire, s, m.c.watchSlots[s].watchGen, 0, 0)
	}
}

func (m *watchingManager) stopWatch(s int32, t sim.Time) {
	ws := &m.c.watchSlots[s]
	if !ws.watchOpen {
		return
	}
	m.c.catchUpExpiries(s, t)
	ws.watchOpen = false
	ws.watchGen++
	m.c.rec.openWatchDelta(t, -1, ws.watchReplica)
}

func (m *watchingManager) scheduleIdleCheck(s int32) {
	c := m.c
	sl := &c.slots[s]
	ws := &c.watchSlots[s]
	ws.idleCheck = true
	n := &c.nodes[sl.node]
	at := nextTick(n.recyclePhase, recyclePeriod, ws.lastAccess+c.maxIdle)
	if at <= c.end {
		c.eng.Schedule(at, c.evIdleCheck, s, 0, 0, 0)
	}
}

// objectUpdated fans a write out to the nodes watching the object: one watch
// event each, delivered after a WatchDelay draw.
func (m *watchingManager) objectUpdated(o int32, t sim.Time) {
	c := m.c
	v := c.version[o]
	for _, s := range c.objSlots[c.objSlotStart[o]:c.objSlotStart[o+1]] {
		if s < c.slotLo || s >= c.slotHi {
			continue // another partition's node
		}
		ws := &c.watchSlots[s]
		if !ws.watchOpen {
			continue
		}
		m.sendEvent(s, v, t)
	}
}

// sendEvent sends one watch event carrying version v of slot s's object at
// t, delivered after a WatchDelay draw.
func (m *watchingManager) sendEvent(s int32, v int32, t sim.Time) {
	c := m.c
	sl := &c.slots[s]
	kind := c.cfg.Objects[sl.obj].Kind
	c.rec.add(c.rec.WatchEvents, t, 1)
	c.rec.addRes(kind, t, func(r *ResourceCounts) *float64 { return &r.WatchEvents })
	c.rec.groupEvent(c.groupOf(sl.obj), t)
	c.rec.add(c.rec.Bytes, t, float64(c.cfg.Objects[sl.obj].SizeBytes))
	at := t.Add(c.cfg.WatchDelay.Sample(&c.nodes[sl.node].rng))
	c.eng.Schedule(at, c.evDeliver, s, v, 0, 0)
}

// warmStart: every mutable object read on every sync on a node has a
// synced reflector with an open watch of random remaining lifetime;
// immutable objects were read and stopped long ago; env-only references
// went idle.
func (m *watchingManager) warmStart() {
	c := m.c
	open := make([]int32, len(c.plan.outages))
	for i := c.slotLo; i < c.slotHi; i++ {
		sl := &c.slots[i]
		ws := &c.watchSlots[i]
		ws.syncedAt = never
		ws.backoffReset = never
		if sl.refs == 0 {
			continue // only pods created later reference it
		}
		ws.started = true
		ws.syncedAt = -1
		ws.storeVersion = 0
		ws.backoffReset = -backoffResetAfter - 1 // created long ago: its first backoff step resets
		switch {
		case c.cfg.Objects[sl.obj].Immutable:
			ws.immutableStopped = true
		case sl.syncRefs > 0:
			ws.watchOpen = true
			ws.watchGen++
			ws.watchReplica = max(m.initialReplica(sl.node), 0)
			open[ws.watchReplica]++
			r := &c.nodes[sl.node].rng
			left := residualUniform(r, float64(c.minWatchTimeout), 2*float64(c.minWatchTimeout))
			// The watch was opened a while ago; its bookmarks keep its
			// resourceVersion within the last minute.
			ws.watchStart = -sim.Time(time.Minute)
			m.scheduleExpiry(i, sim.Time(left))
		default:
			ws.started = false // stopped by the idle recycler
			ws.syncedAt = never
		}
	}
	for r, n := range open {
		c.rec.openWatchDelta(0, n, int32(r))
	}
	for i := c.slotLo; i < c.slotHi; i++ {
		m.updateReady(i, 0)
	}
}

// initialReplica connects a node at the start of the run, so that its warm
// watches have a replica.
func (m *watchingManager) initialReplica(n int32) int32 {
	c := m.c
	if c.nodes[n].replica < 0 {
		return c.connect(n, 0)
	}
	return c.nodes[n].replica
}

// onDeliver applies a watch event to a node's store.
func (c *partition) onDeliver(ev sim.Event) {
	sl := &c.slots[ev.A]
	ws := &c.watchSlots[ev.A]
	if c.tracing {
		c.tracef(c.eng.Now(), "%s: watch event: store holds %s v%d", c.nodeName(sl.node), c.objectName(sl.obj), max(ev.B, ws.storeVersion))
	}
	if ev.B > ws.storeVersion {
		ws.storeVersion = ev.B
		if ev.B > 0 {
			ws.rvAt = max(ws.rvAt, c.writeAt[sl.obj][ev.B-1])
		}
		if c.watchReady != nil && c.watchReady[ev.A] >= 0 {
			c.setWatchReady(ev.A, ev.B)
		}
	}
}

// onWatchExpire re-issues a WATCH whose timeout ran out (one last bookmark is
// sent 2 s before the deadline) from the last resourceVersion.
func (c *partition) onWatchExpire(ev sim.Event) {
	sl := &c.slots[ev.A]
	ws := &c.watchSlots[ev.A]
	if !ws.watchOpen || ws.watchGen != ev.B {
		return
	}
	t := c.eng.Now()
	if c.tracing {
		c.tracef(t, "%s: WATCH %s timed out: re-issued from the last resourceVersion", c.nodeName(sl.node), c.objectName(sl.obj))
	}
	m := c.mgr.(*watchingManager)
	if c.calm && !c.lb && c.levels == nil {
		c.rewatch(ev.A, t)
		return
	}
	c.rec.add(c.rec.Bookmarks, t, 1)
	// The connection may have moved (GOAWAY) or its replica restarted:
	// the re-issued WATCH resumes wherever it lands, or gets 410.
	m.stopWatch(ev.A, t)
	ws.rvAt = max(ws.rvAt, t-2*sim.Time(time.Second))
	m.rewatch(ev.A, t)
}

// onIdleCheck is the recycler's check of one reflector.
func (c *partition) onIdleCheck(ev sim.Event) {
	s := ev.A
	sl := &c.slots[s]
	ws := &c.watchSlots[s]
	ws.idleCheck = false
	if !ws.watchOpen {
		return
	}
	m := c.mgr.(*watchingManager)
	if c.eng.Now() > ws.lastAccess+c.maxIdle {
		if c.tracing {
			c.tracef(c.eng.Now(), "%s: reflector for %s idle since %v: stopped", c.nodeName(sl.node), c.objectName(sl.obj), ws.lastAccess)
		}
		m.stopWatch(s, c.eng.Now())
		ws.started = false // the next Get restarts the reflector
		m.updateReady(s, c.eng.Now())
		return
	}
	m.scheduleIdleCheck(s)
}

// watchTimeout is a WATCH's timeoutSeconds, minWatchTimeout × (1 + u).
func (c *Cluster) watchTimeout(u float64) sim.Time {
	return c.minWatchTimeout + sim.Time(u*float64(c.minWatchTimeout))
}

// setWatchReady sets slot s's watchReady entry, and wakes the pods parked on
// it when it changes.
func (c *partition) setWatchReady(s, v int32) {
	if c.watchReady[s] == v {
		return
	}
	c.watchReady[s] = v
	if c.parking {
		c.wakeSlot(s, c.eng.Now())
	}
}

// rewatch re-issues slot s's WATCH at t, when its timeout ran out, on a calm
// apiserver: the same connection, from the last resourceVersion, so the
// watch stays open. The timeout is drawn from a keyed stream (slot, count),
// so that catchUpExpiries draws what the events would have.
func (c *partition) rewatch(s int32, t sim.Time) {
	sl := &c.slots[s]
	ws := &c.watchSlots[s]
	c.rec.add(c.rec.Bookmarks, t, 1) // the last one, 2 s before the deadline
	c.rec.count(verbWatch, c.cfg.Objects[sl.obj].Kind, c.groupOf(sl.obj), t)
	u := c.watchRand.Float64(uint64(s), uint64(ws.expiries))
	ws.expiries++
	ws.watchStart = t
	c.mgr.(*watchingManager).scheduleExpiry(s, t+c.watchTimeout(u))
}

// catchUpExpiries accounts the re-issues of slot s's open WATCH up to t. On
// a calm apiserver a watch's timeouts form a renewal process that nothing
// but its stop changes, and a re-issue changes nothing but counters; so the
// re-issues are not events (lazyWatches) but accounted here, when the watch
// stops or the run ends, exactly as their events would have been: the same
// counts at the same instants, the same draws. A re-issue at the instant of
// the stop comes first, as its event (queued a timeout earlier) would.
func (c *partition) catchUpExpiries(s int32, t sim.Time) {
	ws := &c.watchSlots[s]
	if !c.lazyWatches || !ws.watchOpen {
		return
	}
	t = min(t, c.end)
	for ws.expiryAt <= t {
		c.rewatch(s, ws.expiryAt)
	}
}

// flushWatches accounts every open watch's re-issues to the end of the run.
func (c *partition) flushWatches() {
	if !c.lazyWatches {
		return
	}
	for s := c.slotLo; s < c.slotHi; s++ {
		c.catchUpExpiries(s, c.end)
	}
}
