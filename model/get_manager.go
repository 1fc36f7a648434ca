package model

import "cmsim/sim"

// simpleManager is the Get strategy (NewSimpleConfigMapManager): no cache;
// every Get is a GET with resourceVersion="" served from etcd, one per volume
// source per remount and one per env reference at container start.
type simpleManager struct {
	c *partition
}

func (m *simpleManager) get(s int32, t sim.Time) (int32, sim.Time, bool) {
	c := m.c
	sl := c.slotRef[s]
	v, done, ok := c.serveGet(sl.node, sl.obj, true, t, &c.nodes[sl.node].rng)
	if c.tracing {
		if ok {
			c.tracef(t, "%s: GET %s from etcd: v%d, response after %v", c.nodeName(sl.node), c.objectName(sl.obj), v, done.Sub(t))
		} else {
			c.tracef(t, "%s: GET %s failed: no apiserver replica answered", c.nodeName(sl.node), c.objectName(sl.obj))
		}
	}
	return v, done, ok
}

// addReference is a no-op: RegisterPod does nothing for the simple manager.
func (m *simpleManager) addReference(int32, sim.Time) {}

func (m *simpleManager) deleteReference(int32, sim.Time) {}

func (m *simpleManager) objectUpdated(int32, sim.Time) {}

func (m *simpleManager) warmStart() {}

func (m *simpleManager) reset(int32, sim.Time, int32) {}

func (m *simpleManager) replicaDown(int32, sim.Time, int32) {}

// getAsync is get when the apiserver's capacity is finite: the GET waits
// for a seat.
func (m *simpleManager) getAsync(s int32, t sim.Time, w waiter) (int32, sim.Time, bool, bool) {
	c := m.c
	sl := c.slotRef[s]
	return c.issueInline(&request{node: sl.node, obj: sl.obj, verb: verbGet, kind: c.cfg.Objects[sl.obj].Kind,
		fromEtcd: true, cont: contGet, slot: s, w: w}, t)
}
