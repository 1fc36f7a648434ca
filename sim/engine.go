package sim

import (
	"fmt"
	"slices"
	"time"
)

// Handler runs one event. It may schedule further events on the engine.
type Handler func(ev Event)

// Engine runs events in (At, Seq) order on a virtual clock. It is
// single-threaded: handlers run one at a time on the caller's goroutine.
type Engine struct {
	now       Time
	seq       uint64
	q         *calendar
	handlers  []Handler
	processed uint64
}

// New returns an engine at time 0. Its calendar queue is sized for about
// pending events scheduled up to window ahead (a resync interval, say):
// buckets of a power-of-two width holding a few events each, and enough of
// them to span the window twice. Events further ahead wait in a heap, so any
// values are correct; good ones are faster.
func New(window time.Duration, pending int) *Engine {
	const perBucket = 4
	shift := uint(10)         // 1 µs buckets at the least
	pending = max(pending, 1) // none expected: a few wide buckets, not a million narrow ones
	for shift < 40 && (int64(1)<<(shift+1))*int64(pending) <= perBucket*int64(window) {
		shift++
	}
	buckets := 1 << 8
	for buckets < 1<<20 && (int64(buckets)<<shift) < 2*int64(window) {
		buckets <<= 1
	}
	return &Engine{q: newCalendar(shift, buckets)}
}

// Reserve makes room for n events scheduled beyond the calendar's span
// (say one watch timeout per reflector, tens of minutes ahead), so that the
// queue holding them is allocated once.
func (e *Engine) Reserve(n int) {
	e.q.far.ev = slices.Grow(e.q.far.ev, n)
}

// Register adds a handler and returns the Kind that selects it.
func (e *Engine) Register(h Handler) Kind {
	if h == nil {
		panic("sim: nil handler")
	}
	if len(e.handlers) == 256 {
		panic("sim: more than 256 event kinds")
	}
	e.handlers = append(e.handlers, h)
	return Kind(len(e.handlers) - 1)
}

// Now returns the time of the event being run, or of the last one run.
func (e *Engine) Now() Time { return e.now }

// Processed returns how many events have run.
func (e *Engine) Processed() uint64 { return e.processed }

// Pending returns how many events are scheduled and not yet run.
func (e *Engine) Pending() int { return e.q.len() }

// Schedule queues an event of kind k at instant at with arguments a, b, c,
// d. Scheduling before Now panics: it is a model bug.
func (e *Engine) Schedule(at Time, k Kind, a, b, c, d int32) {
	if at < e.now {
		panic(fmt.Sprintf("sim: event of kind %d scheduled at %v, before now %v", k, at, e.now))
	}
	if int(k) >= len(e.handlers) {
		panic(fmt.Sprintf("sim: event kind %d has no handler", k))
	}
	e.q.push(Event{At: at, key: e.seq<<8 | uint64(k), A: a, B: b, C: c, D: d})
	e.seq++
}

// After queues an event delay after Now.
func (e *Engine) After(delay time.Duration, k Kind, a, b, c, d int32) {
	e.Schedule(e.now.Add(delay), k, a, b, c, d)
}

// ErrBudget is returned by RunUntil when the event budget runs out before the
// horizon.
type ErrBudget struct {
	Budget uint64
	At     Time
}

func (err *ErrBudget) Error() string {
	return fmt.Sprintf("event budget of %d events exhausted at %v of virtual time", err.Budget, err.At)
}

// RunUntil runs every event with At <= horizon, in order, and returns when
// none is left. It runs at most budget events (0 means no limit) and returns
// an *ErrBudget if more remained. Events after the horizon stay queued.
func (e *Engine) RunUntil(horizon Time, budget uint64) error {
	limit := ^uint64(0)
	if budget > 0 {
		limit = e.processed + budget
	}
	for e.q.len() > 0 && e.q.peek().At <= horizon {
		if e.processed >= limit {
			return &ErrBudget{Budget: budget, At: e.now}
		}
		ev := e.q.pop()
		e.now = ev.At
		e.processed++
		e.handlers[ev.key&0xff](ev)
	}
	return nil
}
