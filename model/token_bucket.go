package model

import (
	"time"

	"cmsim/sim"
)

// tokenBucket is a kubelet's client-side rate limiter: client-go's
// flowcontrol.NewTokenBucketRateLimiter(kubeAPIQPS, kubeAPIBurst), a
// golang.org/x/time/rate Limiter that every request but a WATCH's first
// attempt Waits on (rest/request.go tryThrottle). It follows the Limiter's
// reservation arithmetic on virtual time: the bucket starts full, refills at
// qps tokens a second up to burst, and a reservation may take it negative,
// which is the wait.
type tokenBucket struct {
	tokens float64
	last   sim.Time
	used   bool // false: full, never reserved from
}

// reserve takes one token for a request at t and returns how long the
// caller waits for it (Limiter.ReserveN(t, 1).Delay()). The real client
// calls it at increasing times; a model that issues a request "at" a later
// instant than another it issues afterwards (a volume's next read queued
// behind the previous one) is served in the bucket's order: a t before the
// last reservation counts as the last's.
func (b *tokenBucket) reserve(t sim.Time, qps float64, burst int) sim.Time {
	if !b.used {
		b.used, b.tokens, b.last = true, float64(burst), t
	}
	at := max(t, b.last)
	// advance: tokens accrued since last, capped at burst.
	tokens := b.tokens + time.Duration(at-b.last).Seconds()*qps
	tokens = min(tokens, float64(burst))
	tokens--
	var wait sim.Time
	if tokens < 0 {
		wait = sim.Time(float64(time.Second) * (-tokens / qps))
	}
	b.tokens, b.last = tokens, at
	return at - t + wait
}
