package model

import (
	"math"
	"time"

	"cmsim/sim"
)

// The apiserver side: objects with versions, writes, request accounting,
// replicas with their outages, and watch fan-out. A request is served at
// the instant a replica accepts it (the response carries the object as of
// then) and returns after a GetLatency draw.

// verb is a request's verb, as apiserver_request_total labels it.
type verb uint8

// Verbs.
const (
	verbGet    verb = iota // GET of one object
	verbList               // LIST (a reflector's, scoped to one name)
	verbWatch              // WATCH (opened, re-issued or resumed)
	verbCreate             // POST serviceaccounts/token
	verbs
)

// outcome is how a request ended for the client.
type outcome uint8

const (
	served   outcome = iota
	refused          // no replica answered: connection refused
	rejected         // 429 after client-go's automatic retries
)

const (
	// clientMaxRetries is client-go's rest.Request maxRetries: a 429 with
	// Retry-After is retried this many times, sleeping Retry-After each.
	clientMaxRetries = 10
	// leaseRenewPeriod: the kubelet renews its node lease every 10 s
	// (nodeLeaseDurationSeconds 40 × 0.25), on the same HTTP/2 connection.
	leaseRenewPeriod = sim.Time(10 * time.Second)
)

// replicaState is a replica's availability at an instant.
type replicaState uint8

const (
	replicaReady replicaState = iota
	replicaInitializing
	replicaDown
)

// replicaAt returns replica r's state at t and, when it is up, when it last
// started (0 if it never restarted) and when its watch cache became (or
// becomes) ready.
func (c *Cluster) replicaAt(r int32, t sim.Time) (st replicaState, up, ready sim.Time) {
	os := c.plan.outages[r]
	for k := len(os) - 1; k >= 0; k-- {
		o := os[k]
		if o.down > t {
			continue
		}
		switch {
		case t < o.up:
			return replicaDown, 0, 0
		case t < o.ready:
			return replicaInitializing, o.up, o.ready
		}
		return replicaReady, o.up, o.ready
	}
	return replicaReady, 0, 0
}

// retryAfterUnready is the Retry-After of a 429 from a watch cache that is
// not ready: e^(0.06 × seconds since its state changed), between 1 and 30
// (apiserver storage/cacher/util.go calculateRetryAfterForUnreadyCache).
func retryAfterUnready(downtime sim.Time) sim.Time {
	s := math.Min(30, math.Max(1, math.Exp(0.06*downtime.Seconds())))
	return sim.Time(int(s)) * sim.Time(time.Second)
}

// connect returns the replica node n's next request goes to at t, or -1
// when none is up. A connection stays with its replica until the replica
// goes away or sends GOAWAY; a new one goes to a replica the load balancer
// picks at random among those up.
func (c *partition) connect(n int32, t sim.Time) int32 {
	nd := &c.nodes[n]
	if c.calm && !c.lb {
		return 0
	}
	if t >= nd.goawayAt {
		nd.replica = -1
		nd.goawayAt = c.nextLeaseGoaway(nd, t)
	}
	if nd.replica >= 0 && (c.calm || c.isUp(nd.replica, t)) {
		return nd.replica
	}
	var up [16]int32
	ups := up[:0]
	for r := range c.plan.outages {
		if c.isUp(int32(r), t) {
			ups = append(ups, int32(r))
		}
	}
	switch len(ups) {
	case 0:
		nd.replica = -1
	case 1:
		nd.replica = ups[0]
	default:
		nd.replica = ups[nd.lb.IntN(len(ups))]
	}
	return nd.replica
}

// isUp reports whether replica r accepts connections at t (it may still be
// initialising its watch cache).
func (c *Cluster) isUp(r int32, t sim.Time) bool {
	st, _, _ := c.replicaAt(r, t)
	return st != replicaDown
}

// nextLeaseGoaway draws when a lease renewal after t next gets a GOAWAY:
// each renewal does with probability goawayChance.
func (c *Cluster) nextLeaseGoaway(nd *nodeState, t sim.Time) sim.Time {
	p := c.cfg.GoawayChance
	if p <= 0 {
		return never
	}
	k := math.Ceil(math.Log1p(-nd.lb.Float64()) / math.Log1p(-p))
	if k > float64(never/leaseRenewPeriod) {
		return never
	}
	return t + sim.Time(max(k, 1))*leaseRenewPeriod
}

// send issues one request of node n at t, with client-go's automatic
// retries of 429 responses that carry Retry-After, for object o (-1: a
// TokenRequest). needsCache says the
// request is served only by a watch cache that is ready (LIST, WATCH);
// GETs are served from etcd while it initialises. Every attempt that
// reaches a replica is counted. It returns when the request was served (or
// finally failed), how it ended, and the replica that answered last.
func (c *partition) send(n int32, v verb, kind ObjectKind, o int32, needsCache bool, t sim.Time) (sim.Time, outcome, int32) {
	t0 := t
	g := c.groupOf(o)
	nd := &c.nodes[n]
	if c.calm && !c.lb {
		if c.cfg.KubeAPIQPS > 0 && v != verbWatch {
			t += nd.bucket.reserve(t, c.cfg.KubeAPIQPS, c.cfg.KubeAPIBurst)
		}
		c.rec.count(v, kind, g, t)
		if v == verbWatch || v == verbCreate {
			c.rec.latency(v, t, t-t0, t-t0, 0, 0)
		}
		return t, served, 0
	}
	for attempt := 0; ; attempt++ {
		if c.cfg.KubeAPIQPS > 0 && (v != verbWatch || attempt > 0) {
			t += nd.bucket.reserve(t, c.cfg.KubeAPIQPS, c.cfg.KubeAPIBurst)
		}
		r := c.connect(n, t)
		if r < 0 {
			c.rec.add(c.rec.Refused, t, 1)
			return t, refused, -1
		}
		st, up, ready := c.replicaAt(r, t)
		c.rec.count(v, kind, g, t)
		if c.cfg.GoawayChance > 0 && nd.lb.Float64() < c.cfg.GoawayChance {
			nd.replica = -1 // the response carries GOAWAY: the next request reconnects
		}
		if needsCache && st == replicaInitializing && !c.behaviours.unreadyRejects {
			t = ready // before 1.31 the cacher waits for its cache (ready.wait)
			st = replicaReady
		}
		if !needsCache || st == replicaReady {
			if v == verbWatch || v == verbCreate {
				c.rec.latency(v, t, t-t0, t-t0, 0, 0)
			}
			return t, served, r
		}
		c.rec.add(c.rec.Rejected, t, 1)
		if attempt == clientMaxRetries {
			return t, rejected, r
		}
		t += retryAfterUnready(t - up)
	}
}

// serveGet serves a GET of object o by node n at t. fromEtcd is a quorum
// read (resourceVersion=""); otherwise it is served from the watch cache
// (resourceVersion="0"). It returns the version sent, when the response
// arrives, and whether a replica served it.
func (c *partition) serveGet(n, o int32, fromEtcd bool, t sim.Time, r *sim.Rand) (int32, sim.Time, bool) {
	kind := c.cfg.Objects[o].Kind
	at, out, _ := c.send(n, verbGet, kind, o, false, t)
	if out != served {
		return 0, at, false
	}
	done := at.Add(c.cfg.GetLatency.Sample(r))
	c.rec.latency(verbGet, done, done-t, at-t, 0, done-at)
	if fromEtcd {
		c.rec.add(c.rec.GetEtcd, at, 1)
		c.rec.addRes(kind, at, func(r *ResourceCounts) *float64 { return &r.GetEtcd })
	} else {
		c.rec.add(c.rec.GetCache, at, 1)
		c.rec.addRes(kind, at, func(r *ResourceCounts) *float64 { return &r.GetCache })
	}
	c.rec.add(c.rec.Bytes, at, float64(c.cfg.Objects[o].SizeBytes))
	return c.versionServed(o, at), done, true
}

// serveList serves a reflector's LIST of one object (a metadata.name field
// selector, from the watch cache) by node n at t. It returns the version
// listed, when it was served and when the response arrives, and the
// replica that served it (-1: none).
func (c *partition) serveList(n, o int32, t sim.Time, rng *sim.Rand) (int32, sim.Time, sim.Time, int32) {
	kind := c.cfg.Objects[o].Kind
	at, out, r := c.send(n, verbList, kind, o, true, t)
	if out != served {
		return 0, at, at, -1
	}
	c.rec.add(c.rec.Bytes, at, float64(c.cfg.Objects[o].SizeBytes))
	done := at.Add(c.cfg.GetLatency.Sample(rng))
	c.rec.latency(verbList, done, done-t, at-t, 0, done-at)
	return c.versionServed(o, at), at, done, r
}

// serveInitialEvents serves a reflector's WATCH with sendInitialEvents=true
// (WatchList) of one object by node n at t, from the watch cache: like
// serveList, but one WATCH that stays open. It returns the version sent,
// when it was served and when the initial events and their bookmark
// arrive, and the replica that serves it (-1: none).
func (c *partition) serveInitialEvents(n, o int32, t sim.Time, rng *sim.Rand) (int32, sim.Time, sim.Time, int32) {
	at, out, r := c.send(n, verbWatch, c.cfg.Objects[o].Kind, o, true, t)
	if out != served {
		return 0, at, at, -1
	}
	c.rec.add(c.rec.Bytes, at, float64(c.cfg.Objects[o].SizeBytes))
	return c.versionServed(o, at), at, at.Add(c.cfg.GetLatency.Sample(rng)), r
}

// versionServed is object o's version as a request served at t sees it: the
// current one, or, for a request retried into the future, the one then.
func (c *partition) versionServed(o int32, t sim.Time) int32 {
	if t == c.eng.Now() {
		return c.version[o]
	}
	return c.versionAt(o, t)
}

// scheduleNextUpdate queues the next write of the plan, if any.
func (c *partition) scheduleNextUpdate() {
	if int(c.next) < len(c.updates) {
		if at := c.updates[c.next].at; at <= c.end {
			c.eng.Schedule(at, c.evUpdate, c.next, 0, 0, 0)
		}
	}
}

// onUpdate applies one write of the plan. A write to an immutable object
// is refused by the apiserver (only delete and re-create could change it),
// so its consumers never see a change.
func (c *partition) onUpdate(ev sim.Event) {
	u := c.updates[ev.A]
	c.next = ev.A + 1
	t := c.eng.Now()
	o := u.obj
	id := ev.A + 1
	if u.rejected {
		if c.tracing && c.primary {
			c.tracef(t, "apiserver: update #%d of %s refused: the object is immutable", id, c.objectName(o))
		}
	} else {
		c.version[o]++
		if c.tracing && c.primary {
			c.tracef(t, "apiserver: update #%d writes %s v%d", id, c.objectName(o), c.version[o])
		}
		if c.primary {
			c.rec.add(c.rec.Updates, t, 1)
		}
		c.mgr.objectUpdated(o, t)
	}
	c.scheduleNextUpdate()
}

// onOutage takes replica A down (its outage B starts): every connection to
// it breaks, and the watches it served end.
func (c *partition) onOutage(ev sim.Event) {
	r := ev.A
	t := c.eng.Now()
	o := c.plan.outages[r][ev.B]
	if c.tracing && c.primary {
		c.tracef(t, "apiserver replica %d goes down until %v; its watch cache is ready at %v", r, o.up, o.ready)
	}
	for n := c.nodeLo; n < c.nodeHi; n++ {
		if c.nodes[n].replica == r {
			c.nodes[n].replica = -1
		}
	}
	c.mgr.replicaDown(r, t, o.fault)
}

// faultAt returns the plan's latest fault at or before t whose disruption
// may still last, or -1.
func (c *Cluster) faultAt(t sim.Time) int32 {
	fs := c.plan.faults
	for k := len(fs) - 1; k >= 0; k-- {
		if fs[k].at <= t {
			return int32(k)
		}
	}
	return -1
}
