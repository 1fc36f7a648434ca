package model

import (
	"math/bits"

	"cmsim/sim"
)

// Parked resyncs: the kubelet's work queue (pkg/kubelet/util/queue) holds
// every pod with the instant its next periodic sync is due, and most of
// those syncs change nothing anyone can observe. Under Watch a simple or
// fast pod whose volumes hold what its node's stores hold, with no mount
// failing and no token due, resyncs by reading its local stores: the sync
// and the remount are counted, and nothing else happens. Such a pod is
// parked: it leaves the event queue and waits on the slots it reads. Its
// resyncs are accounted in a tight loop, with exactly the counts and the
// draws its events would have made, when something it reads changes (a
// store takes a new version or stops being a plain read), when its
// service-account token comes due, or when the run ends. Then its next
// resync runs as an event again.
//
// The resync jitter is keyed by pod and count of draws (resyncDelay), so a
// parked pod draws what its events would have drawn, and the node's own stream is
// drawn by the same events in the same order either way: a run gives the
// same output with parking on or off (TestParkingChangesNothing).
//
// Ties: a wake at t accounts the resyncs whose remount is at or before t.
// A remount at exactly t was queued at least a sync period before t, so
// without parking it would have run before the event that wakes the pod
// (which was queued less than a period before t, the latest a delivery or
// a token deadline is known).

// parkingOff runs every resync as an event, for the tests that check
// parking changes nothing.
var parkingOff = false

// parkEntry is a parked pod waiting on one slot. A simple pod (one volume,
// one slot) is held whole in its entry; a fast pod's entries name its
// record, which holds its state, and the generation it parked with.
type parkEntry struct {
	next sim.Time // simple: the start of its next, unaccounted sync
	cons int32    // simple: the consumer; fast: ^f
	seen int32    // simple: the version its files hold; fast: the generation
	link int32    // the slot's next entry, -1 none
}

// parkList returns the head of slot s's list of parked pods.
func (c *partition) parkList(s int32) *int32 { return &c.parkHead[s-c.slotLo] }

// newParkEntry takes an entry from the pool and links it first in slot s's
// list.
func (c *partition) newParkEntry(s int32, e parkEntry) {
	head := c.parkList(s)
	e.link = *head
	if i := c.parkFree; i >= 0 {
		c.parkFree = c.parkPool[i].link
		c.parkPool[i] = e
		*head = i
		return
	}
	c.parkPool = append(c.parkPool, e)
	*head = int32(len(c.parkPool) - 1)
}

// parkSimple parks simple consumer ci, reading slot s and holding version
// seen, whose next sync starts at next.
func (c *partition) parkSimple(ci, s, seen int32, next sim.Time) {
	c.newParkEntry(s, parkEntry{next: next, cons: ci, seen: seen})
}

// parkFast parks fast pod f, whose next sync starts at next, on every slot
// it reads, and queues its token's deadline.
func (c *partition) parkFast(f int32, next, tokenDue sim.Time) {
	fp := &c.fast[f]
	fp.parkGen++
	fp.parked = true
	fp.parkNext = next
	for k := int32(0); k < int32(fp.n); k++ {
		c.newParkEntry(fp.slot[k], parkEntry{cons: ^f, seen: int32(fp.parkGen)})
	}
	if tokenDue <= c.end {
		c.eng.Schedule(tokenDue, c.evParkWake, f, int32(fp.parkGen), 0, 0)
	}
}

// fastParkable returns whether fast pod fp's next sync, due at next, would
// be a plain resync, and the instant its token comes due (never: none).
func (c *partition) fastParkable(fp *fastPod, next sim.Time) (bool, sim.Time) {
	if fp.failing != 0 {
		return false, 0
	}
	for k := int32(0); k < int32(fp.n); k++ {
		r := c.watchReady[fp.slot[k]]
		if r < 0 {
			return false, 0
		}
		if fp.pull&(1<<k) == 0 && (fp.seen[k] != r || !c.opIdle(fp.cons+k)) {
			return false, 0
		}
	}
	due := never
	if fp.token >= 0 {
		// A remount after tokenAt less the jitter renews the token.
		due = fp.tokenAt - tokenMaxJitter*sim.Time(1e9)
		if due < c.mountTime(&c.nodes[fp.node], next) {
			return false, 0
		}
	}
	return true, due
}

// wakeSlot puts the pods parked on slot s back in the event queue: what
// they read changed at now.
func (c *partition) wakeSlot(s int32, now sim.Time) {
	head := c.parkList(s)
	if *head < 0 {
		return
	}
	for i := *head; i >= 0; {
		e := c.parkPool[i]
		c.parkPool[i].link = c.parkFree
		c.parkFree = i
		i = e.link
		if e.cons >= 0 {
			c.wakeSimple(&e, s, now)
		} else {
			c.wakeFast(^e.cons, uint32(e.seen), now)
		}
	}
	*head = -1
}

func (c *partition) wakeSimple(e *parkEntry, s int32, now sim.Time) {
	node := c.slots[s].node
	n := &c.nodes[node]
	upToDate := e.seen == c.version[c.slots[s].obj]
	if t := c.accountResyncs(e.cons, n, e.next, now, 1, upToDate); t >= 0 {
		c.scheduleSimple(n, e.cons, s, e.seen, node, t)
	}
}

// wakeFast wakes fast pod f if it is still parked with generation gen.
func (c *partition) wakeFast(f int32, gen uint32, now sim.Time) {
	fp := &c.fast[f]
	if !fp.parked || fp.parkGen != gen {
		return // woken already through another slot or its token
	}
	fp.parked = false
	n := &c.nodes[fp.node]
	volumes := fp.n - uint8(bits.OnesCount8(fp.pull))
	if t := c.accountResyncs(fp.cons, n, fp.parkNext, now, volumes, c.fastUpToDate(fp)); t >= 0 {
		c.queueFast(f, n, t)
	}
}

// onParkWake wakes fast pod A, parked with generation B, whose token comes
// due.
func (c *partition) onParkWake(ev sim.Event) {
	c.wakeFast(ev.A, uint32(ev.B), c.eng.Now())
}

// accountResyncs accounts the plain resyncs of the pod whose first consumer
// is ci, from the one that starts at t to the last whose remount is at or
// before now, exactly as their cycles would: a sync at its start tick, a
// remount of each of its volumes at its remount time, and the drain's stop
// for a pod that holds the last writes (upToDate). It returns the start of the first resync left
// to run as an event, or -1 if the pod's resyncs ended.
//
// This loop is most of what a calm Watch run costs (one pass per resync),
// so it avoids divisions: bucket indexes come from a multiplication by the
// bucket's inverse, corrected by one where it rounds across a boundary.
func (c *partition) accountResyncs(ci int32, n *nodeState, t, now sim.Time, volumes uint8, upToDate bool) sim.Time {
	// Sync ticks are whole seconds apart and the volume manager's loops
	// divide a second, so every remount follows its tick by the same
	// offset (t is past the first tick).
	off := c.mountTime(n, t) - t
	stop := min(now, c.end)
	rec := c.rec
	syncs, remounts := rec.Syncs, rec.Remounts
	last := len(syncs) - 1
	width := rec.bucket
	inv := 1 / float64(width)
	vol := float64(volumes)
	drain := upToDate && !keepDraining
	// The draws are keyed by the pod's count of them, not by t, so that
	// each step's draw does not wait for the previous step's sum.
	cs := &c.consumers[ci]
	draw, k := c.resyncRand.Row(uint64(ci)), cs.resyncs
	defer func() { cs.resyncs = k }()
	jitter := resyncJitterFactor * float64(c.syncFrequency)
	for {
		m := t + off
		if m > stop {
			if m > c.end {
				return -1 // beyond the drain: never queued
			}
			return t
		}
		if t <= c.horizon {
			i := int(float64(t) * inv)
			if sim.Time(i)*width > t {
				i--
			} else if sim.Time(i+1)*width <= t {
				i++
			}
			i = min(i, last) // the horizon on a boundary
			syncs[i]++
			if m <= c.horizon {
				for i < last && sim.Time(i+1)*width <= m {
					i++
				}
				remounts[i] += vol
			}
		}
		if drain && m > c.horizon {
			return -1
		}
		// nextTick(syncPhase, syncTick, t+delay) for t on the tick grid.
		delay := c.syncFrequency + sim.Time(draw.Float64(uint64(k))*jitter)
		k++
		t += (delay/syncTick + 1) * syncTick
	}
}

// flushParked accounts the resyncs of every pod still parked when the run
// ends (the engine's clock stops at its last event, not at the end).
func (c *partition) flushParked() {
	if !c.parking {
		return
	}
	for s := c.slotLo; s < c.slotHi; s++ {
		c.wakeSlot(s, c.end)
	}
}
