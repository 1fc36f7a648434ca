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
