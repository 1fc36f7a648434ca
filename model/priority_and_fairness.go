package model

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"strconv"

	"cmsim/sim"
)

// The apiserver's side of a request when its capacity is finite: the
// replica the connection goes to, its watch cache's readiness, then API
// Priority and Fairness (k8s.io/apiserver pkg/server/filters/
// priority-and-fairness.go): the request waits in its flow's queue of the
// kubelets' priority level (queueset.go) for a seat, holds it for its
// service time, and is answered when it finishes. A full queue, or a wait
// longer than the limit, is answered 429 with the level's Retry-After.
//
// Each kubelet is a flow (the system-nodes FlowSchema distinguishes by
// user); background requests of the rest of the cluster are other flows of
// the same level.

// flowHash is the flow's hash for shuffle sharding, as the apiserver's
// hashFlowID computes it: the kubelets' FlowSchema, system-nodes, and its
// distinguisher, node n's user name system:node:node-n (ByUser), hashed
// with sha256 (apf_controller.go; the oracle checks it).
func flowHash(n int32) uint64 {
	h := sha256.New()
	h.Write([]byte("system-nodes"))
	h.Write([]byte{0})
	h.Write([]byte("system:node:node-" + strconv.Itoa(int(n))))
	var sum [sha256.Size]byte
	return binary.LittleEndian.Uint64(h.Sum(sum[:0])[:8])
}

// arrive is request ri reaching the apiserver at t.
func (c *partition) arrive(ri int32, t sim.Time) {
	r := &c.reqs[ri]
	var rep int32
	if r.node >= 0 {
		rep = c.connect(r.node, t)
	} else {
		rep = c.backgroundReplica(r.flow, t)
	}
	if rep < 0 {
		c.rec.add(c.rec.Refused, t, 1)
		c.respond(ri, t, refused)
		return
	}
	st, up, ready := c.replicaAt(rep, t)
	r.notBefore = 0
	if r.node >= 0 {
		c.rec.count(r.verb, r.kind, c.groupOf(r.obj), t)
		if c.cfg.GoawayChance > 0 && c.nodes[r.node].lb.Float64() < c.cfg.GoawayChance {
			c.nodes[r.node].replica = -1
		}
		if r.needsCache && st == replicaInitializing && !c.behaviours.unreadyRejects {
			// Before 1.31 the cacher waits for its cache (ready.wait),
			// holding the request's seat.
			r.notBefore = ready
		} else if r.needsCache && st == replicaInitializing {
			c.rec.add(c.rec.Rejected, t, 1)
			c.retryOrFail(ri, t, retryAfterUnready(t-up))
			return
		}
	}
	qs := c.levels[rep]
	c.releaseAll(t)
	qs.syncTime(t)
	r.replica = rep
	r.arrivedAt = t
	var buf [15]int
	var hand []int
	if r.node >= 0 {
		h := int(r.node) * qs.handSize
		for i, q := range c.hands[h : h+qs.handSize] {
			buf[i] = int(q)
		}
		hand = buf[:qs.handSize]
	} else {
		hand = qs.deal(r.flow, buf[:])
	}
	if !c.enqueue(qs, qs.chooseQueue(hand), ri) {
		c.rejectAPF(qs, ri, t)
		return
	}
	r.state = reqQueued
	seq := r.seq
	c.dispatch(qs, t)
	if r := &c.reqs[ri]; r.seq == seq && r.state == reqQueued {
		// Still waiting for a seat: it is rejected if it waits too long.
		r.waited = true
		c.rec.queueDelta(t, 1)
		c.eng.Schedule(t+sim.Time(c.cfg.Capacity.QueueWaitLimit), c.evQueueTimeout, ri, r.seq, 0, 0)
	}
}

// rejectAPF answers request ri 429 at t: the level is out of seats and its
// queue is full, or it waited too long.
func (c *partition) rejectAPF(qs *queueSet, ri int32, t sim.Time) {
	c.rec.add(c.rec.Rejected, t, 1)
	c.rec.add(c.rec.RejectedAPF, t, 1)
	c.retryOrFail(ri, t, qs.dropped.record(t))
}

// dispatch starts as many waiting requests as the level's free seats
// allow, at t. A request's effects are computed when it gets its seat: it
// reads the object then, and is answered when its service time is over;
// its seats are released then (release, below).
func (c *partition) dispatch(qs *queueSet, t sim.Time) {
	for ri := c.nextToDispatch(qs); ri >= 0; ri = c.nextToDispatch(qs) {
		r := &c.reqs[ri]
		r.state = reqClient
		r.startAt = t
		r.queued += t - r.arrivedAt
		if r.waited {
			r.waited = false
			c.rec.queueDelta(t, -1)
		}
		c.rec.seatsDelta(t, r.seats)
		service := max(c.serviceTime(r), r.notBefore-t)
		qs.releases.push(seatRelease{at: t + service, queue: r.queue, seats: r.seats, service: service})
		c.respond(ri, t+service, served)
	}
	c.watchReleases(qs)
}

// releaseAll releases, in time order across the replicas, the seats of
// the requests that finished by t, and dispatches waiting requests into
// them. (A replica with waiters has a release event at its next release,
// so dispatches never happen before now.)
func (c *partition) releaseAll(t sim.Time) {
	for {
		var next *queueSet
		for _, qs := range c.levels {
			if len(qs.releases) > 0 && qs.releases[0].at <= t && (next == nil || qs.releases[0].at < next.releases[0].at) {
				next = qs
			}
		}
		if next == nil {
			return
		}
		rel := next.releases.pop()
		next.syncTime(rel.at)
		c.finished(next, rel.queue, rel.seats, rel.service)
		c.rec.seatsDelta(rel.at, -rel.seats)
		if next.waiting > 0 {
			c.dispatch(next, rel.at)
		}
	}
}

// watchReleases makes sure that while requests wait, an event releases the
// next seat when its request finishes; without waiters, releases are
// applied lazily at the level's next arrival.
func (c *partition) watchReleases(qs *queueSet) {
	if qs.waiting == 0 || len(qs.releases) == 0 {
		return
	}
	if at := qs.releases[0].at; at != qs.releaseEvent {
		qs.releaseEvent = at
		c.eng.Schedule(at, c.evRelease, qs.replica, 0, 0, 0)
	}
}

// onRelease releases the seats of the requests of replica A's level that
// finished by now.
func (c *partition) onRelease(ev sim.Event) {
	qs := c.levels[ev.A]
	t := c.eng.Now()
	if qs.releaseEvent == t {
		qs.releaseEvent = -1
	}
	c.releaseAll(t)
	c.watchReleases(qs)
}

// serviceTime draws how long request r holds its seats.
func (c *partition) serviceTime(r *request) sim.Time {
	k := c.cfg.Capacity
	var d Dist
	switch {
	case r.node < 0:
		d = k.BackgroundService
	case r.verb == verbGet && r.fromEtcd:
		d = k.ServiceGetEtcd
	case r.verb == verbGet:
		d = k.ServiceGetCache
	case r.verb == verbList || r.initialEvents:
		d = k.ServiceList
	case r.verb == verbWatch:
		d = k.ServiceWatch
	default:
		d = k.ServiceCreate
	}
	return sim.Time(max(d.Sample(c.apiRng), 1))
}

// onQueueTimeout rejects request A if it is still waiting for a seat.
func (c *partition) onQueueTimeout(ev sim.Event) {
	ri := ev.A
	r := &c.reqs[ri]
	if r.seq != ev.B || r.state != reqQueued {
		return
	}
	t := c.eng.Now()
	qs := c.levels[r.replica]
	c.releaseAll(t)
	qs.syncTime(t)
	c.unlink(qs, ri)
	r.queued += t - r.arrivedAt
	r.waited = false
	c.rec.queueDelta(t, -1)
	c.rejectAPF(qs, ri, t)
}

// backgroundReplica is the replica a background flow's request goes to:
// its flows are spread over the replicas up.
func (c *partition) backgroundReplica(flow uint64, t sim.Time) int32 {
	n := int32(len(c.plan.outages))
	for k := int32(0); k < n; k++ {
		r := (int32(flow%uint64(n)) + k) % n
		if c.isUp(r, t) {
			return r
		}
	}
	return -1
}

// scheduleBackground queues the next background request after t.
func (c *partition) scheduleBackground(t sim.Time) {
	k := c.cfg.Capacity
	if k.BackgroundPerSecond <= 0 {
		return
	}
	at := t + sim.Time(c.bgRng.Exp()/k.BackgroundPerSecond*1e9)
	if at <= c.horizon {
		c.eng.Schedule(at, c.evBackground, 0, 0, 0, 0)
	}
}

// onBackground makes one background request, from a flow picked at
// random.
func (c *partition) onBackground(ev sim.Event) {
	k := c.cfg.Capacity
	t := c.eng.Now()
	f := uint64(c.bgRng.IntN(k.BackgroundFlows))
	c.issue(&request{node: -1, obj: -1, flow: splitmixFlow(f), seats: int32(k.BackgroundSeats)}, t)
	c.scheduleBackground(t)
}

// splitmixFlow spreads background flow numbers over the hash space.
func splitmixFlow(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return (x ^ (x >> 31)) & (math.MaxUint64 >> 4)
}
