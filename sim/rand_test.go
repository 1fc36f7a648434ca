package sim

import (
	"math"
	"testing"
)

func TestStreamsDeterministicAndIndependent(t *testing.T) {
	draw := func(r *Rand, n int) []uint64 {
		out := make([]uint64, n)
		for i := range out {
			out[i] = r.Uint64()
		}
		return out
	}
	s := NewStreams(42)
	a1 := draw(s.Stream("apiserver"), 5)
	// Drawing heavily from another stream must not shift "apiserver".
	draw(s.Stream("workload"), 1000)
	draw(s.StreamN("node", 3), 1000)
	a2 := draw(NewStreams(42).Stream("apiserver"), 5)
	for i := range a1 {
		if a1[i] != a2[i] {
			t.Fatalf("same seed and name gave different draws: %v vs %v", a1, a2)
		}
	}
	distinct := map[uint64]string{}
	for _, c := range []struct {
		name string
		r    *Rand
	}{
		{"seed42/apiserver", s.Stream("apiserver")},
		{"seed43/apiserver", NewStreams(43).Stream("apiserver")},
		{"seed42/workload", s.Stream("workload")},
		{"seed42/node/0", s.StreamN("node", 0)},
		{"seed42/node/1", s.StreamN("node", 1)},
		{"seed42/pod/0", s.StreamN("pod", 0)},
	} {
		v := c.r.Uint64()
		if other, ok := distinct[v]; ok {
			t.Fatalf("streams %s and %s start with the same value", other, c.name)
		}
		distinct[v] = c.name
	}
}

func TestRandMoments(t *testing.T) {
	r := NewRand(1, 2)
	const n = 200000
	var sumU, sumE, sumN, sumN2 float64
	counts := make([]int, 7)
	for i := 0; i < n; i++ {
		u := r.Float64()
		if u < 0 || u >= 1 {
			t.Fatalf("Float64 out of range: %v", u)
		}
		sumU += u
		sumE += r.Exp()
		x := r.Normal()
		sumN += x
		sumN2 += x * x
		counts[r.IntN(7)]++
	}
	// 5-sigma bounds on the sample means.
	check := func(name string, got, want, sd float64) {
		if math.Abs(got-want) > 5*sd/math.Sqrt(n) {
			t.Errorf("%s mean = %.4f, want %.4f", name, got, want)
		}
	}
	check("uniform", sumU/n, 0.5, math.Sqrt(1.0/12))
	check("exp", sumE/n, 1, 1)
	check("normal", sumN/n, 0, 1)
	check("normal^2", sumN2/n, 1, math.Sqrt2)
	for i, c := range counts {
		p := 1.0 / 7
		if math.Abs(float64(c)/n-p) > 5*math.Sqrt(p*(1-p)/n) {
			t.Errorf("IntN(7) bucket %d has %d of %d", i, c, n)
		}
	}
}

// TestInt64NDrawsWhatIntNDraws: the two give the same value from the same
// stream, so moving a call from one to the other changes no output.
func TestInt64NDrawsWhatIntNDraws(t *testing.T) {
	a, b := NewStreams(7).Stream("x"), NewStreams(7).Stream("x")
	for _, n := range []int64{1, 2, 7, 1000, 60e9, 1<<62 + 5} {
		if n > math.MaxInt {
			continue // a 32-bit platform
		}
		for range 1000 {
			if x, y := a.IntN(int(n)), b.Int64N(n); int64(x) != y {
				t.Fatalf("IntN(%d) = %d, Int64N = %d", n, x, y)
			}
		}
	}
}
