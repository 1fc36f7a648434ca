package report

import (
	"fmt"
	"math"
	"strconv"

	"cmsim/results"
)

// DerivedText tells, in one line, what a point's settings imply: the Cache
// TTL in force and the expected latency bound, term by term.
func DerivedText(d results.Derived) string {
	ttl := "Cache TTL " + secs(d.CacheTTLSeconds)
	switch d.CacheTTLSource {
	case "auto":
		ttl += fmt.Sprintf(" (auto: the TTL controller's for %d nodes", d.Nodes)
	case "absent":
		ttl += " (no annotation: the kubelet's default"
	default:
		ttl += " (" + d.CacheTTLSource
	}
	if d.CacheTTLMaxSeconds > d.CacheTTLSeconds {
		ttl += ", up to " + secs(d.CacheTTLMaxSeconds) + " as nodes join"
	}
	if d.Strategy != "Cache" {
		ttl += "; " + d.Strategy + " does not use it"
	}
	ttl += ")"
	bound := fmt.Sprintf("expected latency bound %s = 1.5 × syncFrequency (%s)", secs(d.LatencyBoundSeconds), secs(d.SyncWaitMaxSeconds))
	if d.Strategy == "Cache" {
		bound += " + Cache TTL (" + secs(d.CacheTTLSeconds) + ")"
	}
	bound += " + sync tick and volume loops (" + secs(d.LoopsSeconds) + ")"
	return d.Strategy + ": " + ttl + "; " + bound
}

// secs formats seconds to a tenth: "91.2 s", "30 s".
func secs(v float64) string {
	return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) + " s"
}
