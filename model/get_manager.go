package model

import "cmsim/sim"

// simpleManager is the Get strategy (NewSimpleConfigMapManager): no cache;
// every Get is a GET with resourceVersion="" served from etcd, one per volume
// source per remount and one per env reference at container start.
type simpleManager struct {
	c *partition
}

func (m *simpleManager) get(s int32, t sim.Time) (int32, sim.Time) {
	sl := &m.c.slots[s]
	return m.c.serveGet(sl.obj, true, t, &m.c.nodes[sl.node].rng)
}

// addReference is a no-op: RegisterPod does nothing for the simple manager.
func (m *simpleManager) addReference(int32, sim.Time) {}

func (m *simpleManager) objectUpdated(int32, sim.Time) {}

func (m *simpleManager) warmStart() {}
