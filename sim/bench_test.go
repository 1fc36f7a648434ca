package sim

import (
	"strconv"
	"testing"
	"time"
)

// BenchmarkEngine runs a steady population of self-rescheduling timers, the
// shape of the kubelet resync workload (compare with ../shared/bench/gofloor).
func BenchmarkEngine(b *testing.B) {
	for _, pending := range []int{15000, 150000} {
		b.Run(strconv.Itoa(pending), func(b *testing.B) {
			e := New(90*time.Second, pending)
			r := NewRand(1, 1)
			var k Kind
			k = e.Register(func(ev Event) {
				e.After(time.Duration(60e9+r.Float64()*30e9), k, ev.A, 0, 0, 0)
			})
			for i := 0; i < pending; i++ {
				e.Schedule(Time(r.Float64()*90e9), k, int32(i), 0, 0, 0)
			}
			b.ResetTimer()
			if err := e.RunUntil(MaxTime, uint64(b.N)); err != nil {
				if _, ok := err.(*ErrBudget); !ok {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkQueue compares the calendar queue with the plain 4-ary heap on a
// steady population of events re-queued 60-90 s ahead (one pop and one push
// per op).
func BenchmarkQueue(b *testing.B) {
	for _, pending := range []int{15000, 150000} {
		b.Run("calendar/"+strconv.Itoa(pending), func(b *testing.B) {
			e := New(90*time.Second, pending)
			benchQueue(b, pending, e.q.push, e.q.pop)
		})
		b.Run("heap/"+strconv.Itoa(pending), func(b *testing.B) {
			var q queue
			benchQueue(b, pending, q.push, q.pop)
		})
	}
}

func benchQueue(b *testing.B, pending int, push func(Event), pop func() Event) {
	r := NewRand(1, 1)
	seq := uint64(0)
	for i := 0; i < pending; i++ {
		push(Event{At: Time(r.Float64() * 90e9), key: seq << 8})
		seq++
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ev := pop()
		push(Event{At: ev.At + Time(60e9+r.Float64()*30e9), key: seq << 8})
		seq++
	}
}
