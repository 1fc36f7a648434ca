package sim

import (
	"fmt"
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

// New returns an engine at time 0 whose queue suits events scheduled up to
// about horizonHint ahead (events further ahead are still handled, more
// slowly). Events land in 2^k-ns buckets, 8192 of them spanning at least
// horizonHint.
func New(horizonHint time.Duration) *Engine {
	const buckets = 1 << 13
	shift := uint(10) // 1 µs buckets at the least
	for shift < 40 && (int64(1)<<shift)*buckets < int64(horizonHint) {
		shift++
	}
	return &Engine{q: newCalendar(shift, buckets)}
}

// Register adds a handler and returns the Kind that selects it.
func (e *Engine) Register(h Handler) Kind {
	if h == nil {
		panic("sim: nil handler")
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

// Schedule queues an event of kind k at instant at with arguments a, b, c.
// Scheduling before Now panics: it is a model bug.
func (e *Engine) Schedule(at Time, k Kind, a, b, c int32) {
	if at < e.now {
		panic(fmt.Sprintf("sim: event of kind %d scheduled at %v, before now %v", k, at, e.now))
	}
	if int(k) >= len(e.handlers) {
		panic(fmt.Sprintf("sim: event kind %d has no handler", k))
	}
	e.q.push(Event{At: at, Seq: e.seq, Kind: k, A: a, B: b, C: c})
	e.seq++
}

// After queues an event d after Now.
func (e *Engine) After(d time.Duration, k Kind, a, b, c int32) {
	e.Schedule(e.now.Add(d), k, a, b, c)
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
		e.handlers[ev.Kind](ev)
	}
	return nil
}
