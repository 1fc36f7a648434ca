package model

import "cmsim/sim"

// cachingManager is the Cache strategy (NewCachingConfigMapManager, the
// objectStore of cache_based_manager.go): a per-node store of objects, each
// refetched when a Get finds it older than the TTL.
//
//   - The TTL is the node's node.alpha.kubernetes.io/ttl annotation (set by
//     the TTL controller from the cluster size, and changed when it crosses
//     a boundary), 1 minute when absent, or an explicit value; 0 refetches
//     on every Get.
//   - AddReference, on a pod UID's first registration, drops the item's data,
//     so the next Get is a GET from etcd (resourceVersion=""). Refreshes of an
//     item that has data use resourceVersion="0", served from the watch cache.
//   - A Get holds the item's lock while it fetches, so a concurrent Get waits
//     for that fetch and then checks freshness itself.
//   - A failed fetch returns the error and leaves the item as it was: the
//     next Get fetches again.
//   - Immutable objects get no special handling: they are refetched too.
type cachingManager struct {
	c *partition
}

func (m *cachingManager) get(s int32, t sim.Time) (int32, sim.Time, bool) {
	c := m.c
	sl := &c.slots[s]
	cs := &c.cacheSlots[s]
	if cs.fetchDone > t {
		t = cs.fetchDone // wait for the fetch in flight
	}
	ttl := c.nodes[sl.node].cacheTTL
	// Refetch if never fetched, or if !now.Before(lastUpdateTime + ttl).
	if !cs.hasData || t >= cs.lastUpdate+ttl {
		v, done, ok := c.serveGet(sl.node, sl.obj, !cs.hasData, t, &c.nodes[sl.node].rng)
		if !ok {
			if c.tracing {
				c.tracef(t, "%s: cache item %s: GET failed: no apiserver replica answered", c.nodeName(sl.node), c.objectName(sl.obj))
			}
			return 0, done, false
		}
		// isObjectOlder: a response older than the cached object is ignored.
		if !cs.hasData || v >= cs.dataVersion {
			cs.dataVersion = v
		}
		if c.tracing {
			from := "the watch cache (resourceVersion=0)"
			if !cs.hasData {
				from = "etcd (no data since AddReference)"
			}
			c.tracef(t, "%s: cache item %s stale or empty (TTL %v): GET from %s: v%d, response after %v", c.nodeName(sl.node), c.objectName(sl.obj), ttl, from, v, done.Sub(t))
		}
		cs.hasData = true
		cs.lastUpdate = done
		cs.fetchDone = done
		return cs.dataVersion, done, true
	}
	if c.tracing {
		c.tracef(t, "%s: cache item %s fresh until %v: v%d, no request", c.nodeName(sl.node), c.objectName(sl.obj), cs.lastUpdate+ttl, cs.dataVersion)
	}
	return cs.dataVersion, t, true
}

// addReference drops the item's data (item.data = nil): the next Get
// fetches from etcd, without waiting for a fetch in flight, which fills the
// dropped data object.
func (m *cachingManager) addReference(s int32, t sim.Time) {
	cs := &m.c.cacheSlots[s]
	cs.hasData = false
	cs.fetchDone = 0
	cs.fetching = false
	cs.cacheGen++
}

// deleteReference deletes the item when its last reference goes: the next
// AddReference starts from an empty item.
func (m *cachingManager) deleteReference(s int32, t sim.Time) {
	if sl := &m.c.slots[s]; sl.refs == 0 {
		cs := &m.c.cacheSlots[s]
		cs.hasData = false
		cs.fetchDone = 0
		cs.fetching = false
		cs.cacheGen++
	}
}

func (m *cachingManager) objectUpdated(int32, sim.Time) {}

// reset empties the item: the restarted kubelet's store starts empty.
func (m *cachingManager) reset(s int32, t sim.Time, fault int32) {
	cs := &m.c.cacheSlots[s]
	cs.hasData = false
	cs.fetchDone = 0
	cs.fetching = false
	cs.cacheGen++
	delete(m.c.cacheWaiters, s)
}

func (m *cachingManager) replicaDown(int32, sim.Time, int32) {}

// warmStart gives every item the initial content, fetched at a random time in
// the last TTL.
func (m *cachingManager) warmStart() {
	c := m.c
	for i := c.slotLo; i < c.slotHi; i++ {
		sl := &c.slots[i]
		cs := &c.cacheSlots[i]
		if sl.refs == 0 {
			continue // only pods created later reference it
		}
		cs.hasData = true
		cs.dataVersion = 0
		if ttl := c.nodes[sl.node].cacheTTL; ttl > 0 {
			cs.lastUpdate = -sim.Time(c.nodes[sl.node].rng.Float64() * float64(ttl))
		}
		cs.fetchDone = cs.lastUpdate
	}
}

// getAsync is get when the apiserver's capacity is finite: a fetch waits
// for a seat, and Gets of the item meanwhile wait for it (the item's lock)
// and then check freshness themselves.
func (m *cachingManager) getAsync(s int32, t sim.Time, w waiter) (int32, sim.Time, bool, bool) {
	c := m.c
	sl := &c.slots[s]
	cs := &c.cacheSlots[s]
	if cs.fetching {
		c.cacheWaiters[s] = append(c.cacheWaiters[s], pendingRead{w: w, at: t})
		return 0, 0, false, true
	}
	if cs.hasData && t < cs.lastUpdate+c.nodes[sl.node].cacheTTL {
		return cs.dataVersion, t, true, false
	}
	cs.fetching = true
	return c.issueInline(&request{node: sl.node, obj: sl.obj, verb: verbGet, kind: c.cfg.Objects[sl.obj].Kind,
		fromEtcd: !cs.hasData, cont: contCacheFetch, slot: s, gen: cs.cacheGen, w: w}, t)
}

// applyFetch applies item s's fetch (made in cache generation gen) answered
// at t and returns the version the Get returns.
func (m *cachingManager) applyFetch(s, gen int32, v int32, t sim.Time, ok bool) int32 {
	cs := &m.c.cacheSlots[s]
	if gen != cs.cacheGen {
		return v // an AddReference dropped the item meanwhile
	}
	cs.fetching = false
	if ok {
		// isObjectOlder: a response older than the cached object is ignored.
		if !cs.hasData || v >= cs.dataVersion {
			cs.dataVersion = v
		}
		cs.hasData = true
		cs.lastUpdate = t
		v = cs.dataVersion
	}
	return v
}

// fetched applies item s's fetch answered at t, resumes its waiter, then
// the Gets that waited for it.
func (m *cachingManager) fetched(s, gen int32, w waiter, v int32, t sim.Time, ok bool) {
	c := m.c
	cs := &c.cacheSlots[s]
	v = m.applyFetch(s, gen, v, t, ok)
	c.resumeRead(w, v, t, ok)
	if gen != cs.cacheGen {
		return
	}
	waiting := c.cacheWaiters[s]
	delete(c.cacheWaiters, s)
	for _, pr := range waiting {
		if v2, d2, ok2, pending := m.getAsync(s, t, pr.w); !pending {
			c.resumeRead(pr.w, v2, d2, ok2)
		}
	}
}
