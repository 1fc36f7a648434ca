package sim

// Kind selects the handler of an event; see [Engine.Register]. An engine
// has at most 256 kinds.
type Kind uint8

// Event is one scheduled occurrence. A, B, C and D are the handler's
// arguments (typically indexes into the model's slices and a version
// number). An Event is 32 bytes.
type Event struct {
	At Time
	// key is the insertion sequence number shifted left 8 bits, with the
	// Kind in the low 8: ordering by key is ordering by insertion.
	key        uint64
	A, B, C, D int32
}

// Kind returns the event's kind.
func (e *Event) Kind() Kind { return Kind(e.key) }

// Seq returns the event's insertion sequence number.
func (e *Event) Seq() uint64 { return e.key >> 8 }

func (e *Event) before(o *Event) bool {
	return e.At < o.At || (e.At == o.At && e.key < o.key)
}

// queue is a 4-ary min-heap of events ordered by (At, Seq). A 4-ary heap is
// shallower than a binary one and its children share cache lines, which
// matters with hundreds of thousands of pending resyncs.
type queue struct {
	ev []Event
}

func (q *queue) len() int { return len(q.ev) }

func (q *queue) push(e Event) {
	q.ev = append(q.ev, e)
	// Sift up.
	h := q.ev
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 4
		if !e.before(&h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = e
}

// peek returns the earliest event; the queue must not be empty.
func (q *queue) peek() *Event { return &q.ev[0] }

// pop removes and returns the earliest event; the queue must not be empty.
func (q *queue) pop() Event {
	h := q.ev
	top := h[0]
	n := len(h) - 1
	last := h[n]
	q.ev = h[:n]
	if n == 0 {
		return top
	}
	h = h[:n]
	// Sift last down from the root.
	i := 0
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		end := c + 4
		if end > n {
			end = n
		}
		for j := c + 1; j < end; j++ {
			if h[j].before(&h[m]) {
				m = j
			}
		}
		if !h[m].before(&last) {
			break
		}
		h[i] = h[m]
		i = m
	}
	h[i] = last
	return top
}
