package sim

// Kind selects the handler of an event; see [Engine.Register].
type Kind uint32

// Event is one scheduled occurrence. A, B and C are the handler's arguments
// (typically indexes into the model's slices and a version number).
type Event struct {
	At   Time
	Seq  uint64 // insertion order: breaks ties between equal At
	Kind Kind
	A    int32
	B    int32
	C    int32
}

func (e *Event) before(o *Event) bool {
	return e.At < o.At || (e.At == o.At && e.Seq < o.Seq)
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
