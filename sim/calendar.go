package sim

import (
	"slices"

	"cmsim/internal/hugepages"
)

// calendar is a bucketed calendar queue (a timing wheel) in front of the
// 4-ary heap. Kubelet resyncs are scheduled a minute or so ahead and popped
// in time order, so a wheel of fixed-width buckets turns most pushes into an
// append and most pops into a sequential read of one small sorted bucket,
// where a heap of 150,000 events would miss the cache at every level.
// Events beyond the wheel's span wait in the heap and move into the wheel as
// it turns. Order is exactly (At, Seq), as with the heap alone.
type calendar struct {
	shift   uint  // bucket width is 1<<shift ns
	mask    int64 // number of buckets - 1
	buckets [][]Event
	cur     int64 // absolute index (At>>shift) of the current bucket
	head    int   // next event to pop in the current bucket
	sorted  bool  // the current bucket is sorted from head on
	inWheel int
	far     queue
}

// bucketCap is each bucket's initial capacity. Buckets are carved out of one
// array, so that turning the wheel reads memory in order; a bucket that
// outgrows its share moves to an array of its own.
const bucketCap = 4

func newCalendar(shift uint, buckets int) *calendar {
	if buckets&(buckets-1) != 0 || buckets < 2 {
		panic("sim: calendar bucket count must be a power of two >= 2")
	}
	c := &calendar{shift: shift, mask: int64(buckets - 1), buckets: make([][]Event, buckets)}
	backing := hugepages.Make[Event](buckets*bucketCap, buckets*bucketCap)
	for i := range c.buckets {
		c.buckets[i] = backing[i*bucketCap : i*bucketCap : (i+1)*bucketCap]
	}
	return c
}

func (c *calendar) len() int { return c.inWheel + c.far.len() }

func (c *calendar) push(e Event) {
	b := int64(e.At) >> c.shift
	switch {
	case b <= c.cur:
		// The current bucket (or, after a peek moved the wheel on, an
		// earlier instant that still sorts before everything queued).
		c.insertCurrent(e)
	case b <= c.cur+c.mask:
		i := b & c.mask
		c.buckets[i] = append(c.buckets[i], e)
		c.inWheel++
	default:
		c.far.push(e)
	}
}

// insertCurrent inserts e into the sorted remainder of the current bucket.
func (c *calendar) insertCurrent(e Event) {
	c.settle()
	i := c.cur & c.mask
	bk := c.buckets[i]
	// Binary search over [head, len) for the first event after e.
	lo, hi := c.head, len(bk)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if e.before(&bk[m]) {
			hi = m
		} else {
			lo = m + 1
		}
	}
	bk = append(bk, Event{})
	copy(bk[lo+1:], bk[lo:])
	bk[lo] = e
	c.buckets[i] = bk
	c.inWheel++
}

// settle sorts the current bucket if it is not yet sorted.
func (c *calendar) settle() {
	if c.sorted {
		return
	}
	bk := c.buckets[c.cur&c.mask][c.head:]
	if len(bk) <= 32 {
		// Insertion sort: buckets are small.
		for i := 1; i < len(bk); i++ {
			e := bk[i]
			j := i
			for j > 0 && e.before(&bk[j-1]) {
				bk[j] = bk[j-1]
				j--
			}
			bk[j] = e
		}
	} else {
		slices.SortFunc(bk, cmpEvent)
	}
	c.sorted = true
}

// advance moves the wheel to the next non-empty bucket; the queue must not be
// empty.
func (c *calendar) advance() {
	for {
		i := c.cur & c.mask
		if c.head < len(c.buckets[i]) {
			c.settle()
			return
		}
		c.buckets[i] = c.buckets[i][:0]
		c.head = 0
		c.sorted = false
		if c.inWheel == 0 {
			// Jump straight to the far heap's first event.
			c.cur = int64(c.far.peek().At) >> c.shift
		} else {
			c.cur++
		}
		// Pull far events that now fall inside the wheel.
		for c.far.len() > 0 && int64(c.far.peek().At)>>c.shift <= c.cur+c.mask {
			e := c.far.pop()
			j := (int64(e.At) >> c.shift) & c.mask
			c.buckets[j] = append(c.buckets[j], e)
			c.inWheel++
		}
	}
}

func (c *calendar) peek() *Event {
	c.advance()
	return &c.buckets[c.cur&c.mask][c.head]
}

func (c *calendar) pop() Event {
	c.advance()
	e := c.buckets[c.cur&c.mask][c.head]
	c.head++
	c.inWheel--
	return e
}

func cmpEvent(a, b Event) int {
	switch {
	case a.before(&b):
		return -1
	case b.before(&a):
		return 1
	}
	return 0
}
