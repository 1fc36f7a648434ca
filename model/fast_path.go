package model

import "cmsim/sim"

// The fast path for the pods most clusters are made of: a few consumers,
// each a volume, projected volume or image pull secret of one object (say
// a ConfigMap volume, the kube-api-access volume and a pull secret), never
// deleted, on a node whose kubelet never restarts. Their periodic cycle
// reads one compact record instead of the pod, its consumers, sources and
// slots, which keeps large clusters in the CPU caches. It runs exactly the
// steps of onCycle, in the same order, with the same draws:
// TestFastPathChangesNothing checks that.
//
// The record holds the hot copies of the consumers' state; the general
// path keeps the authoritative copies for everything else. A failed mount
// leaves the fast path for that volume: its retries run on the general
// path (onMountRetry), and mountSucceeded brings the copies back.

// fastMax is the most consumers a fast pod has.
const fastMax = 3

// fastPod is a fast pod's hot state.
type fastPod struct {
	tokenAt sim.Time // the token volume's refresh time (podState.tokenAt)
	pod     int32
	node    int32
	cons    int32 // first consumer; consumer k is cons+k, its one source src+k
	src     int32
	slot    [fastMax]int32
	seen    [fastMax]int32
	busy    [fastMax]sim.Time // each volume's busyUntil
	n       uint8
	pull    uint8 // bit k: consumer k is a pull secret
	failing uint8 // bit k: consumer k's mount failed and waits for its retry
	token   int8  // the token volume's consumer, -1 none
	// While parked (parked_resyncs.go): the start of its next, unaccounted
	// sync, and the generation its slot entries and token wake carry.
	parked   bool
	parkGen  uint32
	parkNext sim.Time
}

// fastEligible reports whether pod p, laid out with its consumers, can take
// the fast path.
func (c *Cluster) fastEligible(p *podState) bool {
	n := p.consEnd - p.consStart
	if n < 1 || n > fastMax || slowPathOnly {
		return false
	}
	for ci := p.consStart; ci < p.consEnd; ci++ {
		cs := &c.consumers[ci]
		if cs.srcEnd != cs.srcStart+1 {
			return false
		}
		switch cs.kind {
		case Volume, Projected, PullSecret:
		default:
			return false
		}
	}
	return true
}

// newFastPod builds pod pi's record.
func (c *Cluster) newFastPod(pi int32) fastPod {
	p := &c.pods[pi]
	fp := fastPod{pod: pi, node: p.node, cons: p.consStart, src: c.consumers[p.consStart].srcStart,
		n: uint8(p.consEnd - p.consStart), token: -1, tokenAt: never}
	w := &c.cfg.Workloads[p.workload]
	for k := int32(0); k < int32(fp.n); k++ {
		cs := &c.consumers[fp.cons+k]
		fp.slot[k] = c.srcSlot[fp.src+k]
		if cs.kind == PullSecret {
			fp.pull |= 1 << k
		}
		if cs.kind == Projected && w.TokenRequests && w.Mounts[cs.mount].Token {
			fp.token = int8(k)
		}
	}
	return fp
}

// scheduleFast queues fast pod f's cycle for a sync starting at tick t,
// refreshing its copies of the pod's state from the general path's.
func (c *partition) scheduleFast(f int32, t sim.Time) {
	fp := &c.fast[f]
	p := &c.pods[fp.pod]
	for k := int32(0); k < int32(fp.n); k++ {
		cs := &c.consumers[fp.cons+k]
		fp.seen[k] = c.srcSeen[fp.src+k]
		fp.busy[k] = cs.busyUntil
		if c.retryAt(fp.cons+k) != 0 {
			fp.failing |= 1 << k
		} else {
			fp.failing &^= 1 << k
		}
	}
	if fp.token >= 0 {
		fp.tokenAt = p.tokenAt
	}
	c.queueFast(f, &c.nodes[fp.node], t)
}

// queueFast queues fast pod f's cycle for a sync starting at tick t, or
// parks the pod if that sync can only read what its files hold
// (parked_resyncs.go).
func (c *partition) queueFast(f int32, n *nodeState, t sim.Time) {
	if c.parking {
		if ok, tokenDue := c.fastParkable(&c.fast[f], t); ok {
			c.parkFast(f, t, tokenDue)
			return
		}
	}
	if at := c.mountTime(n, t); at <= c.end {
		c.eng.Schedule(at, c.evCycleFast, f, 0, 0, 0)
	}
}

// onCycleFast is onCycle for fast pod A.
func (c *partition) onCycleFast(ev sim.Event) {
	fp := &c.fast[ev.A]
	n := &c.nodes[fp.node]
	now := c.eng.Now()
	start := prevTick(n.syncPhase, syncTick, now)
	c.rec.add(c.rec.Syncs, start, 1)
	if c.tracing {
		c.traceSync(fp.pod, start, "resync or PLEG")
	}
	if c.registerEverySync() {
		for k := int32(0); k < int32(fp.n); k++ {
			c.mgr.addReference(fp.slot[k], now) // ≤ 1.28: RegisterPod on every sync
		}
	}
	// getPullSecretsForPod, then the volumes' remounts.
	for k := int32(0); k < int32(fp.n); k++ {
		if fp.pull&(1<<k) == 0 {
			continue
		}
		if s := fp.slot[k]; c.watchReady == nil || c.watchReady[s] < 0 {
			c.read(s, now, waiter{})
		}
	}
	upToDate := true
	for k := int32(0); k < int32(fp.n); k++ {
		if fp.pull&(1<<k) != 0 {
			continue
		}
		if fp.failing&(1<<k) != 0 {
			upToDate = false
			continue // its retry remounts it
		}
		c.rec.add(c.rec.Remounts, now, 1)
		s := fp.slot[k]
		ci := fp.cons + k
		var v int32
		done, ok := now, true
		if c.watchReady != nil && c.watchReady[s] >= 0 {
			v = c.watchReady[s]
		} else {
			var pending bool
			w := waiter{waitMount, ci, c.pods[fp.pod].epoch}
			if v, done, ok, pending = c.read(s, max(now, fp.busy[k]), w); pending {
				c.handOver(ci, now, max(now, fp.busy[k]), fp.src+k, false)
				upToDate = false
				continue
			}
		}
		renewed := false
		if ok && int8(k) == fp.token && done > fp.tokenAt-tokenMaxJitter*sim.Time(1e9) {
			var pending bool
			w := waiter{waitMount, ci, c.pods[fp.pod].epoch}
			if ok, renewed, pending = c.tokenForMount(fp.pod, done, w); pending {
				c.opVer[fp.src+k] = v
				c.handOver(ci, now, done, fp.src+k+2, v > fp.seen[k])
				upToDate = false
				continue
			}
			fp.tokenAt = c.pods[fp.pod].tokenAt
		}
		fp.busy[k] = done
		if c.tracing {
			c.traceRemount(ci, s, now, v, fp.seen[k], done)
		}
		if !ok {
			c.consumers[ci].busyUntil = done
			if c.tracing {
				p := &c.pods[fp.pod]
				c.tracef(done, "%s %s: MountVolume %s failed: files keep their content", c.nodeName(p.node), c.podName(p), c.consumerName(&c.consumers[ci]))
			}
			c.mountFailed(ci, done)
			upToDate = false
			continue
		}
		if SourceChanged(fp.seen[k], v) || renewed {
			c.rec.add(c.rec.VolumeWrites, done, 1)
			c.expose(ci, fp.src+k, v, done)
			fp.seen[k] = max(fp.seen[k], v)
		}
	}
	if now > c.horizon && !keepDraining && upToDate && c.fastUpToDate(fp) {
		return // draining, and this pod's volumes have seen the last writes
	}
	due := start + c.consumerResyncDelay(fp.cons)
	c.queueFast(ev.A, n, nextTick(n.syncPhase, syncTick, due))
}

// fastUpToDate reports whether every volume of fast pod fp holds its
// object's latest version.
func (c *partition) fastUpToDate(fp *fastPod) bool {
	for k := int32(0); k < int32(fp.n); k++ {
		if fp.pull&(1<<k) == 0 && fp.seen[k] < c.version[c.srcObj[fp.src+k]] {
			return false
		}
	}
	return true
}
