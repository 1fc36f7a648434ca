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
	} else if d.CacheRefetchesEverySync {
		ttl += "; kubelet " + d.KubeletVersion + " drops the cached objects at every sync, so reads do not wait it out"
	}
	ttl += ")"
	return d.Strategy + ": " + ttl + "; expected latency bound " + BoundText(d)
}

// BoundText gives the expected latency bound term by term: "38.7 s = 1.5 ×
// syncFrequency (7.5 s) + Cache TTL (30 s) + sync tick and volume loops
// (1.2 s)".
func BoundText(d results.Derived) string {
	bound := fmt.Sprintf("%s = 1.5 × syncFrequency (%s)", secs(d.LatencyBoundSeconds), secs(d.SyncWaitMaxSeconds))
	if d.Strategy == "Cache" && !d.CacheRefetchesEverySync {
		bound += " + Cache TTL (" + secs(d.CacheTTLSeconds) + ")"
	}
	return bound + " + sync tick and volume loops (" + secs(d.LoopsSeconds) + ")"
}

// secs formats seconds to a tenth: "91.2 s", "30 s".
func secs(v float64) string {
	return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) + " s"
}
