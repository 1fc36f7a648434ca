package model

import (
	"time"

	"cmsim/sim"
)

// The Watch manager's reflector when things go wrong: client-go
// tools/cache/reflector.go (v0.37.2), with the backoff of
// k8s.io/apimachinery's wait.Backoff.DelayWithReset.
//
//   - A watch stream that ends because its apiserver went away is re-issued
//     at once from the last resourceVersion.
//   - A WATCH or LIST refused (no replica answering), or answered 429 after
//     client-go's own Retry-After retries (a watch cache still
//     initialising), waits one backoff step and is tried again: a WATCH as
//     a WATCH (no relist), a LIST as a LIST.
//   - A WATCH from a resourceVersion older than the serving replica's watch
//     cache history gets 410 Gone (an ERROR event in a 200 stream):
//     ListAndWatch returns, the outer loop waits one backoff step and
//     relists from the last resourceVersion, served by the watch cache.
//
// One backoff serves all of a reflector's waits: U[d, 2d) for base d =
// 800 ms doubling to a cap of 30 s (so [30, 60) s), back to 800 ms on the
// first step taken more than 2 min after the reflector's creation or its
// last reset.

const (
	backoffInit       = sim.Time(800 * time.Millisecond) // defaultBackoffInit
	backoffMax        = sim.Time(30 * time.Second)       // defaultBackoffMax
	backoffResetAfter = sim.Time(2 * time.Minute)        // defaultBackoffReset
	bookmarkPeriod    = sim.Time(time.Minute)            // defaultBookmarkFrequency
)

// Reflector actions after a wait.
const (
	actWatch int32 = iota // re-issue the WATCH from the last resourceVersion
	actList               // relist, then watch
)

// backoffStep returns slot s's next wait at t: backoffManager.Step, then
// Backoff.Step with factor 2 and jitter 1.0.
func (m *watchingManager) backoffStep(s int32, t sim.Time) sim.Time {
	c := m.c
	sl := &c.slots[s]
	ws := &c.watchSlots[s]
	if t-ws.backoffReset > backoffResetAfter {
		ws.backoffBase = 0
		ws.backoffReset = t
	}
	d := ws.backoffBase
	if d == 0 {
		d = backoffInit
	}
	ws.backoffBase = min(2*d, backoffMax)
	return d + sim.Time(c.nodes[sl.node].rng.Float64()*float64(d))
}

// retryLater queues slot s's reflector to do act after one backoff step
// from t.
func (m *watchingManager) retryLater(s int32, t sim.Time, act int32) {
	c := m.c
	sl := &c.slots[s]
	ws := &c.watchSlots[s]
	at := t + m.backoffStep(s, t)
	if c.tracing {
		what := "re-WATCH"
		if act == actList {
			what = "relist"
		}
		c.tracef(t, "%s: reflector for %s waits %v, then tries to %s", c.nodeName(sl.node), c.objectName(sl.obj), at-t, what)
	}
	if at <= c.end {
		c.eng.Schedule(at, c.evReflector, s, ws.watchGen, act, 0)
	}
}

// onReflector runs a reflector's retry (C: the action) after its wait.
func (c *partition) onReflector(ev sim.Event) {
	sl := &c.slots[ev.A]
	ws := &c.watchSlots[ev.A]
	if ws.watchGen != ev.B || !ws.started || c.nodes[sl.node].down {
		return // stopped or restarted meanwhile
	}
	m := c.mgr.(*watchingManager)
	if ev.C == actList {
		m.list(ev.A, c.eng.Now())
	} else {
		m.rewatch(ev.A, c.eng.Now())
	}
}

// list LISTs slot s's object at t and, once served, opens the WATCH from the
// listed resourceVersion. A relist leaves a synced store synced.
func (m *watchingManager) list(s int32, t sim.Time) {
	c := m.c
	sl := &c.slots[s]
	ws := &c.watchSlots[s]
	if c.levels != nil {
		v := verbList
		if c.behaviours.watchList {
			v = verbWatch
		}
		c.issue(&request{node: sl.node, obj: sl.obj, verb: v, kind: c.cfg.Objects[sl.obj].Kind,
			needsCache: true, initialEvents: c.behaviours.watchList, cont: contList, slot: s, gen: ws.watchGen}, t)
		return
	}
	r := &c.nodes[sl.node].rng
	// From 1.35 (WatchListClient) the list is one WATCH with
	// sendInitialEvents=true from the watch cache, which stays open; the
	// store syncs when the initial event and its bookmark arrive.
	var v, rep int32
	var at, done sim.Time
	if c.behaviours.watchList {
		v, at, done, rep = c.serveInitialEvents(sl.node, sl.obj, t, r)
	} else {
		v, at, done, rep = c.serveList(sl.node, sl.obj, t, r)
	}
	if rep < 0 {
		if c.tracing {
			what := "LIST"
			if c.behaviours.watchList {
				what = "WATCH (sendInitialEvents)"
			}
			c.tracef(t, "%s: reflector for %s: %s failed", c.nodeName(sl.node), c.objectName(sl.obj), what)
		}
		m.retryLater(s, at, actList)
		return
	}
	m.listedAt(s, v, at, done)
	u := r.Float64()
	if !c.behaviours.watchList {
		wat, out, wrep := c.send(sl.node, verbWatch, c.cfg.Objects[sl.obj].Kind, sl.obj, true, at)
		if out != served {
			m.retryLater(s, wat, actWatch)
			return
		}
		rep = wrep
	}
	m.openWatch(s, at, u, rep)
	m.updateReady(s, at)
}

// listedAt stores the version a LIST served at at, answered at done.
func (m *watchingManager) listedAt(s, v int32, at, done sim.Time) {
	c := m.c
	sl := &c.slots[s]
	ws := &c.watchSlots[s]
	if ws.faultPending > 0 {
		c.rec.faultRelisted(ws.faultPending - 1)
	}
	if c.tracing {
		what := "relists"
		if ws.syncedAt == never {
			what = "starts"
		}
		how := "LIST"
		if c.behaviours.watchList {
			how = "WATCH (sendInitialEvents)"
		}
		c.tracef(at, "%s: reflector for %s %s: %s from the watch cache: v%d, synced after %v", c.nodeName(sl.node), c.objectName(sl.obj), what, how, v, done.Sub(at))
	}
	if v > ws.storeVersion {
		ws.storeVersion = v
	}
	ws.rvAt = at
	if ws.syncedAt == never {
		ws.syncedAt = done
	}
}

// listed is a LIST's answer at t (finite capacity): the store syncs, the
// Gets waiting for it go on, and the WATCH follows.
func (m *watchingManager) listed(s, gen, v int32, at, t sim.Time, ok bool, rep int32) {
	c := m.c
	sl := &c.slots[s]
	ws := &c.watchSlots[s]
	if ws.watchGen != gen || !ws.started {
		return
	}
	if !ok {
		m.retryLater(s, t, actList)
		return
	}
	m.listedAt(s, v, at, t)
	m.wakeSynced(s, t)
	if c.behaviours.watchList {
		// The WATCH that sent the initial events stays open.
		m.openWatch(s, at, c.nodes[sl.node].rng.Float64(), rep)
		if v := c.version[sl.obj]; v > ws.storeVersion {
			m.sendEvent(s, v, t)
		}
		m.updateReady(s, t)
		return
	}
	c.issue(&request{node: sl.node, obj: sl.obj, verb: verbWatch, kind: c.cfg.Objects[sl.obj].Kind,
		needsCache: true, cont: contOpen, slot: s, gen: ws.watchGen}, t)
}

// opened is the WATCH after a LIST answered at t (finite capacity): it
// opens from the listed resourceVersion, so the events since then follow.
func (m *watchingManager) opened(s, gen int32, t sim.Time, ok bool, rep int32) {
	if !m.watchAnswered(s, gen, t, ok) {
		return
	}
	c := m.c
	sl := &c.slots[s]
	ws := &c.watchSlots[s]
	m.openWatch(s, t, c.nodes[sl.node].rng.Float64(), rep)
	if v := c.version[sl.obj]; v > ws.storeVersion {
		m.sendEvent(s, v, t)
	}
	m.updateReady(s, t)
}

// rewatched is a re-issued WATCH's answer at t (finite capacity).
func (m *watchingManager) rewatched(s, gen int32, t sim.Time, ok bool, rep int32) {
	if m.watchAnswered(s, gen, t, ok) {
		m.resume(s, t, rep)
	}
}

// watchAnswered reports whether a WATCH of slot s's reflector (generation
// gen) answered at t goes on: not if the reflector stopped or restarted
// meanwhile, and not if it failed, when it waits a backoff step and tries
// again.
func (m *watchingManager) watchAnswered(s, gen int32, t sim.Time, ok bool) bool {
	ws := &m.c.watchSlots[s]
	if ws.watchGen != gen || !ws.started {
		return false
	}
	if !ok {
		m.retryLater(s, t, actWatch)
	}
	return ok
}

// rewatch re-issues slot s's WATCH at t from the last resourceVersion. On
// the replica it lands on, the watch resumes if that replica's watch cache
// still holds the events since then, delivering the ones missed; otherwise
// it gets 410 Gone and the reflector relists after a backoff step.
func (m *watchingManager) rewatch(s int32, t sim.Time) {
	c := m.c
	sl := &c.slots[s]
	ws := &c.watchSlots[s]
	kind := c.cfg.Objects[sl.obj].Kind
	if c.levels != nil {
		c.issue(&request{node: sl.node, obj: sl.obj, verb: verbWatch, kind: kind,
			needsCache: true, cont: contRewatch, slot: s, gen: ws.watchGen}, t)
		return
	}
	at, out, r := c.send(sl.node, verbWatch, kind, sl.obj, true, t)
	if out != served {
		if c.tracing {
			c.tracef(at, "%s: reflector for %s: WATCH failed (%s)", c.nodeName(sl.node), c.objectName(sl.obj), outcomeNames[out])
		}
		m.retryLater(s, at, actWatch)
		return
	}
	m.resume(s, at, r)
}

// resume is a re-issued WATCH served at at by replica r: it resumes from
// the last resourceVersion, or gets 410 Gone if r's watch cache no longer
// holds the events since then.
func (m *watchingManager) resume(s int32, at sim.Time, r int32) {
	c := m.c
	sl := &c.slots[s]
	ws := &c.watchSlots[s]
	_, _, ready := c.replicaAt(r, at)
	oldest := max(ready, at-sim.Time(c.watchCacheHistory()))
	if ws.rvAt < oldest {
		// 410 Gone: too old resource version.
		c.rec.add(c.rec.Gone, at, 1)
		if c.tracing {
			c.tracef(at, "%s: reflector for %s: WATCH from a resourceVersion of %v gets 410 Gone (replica %d's history starts at %v)", c.nodeName(sl.node), c.objectName(sl.obj), ws.rvAt, r, oldest)
		}
		m.retryLater(s, at, actList)
		return
	}
	m.openWatch(s, at, c.nodes[sl.node].rng.Float64(), r)
	if v := c.versionServed(sl.obj, at); v > ws.storeVersion {
		m.sendEvent(s, v, at) // the events since the resourceVersion
	}
}

// watchCacheHistory is how far back a watch cache keeps events.
func (c *Cluster) watchCacheHistory() time.Duration {
	if c.cfg.WatchCacheHistory > 0 {
		return c.cfg.WatchCacheHistory
	}
	return 75 * time.Second // DefaultEventFreshDuration
}

// replicaDown ends the watches replica r served at t: each reflector's
// stream closes without error, so it re-issues the WATCH at once.
func (m *watchingManager) replicaDown(r int32, t sim.Time, fault int32) {
	c := m.c
	for s := c.slotLo; s < c.slotHi; s++ {
		sl := &c.slots[s]
		ws := &c.watchSlots[s]
		if !ws.watchOpen || ws.watchReplica != r || c.nodes[sl.node].down {
			continue
		}
		// The last bookmark (one a minute since the watch was issued) or
		// event set the resourceVersion.
		if since := t - ws.watchStart; since >= bookmarkPeriod {
			ws.rvAt = max(ws.rvAt, ws.watchStart+since/bookmarkPeriod*bookmarkPeriod)
		}
		m.stopWatch(s, t)
		c.rec.faultWatchDropped(fault)
		if ws.faultPending == 0 {
			ws.faultPending = fault + 1
		}
		if c.tracing {
			c.tracef(t, "%s: WATCH %s on replica %d ends: the apiserver went away", c.nodeName(sl.node), c.objectName(sl.obj), r)
		}
		m.rewatch(s, t)
	}
}

var outcomeNames = [...]string{"served", "connection refused", "429 Too Many Requests"}
