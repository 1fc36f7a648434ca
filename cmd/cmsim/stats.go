package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"
)

// heapSampler records the peak of the Go heap's live and not-yet-swept
// objects while a run goes on, sampling every 10 ms (Go keeps no peak).
type heapSampler struct {
	done chan struct{}
	peak chan uint64
}

func startHeapSampler() *heapSampler {
	h := &heapSampler{done: make(chan struct{}), peak: make(chan uint64, 1)}
	go func() {
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		var peak uint64
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value; v.Kind() == metrics.KindUint64 {
				peak = max(peak, v.Uint64())
			}
			select {
			case <-h.done:
				h.peak <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return h
}

// stop ends the sampling and returns the peak in bytes.
func (h *heapSampler) stop() uint64 {
	close(h.done)
	return <-h.peak
}

// printStats prints the --stats line: events, their rate over the
// simulation's wall time (outputs not included), the wall time of writing
// the outputs and of the charts and report among them, the sampled peak
// heap and the process's peak RSS.
func printStats(w io.Writer, events uint64, wall, outputs, charts time.Duration, heap *heapSampler) {
	peakHeap := "unknown"
	if heap != nil {
		peakHeap = fmt.Sprintf("%.1f MB", float64(heap.stop())/1e6)
	}
	fmt.Fprintf(w, "stats: events %d, %.3g events/s, simulation wall time %.3fs, outputs %.3fs (charts and report %.3fs), peak heap %s (sampled every 10 ms), peak RSS %s\n",
		events, float64(events)/math.Max(wall.Seconds(), 1e-9), wall.Seconds(), outputs.Seconds(), charts.Seconds(), peakHeap, peakRSS())
}

// peakRSS reads the process's peak resident set size (Linux VmHWM).
func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err == nil {
				return fmt.Sprintf("%.1f MB", float64(kb)/1e3)
			}
		}
	}
	return "unknown"
}
