package model

import (
	"time"

	"cmsim/sim"
)

// The kubelet's token manager (pkg/kubelet/token/token_manager.go): every
// SetUp of a projected volume with a serviceAccountToken source (the
// kube-api-access volume, remounted on every sync) asks it for the pod's
// token. It requests a new one (POST serviceaccounts/NAME/token) when it
// has none, when the cached one is older than 24 h, or when within 20% of
// its TTL of expiring, less a jitter of 0-9 whole seconds drawn on every
// call: for expirationSeconds 3607, 2886 s after issue (~48 min). A failed
// refresh keeps the old token while it is valid; the apiserver's response
// carries the requested 3607 s expiry even when it extends the JWT's.

const (
	tokenExpiration   = sim.Time(3607 * time.Second)         // kube-api-access expirationSeconds
	tokenRefreshAfter = sim.Time((3607 - 721) * time.Second) // exp − 3607·20/100 s
	tokenMaxJitter    = 10                                   // maxJitter, whole seconds
)

// isTokenVolume reports whether consumer ci is its pod's kube-api-access
// volume.
func (c *partition) isTokenVolume(ci int32) bool {
	cs := &c.consumers[ci]
	if cs.kind != Projected {
		return false
	}
	w := &c.cfg.Workloads[c.pods[cs.pod].workload]
	return w.TokenRequests && w.Mounts[cs.mount].Token
}

// tokenForMount is GetServiceAccountToken for pod pi's token volume SetUp
// at t, on behalf of waiter w. It returns false when the pod has no valid
// token and none could be had (the mount fails), whether a new token was
// written, and pending when the TokenRequest waits for the apiserver
// (tokenAnswered goes on).
func (c *partition) tokenForMount(pi int32, t sim.Time, w waiter) (ok, renewed, pending bool) {
	p := &c.pods[pi]
	if p.hasToken && t <= p.tokenAt-tokenMaxJitter*sim.Time(time.Second) {
		return true, false, false // fresh for any jitter
	}
	n := &c.nodes[p.node]
	if p.hasToken && t <= p.tokenAt {
		jitter := sim.Time(n.tokens.IntN(tokenMaxJitter)) * sim.Time(time.Second)
		if t <= p.tokenAt-jitter {
			return true, false, false
		}
	}
	if c.levels != nil {
		_, done, served, pending := c.issueInline(&request{node: p.node, obj: -1, verb: verbCreate, cont: contToken, w: w}, t)
		if pending {
			return false, false, true
		}
		ok, renewed = c.tokenResult(pi, done, served)
		return ok, renewed, false
	}
	at, out, _ := c.send(p.node, verbCreate, 0, -1, false, t)
	ok, renewed = c.tokenResult(pi, at, out == served)
	return ok, renewed, false
}

// tokenResult applies a TokenRequest's answer at t: a new token, or, on
// failure, the old one if it is still valid.
func (c *partition) tokenResult(pi int32, t sim.Time, served bool) (ok, renewed bool) {
	p := &c.pods[pi]
	if served {
		if c.tracing {
			c.tracef(t, "%s %s: TokenRequest: a new service-account token", c.nodeName(p.node), c.podName(p))
		}
		p.hasToken = true
		p.tokenAt = t + tokenRefreshAfter
		return true, true
	}
	return p.hasToken && t < p.tokenAt-tokenRefreshAfter+tokenExpiration, false
}

// tokenAnswered resumes the MountVolume of waiter w with its TokenRequest's
// answer at t.
func (c *partition) tokenAnswered(w waiter, t sim.Time, served bool) {
	cs := &c.consumers[w.id]
	op := c.op(w.id)
	if w.gen != c.pods[cs.pod].epoch || !op.opActive {
		return
	}
	op.opAt = t
	ok, renewed := c.tokenResult(cs.pod, t, served)
	op.opChanged = op.opChanged || renewed
	c.endMount(w.id, ok)
	c.afterMount(w.id)
}
