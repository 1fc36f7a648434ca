package model

import (
	"time"

	"cmsim/sim"
)

// The apiserver side: objects with versions, writes, request accounting and
// watch fan-out. Requests are served at the instant they are issued (the
// response carries the object as of then) and return after a GetLatency
// draw.

// serveGet serves a GET of object o issued at t. fromEtcd is a quorum read
// (resourceVersion=""); otherwise it is served from the watch cache
// (resourceVersion="0"). It returns the version sent and when the response
// arrives.
func (c *partition) serveGet(o int32, fromEtcd bool, t sim.Time, r *sim.Rand) (int32, sim.Time) {
	kind := c.cfg.Objects[o].Kind
	if fromEtcd {
		c.rec.add(c.rec.GetEtcd, t, 1)
		c.rec.addRes(kind, t, func(r *ResourceCounts) *float64 { return &r.GetEtcd })
	} else {
		c.rec.add(c.rec.GetCache, t, 1)
		c.rec.addRes(kind, t, func(r *ResourceCounts) *float64 { return &r.GetCache })
	}
	c.rec.add(c.rec.Bytes, t, float64(c.cfg.Objects[o].SizeBytes))
	return c.objects[o].version, t.Add(c.cfg.GetLatency.Sample(r))
}

// serveList serves a reflector's LIST of one object (a metadata.name field
// selector, resourceVersion="0": from the watch cache).
func (c *partition) serveList(o int32, t sim.Time, r *sim.Rand) (int32, sim.Time) {
	c.rec.add(c.rec.List, t, 1)
	c.rec.addRes(c.cfg.Objects[o].Kind, t, func(r *ResourceCounts) *float64 { return &r.List })
	c.rec.add(c.rec.Bytes, t, float64(c.cfg.Objects[o].SizeBytes))
	return c.objects[o].version, t.Add(c.cfg.GetLatency.Sample(r))
}

// scheduleNextUpdate queues rule i's next write, if it has one before the
// horizon.
func (c *partition) scheduleNextUpdate(i int32) {
	st := &c.rules[i]
	u := st.rule
	var at sim.Time
	switch {
	case len(u.At) > 0:
		if st.k >= len(u.At) {
			return
		}
		at = sim.At(u.At[st.k])
	case u.Every > 0:
		at = sim.At(u.Start + time.Duration(st.k+1)*u.Every)
	case u.PoissonPerMinute > 0:
		from := st.prev
		if st.k == 0 {
			from = sim.At(u.Start)
		}
		at = from + sim.Time(st.rng.Exp()*60e9/u.PoissonPerMinute)
	default:
		return
	}
	st.k++
	st.prev = at
	if at <= c.horizon && at >= c.eng.Now() {
		c.eng.Schedule(at, c.evUpdate, i, 0, 0, 0)
	}
}

// onUpdate applies one write of an update rule. A write to an immutable
// object is refused by the apiserver (only delete and re-create could change
// it), so its consumers never see a change.
func (c *partition) onUpdate(ev sim.Event) {
	i := ev.A
	st := &c.rules[i]
	t := c.eng.Now()
	target := st.rule.Targets[0]
	if n := len(st.rule.Targets); n > 1 {
		target = st.rule.Targets[st.rng.IntN(n)]
	}
	o := int32(target)
	id := int32(len(c.updates) + 1)
	obj := &c.objects[o]
	if c.cfg.Objects[o].Immutable {
		c.updates = append(c.updates, updateRecord{obj: o, at: t, rejected: true})
		obj.rejected = append(obj.rejected, id)
		if c.tracing && c.primary {
			c.tracef(t, "apiserver: update #%d of %s refused: the object is immutable", id, c.objectName(o))
		}
	} else {
		c.updates = append(c.updates, updateRecord{obj: o, at: t})
		obj.version++
		obj.versionUpdate = append(obj.versionUpdate, id)
		if c.tracing && c.primary {
			c.tracef(t, "apiserver: update #%d writes %s v%d", id, c.objectName(o), obj.version)
		}
		if c.primary {
			c.rec.add(c.rec.Updates, t, 1)
		}
		c.mgr.objectUpdated(o, t)
	}
	c.scheduleNextUpdate(i)
}
