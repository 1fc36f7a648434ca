package sim

import (
	"math"
	"slices"
	"testing"
)

// The draws a model takes from a keyed stream: pod p's resyncs at
// successive instants about 75 s apart.
func keyedDraws(k Keyed, pods, perPod int) []float64 {
	out := make([]float64, 0, pods*perPod)
	for p := 0; p < pods; p++ {
		at := uint64(p) * 7919 // each pod's own phase, ns
		for i := 0; i < perPod; i++ {
			u := k.Float64(uint64(p), at)
			out = append(out, u)
			at += 60e9 + uint64(u*30e9)
		}
	}
	return out
}

func TestKeyedIsUniform(t *testing.T) {
	u := keyedDraws(NewStreams(7).Keyed("resync"), 2000, 50)
	n := float64(len(u))
	// Kolmogorov-Smirnov against U[0, 1): D·sqrt(n) < 1.95 at p = 0.001.
	s := slices.Clone(u)
	slices.Sort(s)
	d := 0.0
	for i, x := range s {
		d = max(d, math.Abs(float64(i+1)/n-x), math.Abs(x-float64(i)/n))
	}
	if d*math.Sqrt(n) > 1.95 {
		t.Errorf("KS statistic %.4f·sqrt(n) = %.3f: not uniform", d, d*math.Sqrt(n))
	}
	// Successive draws of one pod are uncorrelated (lag-1 correlation,
	// 5 standard errors).
	var sxy, sx, sy float64
	m := 0.0
	for i := 0; i+1 < len(u); i++ {
		if (i+1)%50 == 0 {
			continue // the next pod's first draw
		}
		sxy += u[i] * u[i+1]
		sx += u[i]
		sy += u[i+1]
		m++
	}
	cov := sxy/m - (sx/m)*(sy/m)
	if r := cov / (1.0 / 12); math.Abs(r) > 5/math.Sqrt(m) {
		t.Errorf("lag-1 correlation %.4f", r)
	}
}

func TestKeyedDependsOnlyOnItsCoordinates(t *testing.T) {
	k := NewStreams(7).Keyed("resync")
	a := k.Uint64(3, 1e9)
	keyedDraws(k, 100, 10) // other draws in between change nothing
	if b := NewStreams(7).Keyed("resync").Uint64(3, 1e9); a != b {
		t.Fatalf("same coordinates gave %x then %x", a, b)
	}
	if a, b := k.Float64(5, 77), k.Row(5).Float64(77); a != b {
		t.Fatalf("Row(5).Float64(77) = %v, Float64(5, 77) = %v", b, a)
	}
	distinct := map[uint64]string{}
	for name, v := range map[string]uint64{
		"seed7/resync/3/1s": a,
		"seed8/resync/3/1s": NewStreams(8).Keyed("resync").Uint64(3, 1e9),
		"seed7/other/3/1s":  NewStreams(7).Keyed("other").Uint64(3, 1e9),
		"seed7/resync/4/1s": k.Uint64(4, 1e9),
		"seed7/resync/3/2s": k.Uint64(3, 2e9),
		"seed7/resync/1s/3": k.Uint64(1e9, 3),
	} {
		if other, ok := distinct[v]; ok {
			t.Fatalf("%s and %s draw the same value", other, name)
		}
		distinct[v] = name
	}
}
