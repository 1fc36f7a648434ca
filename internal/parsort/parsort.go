// Package parsort sorts large slices on two goroutines: each half is
// sorted on its own, then the halves are merged. The result of a run's
// serial tail (its samples, exposures, latencies and the digest's spread)
// is about half sorting; this halves it on two cores.
package parsort

import (
	"slices"
	"sync"

	"cmsim/internal/hugepages"
)

// minParallel is the smallest slice sorted on two goroutines. Below it the
// merge's fresh array costs about what the halved sort saves: at
// bench-watch-150k (84,000 to 100,000 elements a sort) the parallel sorts
// gained nothing and the run's peak RSS grew 18 MB.
const minParallel = 1 << 18

// SortFunc sorts s by cmp and returns the sorted slice: s itself, or a new
// array holding its values (s is then left in no particular order). cmp
// must order every two different values (a strict total order), so that
// the result is the same whether or not the sort ran in parallel.
// parallel false, or a short s, sorts s in place on the calling goroutine.
func SortFunc[T any](s []T, cmp func(a, b T) int, parallel bool) []T {
	if !parallel || len(s) < minParallel {
		slices.SortFunc(s, cmp)
		return s
	}
	mid := len(s) / 2
	left, right := s[:mid], s[mid:]
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		slices.SortFunc(left, cmp)
	}()
	slices.SortFunc(right, cmp)
	wg.Wait()
	out := hugepages.Make[T](len(s), len(s))
	i, j := 0, 0
	for k := range out {
		if j == len(right) || (i < len(left) && cmp(left[i], right[j]) <= 0) {
			out[k] = left[i]
			i++
		} else {
			out[k] = right[j]
			j++
		}
	}
	return out
}
