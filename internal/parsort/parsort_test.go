package parsort

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSortFuncMatchesSerial: on two goroutines or one, at sizes around the
// parallel threshold and with many equal keys, the result is the serial
// sort's.
func TestSortFuncMatchesSerial(t *testing.T) {
	type pair struct{ k, v int32 }
	byKV := func(a, b pair) int { return cmp.Or(cmp.Compare(a.k, b.k), cmp.Compare(a.v, b.v)) }
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 7, minParallel - 1, minParallel, minParallel + 1, 100_003} {
		for _, keys := range []int32{3, 1 << 30} {
			s := make([]pair, n)
			for i := range s {
				s[i] = pair{rng.Int32N(keys), rng.Int32N(1000)}
			}
			want := slices.Clone(s)
			slices.SortFunc(want, byKV)
			for _, par := range []bool{false, true} {
				got := SortFunc(slices.Clone(s), byKV, par)
				if !slices.Equal(got, want) {
					t.Fatalf("n=%d keys=%d parallel=%v: differs from the serial sort", n, keys, par)
				}
			}
		}
	}
}
