package model

import (
	"fmt"
	"testing"
	"time"
)

// TestSlotsInParallelChunks: a cluster of three chunks of nodes and two of
// pods, built on 1 and 3 workers, lays its pods out in node order with
// contiguous consumers and sources, and gets the slots a single pass over
// its nodes gives (one per node and referenced object, in order of first
// reference).
func TestSlotsInParallelChunks(t *testing.T) {
	for _, workers := range []int{1, 3} {
		cfg := benchConfig(9000, 8, 50, 1, Watch)
		cfg.Duration = time.Minute
		cfg.Workers = workers
		c, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.pods) != 72000 {
			t.Fatalf("%d pods", len(c.pods))
		}
		ci, si := int32(0), int32(0)
		for pi := range c.pods {
			p := &c.pods[pi]
			if p.consStart != ci || p.consEnd != ci+1 || (pi > 0 && p.node < c.pods[pi-1].node) {
				t.Fatalf("workers %d: pod %d: consumers [%d, %d) on node %d, want [%d, %d) in node order", workers, pi, p.consStart, p.consEnd, p.node, ci, ci+1)
			}
			cs := &c.consumers[ci]
			if cs.pod != int32(pi) || cs.srcStart != si || cs.srcEnd != si+1 || c.srcObj[si] < 0 || int(c.srcObj[si]) >= len(cfg.Objects) {
				t.Fatalf("workers %d: consumer %d: %+v, source %d", workers, ci, *cs, si)
			}
			ci, si = ci+1, si+1
		}
		var want []slot
		srcSlot := make([]int32, len(c.srcObj))
		for n := range c.nodes {
			if got := c.nodeSlotStart[n]; int(got) != len(want) {
				t.Fatalf("workers %d: node %d starts at slot %d, want %d", workers, n, got, len(want))
			}
			local := map[int32]int32{}
			for pi := c.nodePodStart[n]; pi < c.nodePodStart[n+1]; pi++ {
				p := &c.pods[pi]
				for ci := p.consStart; ci < p.consEnd; ci++ {
					for s := c.consumers[ci].srcStart; s < c.consumers[ci].srcEnd; s++ {
						o := c.srcObj[s]
						si, ok := local[o]
						if !ok {
							si = int32(len(want))
							local[o] = si
							want = append(want, slot{node: int32(n), obj: o, syncRefs: 0, refs: 0})
						}
						srcSlot[s] = si
						want[si].syncRefs++
						want[si].refs++ // one volume per pod here
					}
				}
			}
		}
		if fmt.Sprint(c.slots) != fmt.Sprint(want) || fmt.Sprint(c.srcSlot) != fmt.Sprint(srcSlot) {
			t.Errorf("workers %d: slots differ from a single pass over the nodes", workers)
		}
	}
}
