package model

import (
	"math/bits"
	"time"

	"cmsim/sim"
)

// queueSet is one apiserver replica's API Priority and Fairness priority
// level for the kubelets (k8s.io/apiserver pkg/util/flowcontrol/fairqueuing/
// queueset, v0.37.2): a concurrency limit in seats, queues that flows are
// shuffle-sharded onto, and fair queuing by seat-seconds on a virtual clock.
//
//   - Enqueue: the flow's hand of handSize queues is dealt from its hash;
//     the request joins the one with the least waiting work. It is rejected
//     (429) when every seat is in use and that queue holds queueLengthLimit
//     requests.
//   - Virtual time R advances at min(seats requested, limit) / active
//     queues seat-seconds per second.
//   - Dispatch, while seats are free: the queue whose oldest request has
//     the smallest nextDispatchR + work, round robin on ties; the queue's
//     nextDispatchR grows by the request's work (seats × 3 ms, the
//     estimated service duration) and is corrected by seats × (3 ms −
//     actual) when it finishes.
//   - A request waiting longer than the wait limit is rejected (429).
//
// A request is answered when its service time is over; its seats are
// released then. Releases are events only while requests wait for seats:
// otherwise nothing can happen at them, and the level applies them in
// order when it next receives a request.
//
// The queueSet only keeps the queues; requests live in the partition's
// request pool and are linked into queues through their prev/next fields.
type queueSet struct {
	limit      int
	queueLimit int
	handSize   int
	queues     []fqQueue

	seatsInUse   int
	waiting      int
	seatsWaiting int
	active       int // queues with a request waiting or executing
	currentR     float64
	lastTime     sim.Time
	robin        int
	enqueues     int

	dropped droppedRequests
	// waitMask has bit q set when queue q has requests waiting.
	waitMask []uint64
	// releases are the seats in use, by when they free; releaseEvent is
	// the instant of the pending release event, -1: none.
	releases     releaseHeap
	releaseEvent sim.Time
	replica      int32
}

// firstWaiting returns the first queue in [lo, hi) with requests waiting,
// or -1.
func (qs *queueSet) firstWaiting(lo, hi int) int {
	for lo < hi {
		w := qs.waitMask[lo/64] >> (lo % 64)
		if w != 0 {
			if q := lo + bits.TrailingZeros64(w); q < hi {
				return q
			}
			return -1
		}
		lo = (lo/64 + 1) * 64
	}
	return -1
}

// fqQueue is one queue of a queueSet.
type fqQueue struct {
	head, tail    int32 // waiting requests, oldest first; -1: none
	length        int
	seatsWaiting  int
	workWaiting   float64 // seat-seconds
	seatsInUse    int
	executing     int
	nextDispatchR float64
}

// estimatedServiceDuration is the queueset's G: 3 ms of work per seat.
const estimatedServiceDuration = 3 * time.Millisecond

func newQueueSet(k *Capacity) *queueSet {
	qs := &queueSet{limit: k.Seats, queueLimit: k.QueueLengthLimit, handSize: k.HandSize,
		queues: make([]fqQueue, k.Queues), robin: -1, waitMask: make([]uint64, (k.Queues+63)/64), releaseEvent: -1}
	for i := range qs.queues {
		qs.queues[i].head, qs.queues[i].tail = -1, -1
	}
	qs.dropped.retryAfter = 1
	return qs
}

// work is a request's work in seat-seconds.
func work(seats int32) float64 { return float64(seats) * estimatedServiceDuration.Seconds() }

// syncTime advances the virtual clock to now.
func (qs *queueSet) syncTime(now sim.Time) {
	if qs.active > 0 {
		requested := qs.seatsInUse + qs.seatsWaiting
		ratio := float64(min(requested, qs.limit)) / float64(qs.active)
		qs.currentR += ratio * time.Duration(now-qs.lastTime).Seconds()
	}
	qs.lastTime = now
}

// deal returns the flow's hand: shufflesharding.Dealer.Deal of hash over
// the queues.
func (qs *queueSet) deal(hash uint64, hand []int) []int {
	deck := len(qs.queues)
	var rem [15]int
	for i := 0; i < qs.handSize; i++ {
		next := hash / uint64(deck-i)
		rem[i] = int(hash - uint64(deck-i)*next)
		hash = next
	}
	hand = hand[:0]
	for i := 0; i < qs.handSize; i++ {
		card := rem[i]
		for j := i; j > 0; j-- {
			if card >= rem[j-1] {
				card++
			}
		}
		hand = append(hand, card)
	}
	return hand
}

// chooseQueue is shuffleShardLocked: of the flow's hand, visited from a
// rotating offset, the queue with the least waiting work.
func (qs *queueSet) chooseQueue(hand []int) int {
	offset := qs.enqueues % len(hand)
	qs.enqueues++
	best, bestWork := -1, 0.0
	for i := range hand {
		q := hand[(offset+i)%len(hand)]
		if w := qs.queues[q].workWaiting; best < 0 || w < bestWork {
			best, bestWork = q, w
		}
	}
	return best
}

func (q *fqQueue) idle() bool { return q.length == 0 && q.executing == 0 }

// enqueue puts request r (seats, arrivalR set here) at the tail of queue qi,
// or reports false when the queue is full and every seat busy.
func (c *partition) enqueue(qs *queueSet, qi int, ri int32) bool {
	q := &qs.queues[qi]
	r := &c.reqs[ri]
	if qs.seatsInUse >= qs.limit && q.length >= qs.queueLimit {
		return false
	}
	if q.idle() {
		q.nextDispatchR = qs.currentR
		qs.active++
	}
	r.queue = int32(qi)
	r.arrivalR = qs.currentR
	r.prev, r.next = q.tail, -1
	if q.tail >= 0 {
		c.reqs[q.tail].next = ri
	} else {
		q.head = ri
	}
	q.tail = ri
	if q.length == 0 {
		qs.waitMask[qi/64] |= 1 << (qi % 64)
	}
	q.length++
	q.seatsWaiting += int(r.seats)
	q.workWaiting += work(r.seats)
	qs.waiting++
	qs.seatsWaiting += int(r.seats)
	c.boundNextDispatch(qs, qi)
	return true
}

// unlink removes waiting request ri from its queue.
func (c *partition) unlink(qs *queueSet, ri int32) {
	r := &c.reqs[ri]
	q := &qs.queues[r.queue]
	if r.prev >= 0 {
		c.reqs[r.prev].next = r.next
	} else {
		q.head = r.next
	}
	if r.next >= 0 {
		c.reqs[r.next].prev = r.prev
	} else {
		q.tail = r.prev
	}
	r.prev, r.next = -1, -1
	q.length--
	q.seatsWaiting -= int(r.seats)
	q.workWaiting -= work(r.seats)
	if q.length == 0 {
		q.workWaiting = 0 // no float drift across idle periods
		qs.waitMask[r.queue/64] &^= 1 << (r.queue % 64)
	}
	qs.waiting--
	qs.seatsWaiting -= int(r.seats)
	if q.idle() {
		qs.active--
	}
}

// boundNextDispatch is the anti-windup rule: a queue's nextDispatchR is
// never behind its oldest request's arrival R.
func (c *partition) boundNextDispatch(qs *queueSet, qi int) {
	q := &qs.queues[qi]
	if q.head >= 0 {
		q.nextDispatchR = max(q.nextDispatchR, c.reqs[q.head].arrivalR)
	}
}

// nextToDispatch is findDispatchQueueToBoundLocked: it removes and returns
// the request to dispatch next, or -1 when none fits the free seats.
func (c *partition) nextToDispatch(qs *queueSet) int32 {
	if qs.waiting == 0 || qs.seatsInUse >= qs.limit {
		return -1
	}
	n := len(qs.queues)
	minQ := -1
	minFinish := 0.0
	// The queues with requests waiting, in round-robin order from the
	// one after the last dispatch: the first with the smallest virtual
	// finish. (Upstream visits every queue; the empty ones change nothing.)
	start := (qs.robin + 1) % n
	for _, span := range [2][2]int{{start, n}, {0, start}} {
		for q := qs.firstWaiting(span[0], span[1]); q >= 0; q = qs.firstWaiting(q+1, span[1]) {
			if f := qs.queues[q].nextDispatchR + work(c.reqs[qs.queues[q].head].seats); minQ < 0 || f < minFinish {
				minQ, minFinish = q, f
			}
		}
	}
	minIdx := minQ
	q := &qs.queues[minQ]
	ri := q.head
	seats := int(c.reqs[ri].seats)
	if seats > qs.limit {
		if qs.seatsInUse > 0 {
			return -1
		}
	} else if qs.seatsInUse+seats > qs.limit {
		return -1
	}
	c.unlink(qs, ri)
	if q.idle() {
		qs.active++ // it stays active while the request executes
	}
	qs.robin = minIdx
	qs.seatsInUse += seats
	q.seatsInUse += seats
	q.executing++
	q.nextDispatchR += work(int32(seats))
	c.boundNextDispatch(qs, minQ)
	return ri
}

// finished releases the seats of a request of queue qi that executed for
// actual.
func (c *partition) finished(qs *queueSet, qi int32, seats int32, actual sim.Time) {
	q := &qs.queues[qi]
	qs.seatsInUse -= int(seats)
	q.seatsInUse -= int(seats)
	q.executing--
	q.nextDispatchR -= float64(seats) * (estimatedServiceDuration - time.Duration(actual)).Seconds()
	c.boundNextDispatch(qs, int(qi))
	if q.idle() {
		qs.active--
	}
}

// seatRelease is a dispatched request's seats, held until at.
type seatRelease struct {
	at      sim.Time
	service sim.Time
	queue   int32
	seats   int32
}

// releaseHeap is a min-heap of seat releases by time, then queue (a total
// order, so that releases at one instant apply in a fixed order).
type releaseHeap []seatRelease

func (h releaseHeap) less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	return h[i].queue < h[j].queue
}

func (h *releaseHeap) push(r seatRelease) {
	*h = append(*h, r)
	a := *h
	for i := len(a) - 1; i > 0; {
		p := (i - 1) / 2
		if !a.less(i, p) {
			break
		}
		a[i], a[p] = a[p], a[i]
		i = p
	}
}

func (h *releaseHeap) pop() seatRelease {
	a := *h
	top := a[0]
	n := len(a) - 1
	a[0] = a[n]
	a = a[:n]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && a.less(l, m) {
			m = l
		}
		if r < n && a.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		a[i], a[m] = a[m], a[i]
		i = m
	}
	*h = a
	return top
}

// droppedRequests is the priority level's droppedRequestsStats
// (apiserver pkg/util/flowcontrol/dropped_requests_tracker.go): the
// Retry-After of its 429s starts at 1 s, doubles (to at most 32 s) when
// at least 3 × Retry-After requests were dropped in the last Retry-After
// seconds, and otherwise falls back by a second.
type droppedRequests struct {
	retryAfter   int64
	updateUnix   int64
	currentUnix  int64
	currentCount int64
	history      []unixCount
}

type unixCount struct{ unix, requests int64 }

const maxRetryAfter = 32

// record counts a dropped request at t and returns the Retry-After the
// response carries.
func (d *droppedRequests) record(t sim.Time) sim.Time {
	unix := int64(t / sim.Time(time.Second))
	if d.currentUnix == unix {
		d.currentCount++
	} else {
		d.updateHistory(d.currentUnix, d.currentCount)
		d.currentUnix, d.currentCount = unix, 1
		d.update(unix)
	}
	return sim.Time(d.retryAfter) * sim.Time(time.Second)
}

func (d *droppedRequests) updateHistory(unix, count int64) {
	d.history = append(d.history, unixCount{unix, count})
	keep := min(2*d.retryAfter, maxRetryAfter)
	start := 0
	for start < len(d.history) && unix-d.history[start].unix > keep {
		start++
	}
	d.history = d.history[start:]
}

func (d *droppedRequests) update(unix int64) {
	dropped := int64(0)
	for i := len(d.history) - 1; i >= 0; i-- {
		if unix-d.history[i].unix > d.retryAfter {
			break
		}
		if d.history[i].unix < unix {
			dropped += d.history[i].requests
		}
	}
	if unix-d.updateUnix >= d.retryAfter && dropped >= 3*d.retryAfter {
		d.retryAfter = min(2*d.retryAfter, maxRetryAfter)
		d.updateUnix = unix
		return
	}
	if dropped < d.retryAfter && d.retryAfter > 1 {
		d.retryAfter--
	}
}
