package model

import (
	"cmsim/sim"
)

// Requests when the apiserver's capacity is finite: a kubelet's API call is
// a request in flight, and whoever made it waits for its response event.
// The client side follows client-go's rest.Request: the token bucket
// (kubeAPIQPS, kubeAPIBurst) before every attempt but a WATCH's first, and
// automatic retries of a 429 with Retry-After, at most 10; the server side
// is priority_and_fairness.go.
//
// Without capacity (Config.Capacity nil) none of this runs: requests are
// served when they are made (apiserver.go send).

// contKind says what waits for a request's response.
type contKind uint8

const (
	contNone       contKind = iota // background load: nobody waits
	contGet                        // a Get manager's GET: its waiter resumes
	contCacheFetch                 // a Cache item's fetch: the item updates, its waiters resume
	contList                       // a reflector's LIST
	contOpen                       // a reflector's WATCH after its LIST
	contRewatch                    // a reflector's re-issued WATCH
	contToken                      // a TokenRequest for a mount
)

// waiterKind says which kubelet operation waits for a manager read.
type waiterKind uint8

const (
	waitNone  waiterKind = iota // a pull secret read: nothing waits
	waitMount                   // a consumer's MountVolume
	waitEnv                     // a consumer's env reads at container start
)

// waiter is a kubelet operation waiting for a read: its kind, the consumer,
// and the pod's epoch when it started (a deletion or restart voids it).
type waiter struct {
	kind waiterKind
	id   int32
	gen  int32
}

// request is one API call in flight.
type request struct {
	node       int32 // -1: background
	obj        int32 // the object read; -1 for a TokenRequest or background
	flow       uint64
	verb       verb
	kind       ObjectKind
	fromEtcd   bool
	needsCache bool
	// initialEvents marks a WATCH with sendInitialEvents=true (WatchList):
	// it carries the object and costs what a LIST does.
	initialEvents bool
	seats         int32
	cont          contKind
	slot          int32 // the slot the response is for (reads, reflectors)
	gen           int32 // the slot's watchGen for reflector continuations
	w             waiter

	issuedAt  sim.Time // the client's first attempt
	throttle  sim.Time // waited on the token bucket, all attempts
	queued    sim.Time // waited in APF queues, all attempts
	attempt   int32
	arrivedAt sim.Time
	startAt   sim.Time
	replica   int32
	queue     int32
	arrivalR  float64
	prev      int32
	next      int32
	notBefore sim.Time // served no earlier: it waits for a watch cache to be ready
	seq       int32    // voids stale timeouts
	state     reqState
	waited    bool // counted among the requests waiting for a seat
}

type reqState uint8

const (
	reqFree reqState = iota
	reqClient
	reqQueued
)

// newRequest takes a request from the pool, a copy of r.
func (c *partition) newRequest(r *request) int32 {
	var ri int32
	if n := len(c.freeReqs); n > 0 {
		ri = c.freeReqs[n-1]
		c.freeReqs = c.freeReqs[:n-1]
	} else {
		ri = int32(len(c.reqs))
		c.reqs = append(c.reqs, request{})
	}
	seq := c.reqs[ri].seq + 1
	q := &c.reqs[ri]
	*q = *r
	q.seq, q.prev, q.next, q.replica, q.queue = seq, -1, -1, -1, -1
	q.state = reqClient
	return ri
}

// issue makes node n's request r at t.
func (c *partition) issue(r *request, t sim.Time) int32 {
	r.issuedAt = t
	if r.seats == 0 {
		r.seats = 1
	}
	ri := c.newRequest(r)
	c.attempt(ri, t)
	return ri
}

// inlineCall is a read whose caller waits for it within the call: when the
// request gets a seat at once, its answer comes back to the caller instead
// of resuming a waiter.
type inlineCall struct {
	ri, seq int32
	active  bool
	done    bool
	ok      bool
	v       int32
	at      sim.Time
}

// issueInline makes request r at t and returns its answer if it was
// dispatched at once (no throttling, no queueing, no retry); otherwise it
// is pending and its waiter resumes later.
func (c *partition) issueInline(r *request, t sim.Time) (v int32, done sim.Time, ok, pending bool) {
	outer := c.inline
	r.issuedAt = t
	if r.seats == 0 {
		r.seats = 1
	}
	ri := c.newRequest(r)
	c.inline = inlineCall{ri: ri, seq: c.reqs[ri].seq, active: true}
	c.attempt(ri, t)
	got := c.inline
	c.inline = outer
	if got.done {
		return got.v, got.at, got.ok, false
	}
	return 0, 0, false, true
}

// attempt is one client attempt of request ri at t: the token bucket, then
// the apiserver.
func (c *partition) attempt(ri int32, t sim.Time) {
	r := &c.reqs[ri]
	if r.node >= 0 && c.cfg.KubeAPIQPS > 0 && !(r.verb == verbWatch && r.attempt == 0) {
		w := c.nodes[r.node].bucket.reserve(t, c.cfg.KubeAPIQPS, c.cfg.KubeAPIBurst)
		r.throttle += w
		t += w
	}
	if t > c.eng.Now() {
		c.eng.Schedule(t, c.evArrive, ri, r.seq, 0, 0)
		return
	}
	c.arrive(ri, t)
}

func (c *partition) onArrive(ev sim.Event) {
	if c.reqs[ev.A].seq == ev.B {
		c.arrive(ev.A, c.eng.Now())
	}
}

func (c *partition) onRetry(ev sim.Event) {
	if c.reqs[ev.A].seq == ev.B {
		c.attempt(ev.A, c.eng.Now())
	}
}

// retryOrFail is client-go's answer to a 429 with Retry-After ra at t: try
// again after ra, at most clientMaxRetries times.
func (c *partition) retryOrFail(ri int32, t, ra sim.Time) {
	r := &c.reqs[ri]
	r.state = reqClient
	r.replica, r.queue = -1, -1
	if r.attempt == clientMaxRetries {
		c.respond(ri, t, rejected)
		return
	}
	r.attempt++
	c.rec.add(c.rec.Retries, t, 1)
	c.eng.Schedule(t+ra, c.evRetry, ri, r.seq, 0, 0)
}

// respond ends request ri at t: its latency is recorded and whoever waits
// for it resumes.
func (c *partition) respond(ri int32, t sim.Time, out outcome) {
	r := c.reqs[ri]
	c.reqs[ri].state = reqFree
	c.reqs[ri].seq++
	c.freeReqs = append(c.freeReqs, ri)
	if r.node < 0 {
		return // background
	}
	if out == served {
		c.rec.latency(r.verb, t, t-r.issuedAt, r.throttle, r.queued, t-r.startAt)
	}
	ok := out == served
	var v int32
	if ok && r.obj >= 0 {
		v = c.versionServed(r.obj, r.startAt)
	}
	if ok && r.verb == verbGet {
		kind := r.kind
		if r.fromEtcd {
			c.rec.add(c.rec.GetEtcd, t, 1)
			c.rec.addRes(kind, t, func(x *ResourceCounts) *float64 { return &x.GetEtcd })
		} else {
			c.rec.add(c.rec.GetCache, t, 1)
			c.rec.addRes(kind, t, func(x *ResourceCounts) *float64 { return &x.GetCache })
		}
	}
	if ok && r.obj >= 0 && (r.verb != verbWatch || r.initialEvents) {
		c.rec.add(c.rec.Bytes, t, float64(c.cfg.Objects[r.obj].SizeBytes))
	}
	if c.inline.active && ri == c.inline.ri && r.seq == c.inline.seq {
		// Answered within the call that made it.
		if r.cont == contCacheFetch {
			v = c.mgr.(*cachingManager).applyFetch(r.slot, r.gen, v, t, ok)
		}
		c.inline.done, c.inline.ok, c.inline.v, c.inline.at = true, ok, v, t
		return
	}
	switch r.cont {
	case contGet:
		c.resumeRead(r.w, v, t, ok)
	case contCacheFetch:
		c.mgr.(*cachingManager).fetched(r.slot, r.gen, r.w, v, t, ok)
	case contList:
		c.mgr.(*watchingManager).listed(r.slot, r.gen, v, r.startAt, t, ok, r.replica)
	case contOpen:
		c.mgr.(*watchingManager).opened(r.slot, r.gen, t, ok, r.replica)
	case contRewatch:
		c.mgr.(*watchingManager).rewatched(r.slot, r.gen, t, ok, r.replica)
	case contToken:
		c.tokenAnswered(r.w, t, ok)
	}
}

// read is a kubelet operation's manager read through slot s at t. Without
// capacity it completes at once; with it, it may be pending, and the waiter
// resumes when it completes.
func (c *partition) read(s int32, t sim.Time, w waiter) (v int32, done sim.Time, ok, pending bool) {
	if c.levels == nil {
		v, done, ok = c.mgr.get(s, t)
		return v, done, ok, false
	}
	return c.mgr.(asyncManager).getAsync(s, t, w)
}

// asyncManager is a manager whose reads may wait for the apiserver.
type asyncManager interface {
	getAsync(s int32, t sim.Time, w waiter) (v int32, done sim.Time, ok, pending bool)
}

// resumeRead hands a completed read to its waiter.
func (c *partition) resumeRead(w waiter, v int32, done sim.Time, ok bool) {
	switch w.kind {
	case waitMount:
		c.mountRead(w, v, done, ok)
	case waitEnv:
		c.envRead(w, v, done, ok)
	}
}
