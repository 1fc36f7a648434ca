package model

import (
	"testing"

	"cmsim/results"
)

// TestLatencyRowNames: every row names its pod, node and consumer as
// podName, nodeName and consumerName do, replacements (-rN) included.
func TestLatencyRowNames(t *testing.T) {
	r := run(t, mixedConfig(Watch, false))
	i, replaced := 0, 0
	err := r.EachLatencyRow(0, 0, func(row *results.LatencyRow) error {
		s := r.Recorder.Samples[i]
		i++
		cs := &r.c.consumers[s.Consumer]
		p := &r.c.pods[cs.pod]
		if p.gen > 0 {
			replaced++
		}
		if want := r.c.podName(p); row.Pod != want {
			t.Fatalf("row %d: pod %q, want %q", i, row.Pod, want)
		}
		if want := r.c.consumerName(cs); row.Consumer != want {
			t.Fatalf("row %d: consumer %q, want %q", i, row.Consumer, want)
		}
		if want := r.c.nodeName(p.node); row.Node != want {
			t.Fatalf("row %d: node %q, want %q", i, row.Node, want)
		}
		return nil
	})
	if err != nil || i != len(r.Recorder.Samples) || replaced == 0 {
		t.Fatalf("err %v, %d rows of %d, %d of replaced pods", err, i, len(r.Recorder.Samples), replaced)
	}
}
