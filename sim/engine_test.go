package sim

import (
	"errors"
	"slices"
	"testing"
	"testing/quick"
	"time"
)

func TestEngineOrder(t *testing.T) {
	tests := []struct {
		name string
		at   []Time // scheduled in this order; C records the index
		want []int32
	}{
		{"sorted", []Time{1, 2, 3}, []int32{0, 1, 2}},
		{"reversed", []Time{3, 2, 1}, []int32{2, 1, 0}},
		{"ties keep insertion order", []Time{5, 5, 5, 1, 5}, []int32{3, 0, 1, 2, 4}},
		{"all at zero", []Time{0, 0, 0, 0, 0, 0, 0}, []int32{0, 1, 2, 3, 4, 5, 6}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New(time.Second, 1000)
			var got []int32
			var times []Time
			k := e.Register(func(ev Event) {
				got = append(got, ev.C)
				times = append(times, e.Now())
			})
			for i, at := range tt.at {
				e.Schedule(at, k, 0, 0, int32(i), 0)
			}
			if err := e.RunUntil(MaxTime, 0); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("order = %v, want %v", got, tt.want)
			}
			if !slices.IsSorted(times) {
				t.Errorf("clock went backwards: %v", times)
			}
		})
	}
}

func TestEngineHorizonAndBudget(t *testing.T) {
	e := New(time.Second, 1000)
	n := 0
	var k Kind
	k = e.Register(func(ev Event) {
		n++
		e.After(time.Second, k, 0, 0, 0, 0) // an endless self-rescheduling timer
	})
	e.Schedule(0, k, 0, 0, 0, 0)
	if err := e.RunUntil(At(10*time.Second), 0); err != nil {
		t.Fatal(err)
	}
	if n != 11 || e.Now() != At(10*time.Second) {
		t.Fatalf("ran %d events up to %v, want 11 up to 10s", n, e.Now())
	}
	if e.Pending() != 1 {
		t.Fatalf("pending = %d, want the 11s event left queued", e.Pending())
	}
	err := e.RunUntil(MaxTime, 5)
	var eb *ErrBudget
	if !errors.As(err, &eb) || n != 16 {
		t.Fatalf("err = %v after %d events, want ErrBudget after 16", err, n)
	}
}

func TestEngineSchedulePastPanics(t *testing.T) {
	e := New(time.Second, 1000)
	var k Kind
	k = e.Register(func(ev Event) { e.Schedule(ev.At-1, k, 0, 0, 0, 0) })
	e.Schedule(10, k, 0, 0, 0, 0)
	defer func() {
		if recover() == nil {
			t.Fatal("scheduling in the past did not panic")
		}
	}()
	_ = e.RunUntil(MaxTime, 0)
}

// TestQueueMatchesSort checks the 4-ary heap against a sort reference.
func TestQueueMatchesSort(t *testing.T) {
	f := func(ats []uint8, popEvery uint8) bool {
		var q queue
		var ref []Event
		var got []Event
		for i, a := range ats {
			ev := Event{At: Time(a), key: uint64(i) << 8}
			q.push(ev)
			ref = append(ref, ev)
			if popEvery > 0 && i%int(popEvery) == 0 {
				got = append(got, q.pop())
				slices.SortFunc(ref, cmpEvent)
				if got[len(got)-1] != ref[0] {
					return false
				}
				ref = ref[1:]
			}
		}
		slices.SortFunc(ref, cmpEvent)
		for _, want := range ref {
			if q.pop() != want {
				return false
			}
		}
		return q.len() == 0
	}
	if err := quick.Check(f, &quick.Config{MaxCount: 2000}); err != nil {
		t.Fatal(err)
	}
}

// TestCalendarMatchesSort drives a small calendar (8 buckets of 4 ns) with
// pushes near, in and far beyond the wheel, interleaved with pops, as the
// engine does: never before the last popped time.
func TestCalendarMatchesSort(t *testing.T) {
	f := func(deltas []uint16, popEvery uint8) bool {
		c := newCalendar(2, 8)
		var ref []Event
		now := Time(0)
		seq := uint64(0)
		popOne := func() bool {
			slices.SortFunc(ref, cmpEvent)
			got := c.pop()
			if got != ref[0] || got.At < now {
				return false
			}
			now = got.At
			ref = ref[1:]
			return true
		}
		for i, d := range deltas {
			// Mostly near events, some far beyond the 32 ns span.
			at := now + Time(d%64)
			if d%7 == 0 {
				at = now + Time(d)
			}
			ev := Event{At: at, key: seq << 8}
			seq++
			c.push(ev)
			ref = append(ref, ev)
			if popEvery > 0 && i%int(popEvery) == 0 && !popOne() {
				return false
			}
		}
		for len(ref) > 0 {
			if c.len() != len(ref) || !popOne() {
				return false
			}
		}
		return c.len() == 0
	}
	if err := quick.Check(f, &quick.Config{MaxCount: 3000}); err != nil {
		t.Fatal(err)
	}
}

// TestNewWithoutPendingEvents: an engine that expects no events gets a small
// calendar, not a million 1 µs buckets (a probe of one pod built one per
// test case and spent 30 ms on each).
func TestNewWithoutPendingEvents(t *testing.T) {
	for _, pending := range []int{-1, 0, 1} {
		e := New(time.Minute, pending)
		if n := len(e.q.buckets); n > 1024 {
			t.Errorf("New(1m, %d): %d buckets", pending, n)
		}
	}
}
