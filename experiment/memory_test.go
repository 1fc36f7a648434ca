package experiment

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"cmsim/results"
)

// heapAtClose is a LatencySink that discards rows and, when a run closes
// its writer (its model still alive, no other run in flight with one
// worker), records the live heap after a collection.
type heapAtClose struct {
	mu   sync.Mutex
	rows int
	heap []uint64 // by run, in the order they finished
}

func (h *heapAtClose) Open(int) (LatencyRowWriter, error) { return &heapRows{h: h}, nil }

type heapRows struct {
	h    *heapAtClose
	rows int
}

func (w *heapRows) Write(*results.LatencyRow) error { w.rows++; return nil }

func (w *heapRows) Close() error {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	w.h.mu.Lock()
	w.h.rows += w.rows
	w.h.heap = append(w.h.heap, m.HeapAlloc)
	w.h.mu.Unlock()
	return nil
}

// maxHeapPerPoint bounds what a study keeps per finished point: its
// metrics, load rows and latency digest (a histogram of at most
// results.MaxLatencyBins counts and replication 0's spread).
const maxHeapPerPoint = 128 << 10

// TestPeakHeapDoesNotGrowWithPoints: a 40-point study (18,000 latency rows
// per run) holds, once its rows are streamed out, at most maxHeapPerPoint
// more per point than its first 4 points did; keeping the rows would take
// about 200 bytes each, 3.6 MB per point.
func TestPeakHeapDoesNotGrowWithPoints(t *testing.T) {
	freqs := make([]string, 40)
	for i := range freqs {
		freqs[i] = fmt.Sprintf("%ds", 60+i)
	}
	s := load(t, "cluster-size", "cluster.nodes=20", "objects.cfg.count=2", "duration=6m", "replications=1",
		"sweep.cluster.nodes=[20]", "sweep.cluster.kubelet.changeDetectionStrategy=[Watch]",
		"sweep.cluster.kubelet.syncFrequency=["+strings.Join(freqs, ", ")+"]")
	p, err := NewPlan(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Points) != 40 {
		t.Fatalf("%d points, want 40", len(p.Points))
	}
	sink := &heapAtClose{}
	slots, err := p.Execute(context.Background(), p.All(), Options{Workers: 1, Samples: -1, Rows: sink})
	if err != nil {
		t.Fatal(err)
	}
	sm := Summarize(s.Name, s.Seed, p.Replications, p.Params(), slots)
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	after := m.HeapAlloc
	runtime.KeepAlive(slots)
	runtime.KeepAlive(sm)

	rowsPerRun := sink.rows / len(p.Jobs)
	if rowsPerRun < 10000 {
		t.Fatalf("%d rows per run: too few to tell rows from digests", rowsPerRun)
	}
	peak := func(runs []uint64) uint64 {
		var m uint64
		for _, h := range runs {
			m = max(m, h)
		}
		return m
	}
	first, all := peak(sink.heap[:4]), max(peak(sink.heap), after)
	growth := int64(all) - int64(first)
	t.Logf("%d rows per run; live heap %.1f MB over the first 4 runs, %.1f MB over 40 and after summarizing: %.1f KB per further point",
		rowsPerRun, float64(first)/1e6, float64(all)/1e6, float64(growth)/36/1e3)
	if growth > 36*maxHeapPerPoint {
		t.Errorf("the heap grew by %d bytes over 36 more points, more than %d per point", growth, maxHeapPerPoint)
	}
}
