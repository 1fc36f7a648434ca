package model

import (
	"math"
	"slices"

	"cmsim/results"
	"cmsim/sim"
)

// objectGroups returns the names of cfg's object groups and each object's
// group. Without Config.ObjectGroups every object is its own group, named
// namespace/name.
func objectGroups(cfg *Config) ([]string, []int32) {
	og := make([]int32, len(cfg.Objects))
	if len(cfg.ObjectGroups) > 0 {
		for i := range cfg.Objects {
			og[i] = cfg.Objects[i].Group
		}
		return cfg.ObjectGroups, og
	}
	names := make([]string, len(cfg.Objects))
	for i := range cfg.Objects {
		og[i] = int32(i)
		names[i] = cfg.Objects[i].Namespace + "/" + cfg.Objects[i].Name
	}
	return names, og
}

// groupOf returns object o's group, or -1 for no object (a TokenRequest).
func (c *Cluster) groupOf(o int32) int32 {
	if o < 0 {
		return -1
	}
	return c.objGroup[o]
}

// groupResults splits the run's samples by workload and by object group:
// latency statistics and never-updated counts, and the requests that can
// be attributed. It runs once per run, after the simulation. pooled are
// the run's latency statistics: a grouping in which only one group
// observed updates gives that group the pooled statistics, without
// sorting its latencies again.
func (c *Cluster) groupResults(rec *Recorder, updates []updateRecord, pooled results.Latency) (byWorkload, byObject []results.Group) {
	nw, ng := len(c.cfg.Workloads), len(c.groupNames)
	wNever, gNever := make([]results.Never, nw), make([]results.Never, ng)
	wCount, gCount := make([]int, nw), make([]int, ng)
	for _, s := range rec.Samples {
		u := &updates[s.Update-1]
		w := c.pods[c.consumers[s.Consumer].pod].workload
		g := c.objGroup[u.obj]
		switch s.Never {
		case NeverEnv:
			wNever[w].Env++
			gNever[g].Env++
		case NeverSubPath:
			wNever[w].SubPath++
			gNever[g].SubPath++
		case NeverImmutable:
			wNever[w].Immutable++
			gNever[g].Immutable++
		default:
			if s.Observed >= 0 {
				wCount[w]++
				gCount[g]++
			}
		}
	}
	several := func(counts []int) bool {
		n := 0
		for _, k := range counts {
			if k > 0 {
				n++
			}
		}
		return n > 1
	}
	var wLat, gLat [][]float64
	if several(wCount) {
		wLat = make([][]float64, nw)
	}
	if several(gCount) {
		gLat = make([][]float64, ng)
	}
	if wLat != nil || gLat != nil {
		for _, s := range rec.Samples {
			if s.Never != NeverNone || s.Observed < 0 {
				continue
			}
			u := &updates[s.Update-1]
			l := s.Observed.Sub(u.at).Seconds()
			if wLat != nil {
				w := c.pods[c.consumers[s.Consumer].pod].workload
				wLat[w] = append(wLat[w], l)
			}
			if gLat != nil {
				g := c.objGroup[u.obj]
				gLat[g] = append(gLat[g], l)
			}
		}
	}
	stats := func(lat [][]float64, counts []int, i int) results.Latency {
		switch {
		case counts[i] == 0:
			return results.Latency{}
		case lat == nil:
			return pooled
		}
		slices.Sort(lat[i])
		return LatencyStats(lat[i])
	}
	secs := c.cfg.Duration.Seconds()
	load := func(gc GroupCounts) results.GroupRequests {
		return results.GroupRequests{GetPerSec: gc.Get / secs, ListPerSec: gc.List / secs,
			WatchRequestsPerSec: gc.Watch / secs, WatchEventsPerSec: gc.WatchEvents / secs}
	}
	// users[g] is the one workload that references group g, -2 when
	// several do, -1 when none does.
	users := make([]int, ng)
	for g := range users {
		users[g] = -1
	}
	for wi := range c.cfg.Workloads {
		for _, m := range c.cfg.Workloads[wi].Mounts {
			for _, o := range m.Objects {
				switch g := c.objGroup[o]; users[g] {
				case -1:
					users[g] = wi
				case wi, -2:
				default:
					users[g] = -2
				}
			}
		}
	}
	byObject = make([]results.Group, ng)
	for g := range byObject {
		byObject[g] = results.Group{Name: c.groupNames[g], LatencySeconds: stats(gLat, gCount, g),
			NeverUpdated: gNever[g], Requests: load(rec.Groups[g])}
	}
	byWorkload = make([]results.Group, nw)
	for wi := range byWorkload {
		var own GroupCounts
		var shared []string
		for g, u := range users {
			switch {
			case u == wi:
				gc := rec.Groups[g]
				own.Get += gc.Get
				own.List += gc.List
				own.Watch += gc.Watch
				own.WatchEvents += gc.WatchEvents
			case u == -2 && c.usesGroup(wi, int32(g)):
				shared = append(shared, c.groupNames[g])
			}
		}
		byWorkload[wi] = results.Group{Name: c.cfg.Workloads[wi].Name, LatencySeconds: stats(wLat, wCount, wi),
			NeverUpdated: wNever[wi], Requests: load(own), SharedObjects: shared}
	}
	return byWorkload, byObject
}

// usesGroup reports whether workload wi mounts any object of group g.
func (c *Cluster) usesGroup(wi int, g int32) bool {
	for _, m := range c.cfg.Workloads[wi].Mounts {
		for _, o := range m.Objects {
			if c.objGroup[o] == g {
				return true
			}
		}
	}
	return false
}

// Loop periods that add to every volume consumer's wait after its sync is
// due: the sync loop's 1 s ticker, then the volume manager's populator and
// reconciler loops (100 ms each).
const loopsDelay = syncTick + 2*reconcilerLoop

// Derive returns the values cfg implies before anything runs: the Cache
// TTL in force at the start and the expected bound on a running pod's
// volume latency (see [results.Derived]).
func Derive(cfg *Config) results.Derived {
	d := results.Derived{
		Strategy:             cfg.Strategy.String(),
		Nodes:                cfg.Nodes,
		SyncFrequencySeconds: cfg.SyncFrequency.Seconds(),
		CacheTTLSource:       "auto",
		CacheTTLSeconds:      TTLForClusterSize(cfg.Nodes).Seconds(),
		SyncWaitMaxSeconds:   1.5 * cfg.SyncFrequency.Seconds(),
		LoopsSeconds:         sim.Time(loopsDelay).Seconds(),
	}
	switch cfg.CacheTTLMode {
	case TTLAbsent:
		d.CacheTTLSource, d.CacheTTLSeconds = "absent", defaultCacheTTL.Seconds()
	case TTLFixed:
		d.CacheTTLSource, d.CacheTTLSeconds = "fixed", cfg.CacheTTL.Seconds()
	}
	d.CacheTTLMaxSeconds = d.CacheTTLSeconds
	d.KubeletVersion = cfg.kubeletRelease().String()
	d.CacheRefetchesEverySync = cfg.Strategy == Cache && resolveBehaviours(cfg.kubeletRelease(), cfg.apiserverRelease()).addReferenceEverySync
	d.LatencyBoundSeconds = d.SyncWaitMaxSeconds + d.LoopsSeconds
	if cfg.Strategy == Cache && !d.CacheRefetchesEverySync {
		d.LatencyBoundSeconds += d.CacheTTLSeconds
	}
	// 1.5 × a whole number of nanoseconds can carry float noise.
	d.LatencyBoundSeconds = math.Round(d.LatencyBoundSeconds*1e9) / 1e9
	return d
}
