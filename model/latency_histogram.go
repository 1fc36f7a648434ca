package model

import (
	"math/bits"

	"cmsim/sim"
)

// latencyHistogram counts request latencies in log-spaced bins: 16 per
// doubling (each bin 4.4% wide), from 1 ns to beyond any run's length, so
// percentiles are exact to ±2.2% with a few integer operations per request.
// Max and sum are exact.
type latencyHistogram struct {
	bins  [64 * 16]uint32
	count uint64
	sum   sim.Time
	max   sim.Time
}

// histBin returns the bin of a duration d >= 0.
func histBin(d sim.Time) int {
	x := uint64(d)
	if x < 32 {
		return int(x) // exact below 32 ns
	}
	e := bits.Len64(x) - 1 // x in [2^e, 2^(e+1))
	sub := (x >> (e - 4)) & 15
	return e*16 + int(sub)
}

// binMid returns the geometric middle of bin b.
func binMid(b int) float64 {
	if b < 32 {
		return float64(b)
	}
	e, sub := b/16, b%16
	lo := float64(uint64(1)<<e) * (1 + float64(sub)/16)
	hi := float64(uint64(1)<<e) * (1 + float64(sub+1)/16)
	return (lo + hi) / 2
}

func (h *latencyHistogram) add(d sim.Time) {
	if d <= 0 {
		h.bins[0]++
		h.count++
		return
	}
	h.bins[histBin(d)]++
	h.count++
	h.sum += d
	h.max = max(h.max, d)
}

func (h *latencyHistogram) merge(o *latencyHistogram) {
	for i, n := range o.bins {
		h.bins[i] += n
	}
	h.count += o.count
	h.sum += o.sum
	h.max = max(h.max, o.max)
}

// quantile returns the q-quantile in seconds (nearest rank, the bin's
// middle; the maximum for the last rank).
func (h *latencyHistogram) quantile(q float64) float64 {
	if h.count == 0 {
		return 0
	}
	rank := uint64(q*float64(h.count) + 0.999999999)
	rank = min(max(rank, 1), h.count)
	if rank == h.count {
		return h.max.Seconds()
	}
	var seen uint64
	for b, n := range h.bins {
		seen += uint64(n)
		if seen >= rank {
			return min(binMid(b)/1e9, h.max.Seconds())
		}
	}
	return h.max.Seconds()
}

func (h *latencyHistogram) mean() float64 {
	if h.count == 0 {
		return 0
	}
	return h.sum.Seconds() / float64(h.count)
}
