package model

import (
	"cmp"
	"fmt"
	"slices"

	"cmsim/sim"
)

// TraceEvent is one step of a traced run: what the kubelets, managers and
// apiserver did, in words, for reading a small scenario's behaviour event by
// event (cmsim run --trace). Tracing is off unless Config.Trace is set; then
// every step below is recorded, which is only sensible for small clusters.
type TraceEvent struct {
	At   sim.Time
	Text string
}

// tracef records a trace line at t. Callers check c.tracing first, so that
// building the arguments costs nothing when tracing is off.
func (c *partition) tracef(t sim.Time, format string, args ...any) {
	c.trace = append(c.trace, TraceEvent{At: t, Text: fmt.Sprintf(format, args...)})
}

// mergeTraces orders the partitions' traces by time; at one instant, by
// partition, then as recorded.
func mergeTraces(parts [][]TraceEvent) []TraceEvent {
	var out []TraceEvent
	for _, p := range parts {
		out = append(out, p...)
	}
	slices.SortStableFunc(out, func(a, b TraceEvent) int { return cmp.Compare(a.At, b.At) })
	return out
}

func (c *Cluster) nodeName(n int32) string { return fmt.Sprintf("node-%d", n) }
