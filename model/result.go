package model

import (
	"cmp"
	"math"
	"strconv"
	"time"

	"cmsim/internal/hugepages"
	"cmsim/internal/parsort"
	"cmsim/results"
	"cmsim/sim"
)

// Result is what one run observed, with the names needed to report it.
type Result struct {
	c       *Cluster
	updates []updateRecord
	// Recorder holds the raw series and samples.
	Recorder *Recorder
	// Metrics are the run's headline figures.
	Metrics results.Metrics
	// Latencies are the observed latencies in seconds, sorted.
	Latencies []float64
	// Events is the number of events the engine ran.
	Events uint64
	// Pods, Consumers and Updates count the run's entities (every pod
	// incarnation and its consumers).
	Pods, Consumers, Updates int
	// Trace holds every step of the run when Config.Trace is set.
	Trace []TraceEvent
}

// result finishes the samples and computes the metrics.
func (c *Cluster) result() *Result {
	rec := newRecorder(c.horizon, c.cfg.Bucket, len(c.plan.faults), max(c.cfg.Replicas, 1), len(c.groupNames))
	var events uint64
	for _, e := range c.partEvents {
		events += e
	}
	rec.merge(c.partRecs)
	c.partRecs = nil
	c.buildSamples(rec)
	r := &Result{c: c, updates: c.updates, Recorder: rec, Events: events,
		Pods: len(c.pods), Consumers: len(c.consumers), Updates: len(c.updates)}
	if c.cfg.Trace {
		r.Trace = mergeTraces(c.partTraces)
	}
	c.partTraces = nil
	var never results.Never
	r.Latencies = hugepages.Make[float64](0, len(rec.Samples))
	for _, s := range rec.Samples {
		switch s.Never {
		case NeverEnv:
			never.Env++
		case NeverSubPath:
			never.SubPath++
		case NeverImmutable:
			never.Immutable++
		default:
			if s.Observed >= 0 {
				r.Latencies = append(r.Latencies, s.Observed.Sub(r.updates[s.Update-1].at).Seconds())
			}
		}
	}
	r.Latencies = parsort.SortFunc(r.Latencies, cmp.Compare[float64], c.cfg.Workers > 1)
	secs := c.cfg.Duration.Seconds()
	sum := func(xs []float64) float64 {
		t := 0.0
		for _, x := range xs {
			t += x
		}
		return t
	}
	nodes := float64(c.cfg.Nodes)
	rejected := 0
	for _, u := range r.updates {
		if u.rejected {
			rejected++
		}
	}
	req := func(res int) results.VerbRates {
		return results.VerbRates{Get: rec.Requests[verbGet][res], List: rec.Requests[verbList][res],
			Watch: rec.Requests[verbWatch][res], Post: rec.Requests[verbCreate][res]}
	}
	r.Metrics = results.Metrics{
		LatencySeconds: LatencyStats(r.Latencies),
		NeverUpdated:   never,
		APIServer: results.APIServer{
			GetPerSec:            (sum(rec.GetEtcd) + sum(rec.GetCache)) / secs,
			GetEtcdPerSec:        sum(rec.GetEtcd) / secs,
			ListPerSec:           sum(rec.List) / secs,
			WatchRequestsPerSec:  sum(rec.WatchReqs) / secs,
			OpenWatchesPeak:      float64(rec.openPeak),
			OpenWatchesMean:      sum(rec.OpenWatchSec) / secs,
			WatchEventsPerSec:    sum(rec.WatchEvents) / secs,
			BookmarksPerSec:      sum(rec.Bookmarks) / secs,
			BytesPerSec:          sum(rec.Bytes) / secs,
			UpdatesPerSec:        sum(rec.Updates) / secs,
			UpdatesRejectedTotal: float64(rejected),
			ByResource: results.ByResource{
				ConfigMaps: resourceLoad(&rec.ByResource[ConfigMap], secs),
				Secrets:    resourceLoad(&rec.ByResource[Secret], secs),
			},
			TokenRequestsPerSec: sum(rec.TokenReqs) / secs,
			RequestsTotal: results.RequestsTotal{
				ConfigMaps: req(resConfigMaps), Secrets: req(resSecrets), Tokens: req(resTokens),
			},
			PeakPerSec:       c.peakPerSec(0, c.horizon),
			RefusedTotal:     sum(rec.Refused),
			Rejected429Total: sum(rec.Rejected),
			Watch410Total:    sum(rec.Gone),
			RejectedPerSec:   sum(rec.Rejected) / secs,
			RejectedAPFTotal: sum(rec.RejectedAPF),
			RetriesPerSec:    sum(rec.Retries) / secs,
			SeatsInUseMean:   sum(rec.SeatsSec) / secs,
			SeatsInUsePeak:   float64(rec.seatsPeak),
			SeatsLimit:       c.seatsLimit(),
			QueuedMean:       sum(rec.QueuedSec) / secs,
			QueuedPeak:       float64(rec.queuedPeak),
			RequestLatency:   rec.requestLatency(),
		},
		Kubelet: results.Kubelet{
			SyncsPerSec:        sum(rec.Syncs) / secs / nodes,
			RemountsPerSec:     sum(rec.Remounts) / secs / nodes,
			VolumeWritesPerSec: sum(rec.VolumeWrites) / secs / nodes,
			MountFailuresTotal: sum(rec.MountFailures),
		},
	}
	r.Metrics.FaultEvents, r.Metrics.Faults = c.faultResults(rec)
	r.Metrics.ByWorkload, r.Metrics.ByObject = c.groupResults(rec, r.updates, r.Metrics.LatencySeconds)
	d := Derive(c.cfg)
	d.CacheTTLMaxSeconds = max(d.CacheTTLSeconds, time.Duration(c.plan.ttlMax).Seconds())
	r.Metrics.Derived = d
	return r
}

// peakPerSec returns each verb's largest count in any one second of
// [from, to].
func (c *Cluster) peakPerSec(from, to sim.Time) results.VerbRates {
	var peak [verbs]uint32
	lo := int(max(from, 0) / sim.Time(time.Second))
	for v := range c.perSecond {
		counts := c.perSecond[v]
		hi := min(int(to/sim.Time(time.Second)), len(counts)-1)
		for i := lo; i <= hi; i++ {
			peak[v] = max(peak[v], counts[i])
		}
	}
	return results.VerbRates{Get: float64(peak[verbGet]), List: float64(peak[verbList]),
		Watch: float64(peak[verbWatch]), Post: float64(peak[verbCreate])}
}

func resourceLoad(r *ResourceCounts, secs float64) results.ResourceLoad {
	return results.ResourceLoad{
		GetPerSec:           (r.GetEtcd + r.GetCache) / secs,
		GetEtcdPerSec:       r.GetEtcd / secs,
		ListPerSec:          r.List / secs,
		WatchRequestsPerSec: r.WatchReqs / secs,
		WatchEventsPerSec:   r.WatchEvents / secs,
	}
}

// buildSamples turns the partitions' exposures into one sample per (update,
// consumer chain), sorted by update then consumer. A chain is a workload
// replica's successive pods: the update counts as observed at the first
// instant any of them exposed its version or a newer one. A chain counts
// the updates committed from its first pod's creation (every update, for
// the pods of the start) until its last pod's deletion; the ones it never
// observed are samples with Observed -1, and a reason when the consumer
// cannot see them at all (env, subPath, immutable).
func (c *Cluster) buildSamples(rec *Recorder) {
	logical := func(ci int32) int32 {
		p := &c.pods[c.consumers[ci].pod]
		return p.chainCons + ci - p.consStart
	}
	type keyed struct {
		key int64 // logical consumer << 24 | source offset
		e   exposure
	}
	n := 0
	for _, b := range rec.exposures {
		n += len(b)
	}
	ex := hugepages.Make[keyed](0, n)
	for _, b := range rec.exposures {
		for _, e := range b {
			off := e.src - c.consumers[e.cons].srcStart
			ex = append(ex, keyed{key: int64(logical(e.cons))<<24 | int64(off), e: e})
		}
	}
	rec.exposures = nil
	// Sorts here run on two goroutines when the run has two workers; each
	// order is total, so the result is the same either way.
	par := c.cfg.Workers > 1
	ex = parsort.SortFunc(ex, func(a, b keyed) int {
		if a.key != b.key {
			return cmp.Compare(a.key, b.key)
		}
		if a.e.at != b.e.at {
			return cmp.Compare(a.e.at, b.e.at)
		}
		if a.e.cons != b.e.cons {
			return cmp.Compare(a.e.cons, b.e.cons)
		}
		return cmp.Compare(a.e.version, b.e.version)
	}, par)
	// The last pod of each chain, by its first pod.
	last := hugepages.Make[int32](len(c.pods), len(c.pods))
	for pi := range c.pods {
		last[pi] = int32(pi)
	}
	for pi := range c.pods {
		p := &c.pods[pi]
		if p.gen == 0 {
			continue
		}
		head := c.consumers[p.chainCons].pod
		if p.gen > c.pods[last[head]].gen {
			last[head] = int32(pi)
		}
	}
	baseline := func(head *podState, o int32) int32 {
		if head.createAt < 0 {
			return 0
		}
		return c.versionAt(o, head.createAt)
	}
	// Most exposures reveal one new version; the rest of the samples are
	// the updates some chain never saw. Sized once: at 2 M pods growing
	// it copied 1 GB.
	samples := hugepages.Make[Sample](0, len(ex)+len(ex)/4)
	// seen[s] is the highest version exposed through the chain's source s
	// (its first pod's), -1 if none.
	seen := hugepages.Make[int32](len(c.srcObj), len(c.srcObj))
	for i := range seen {
		seen[i] = -1
	}
	for i := 0; i < len(ex); {
		key := ex[i].key
		head := &c.pods[c.consumers[int32(key>>24)].pod]
		o := c.srcObj[c.consumers[ex[i].e.cons].srcStart+int32(key&(1<<24-1))]
		maxV := baseline(head, o)
		for ; i < len(ex) && ex[i].key == key; i++ {
			e := ex[i].e
			for k := maxV + 1; k <= e.version; k++ {
				samples = append(samples, Sample{Update: c.versionUpdate[o][k], Consumer: e.cons, Observed: e.at})
			}
			maxV = max(maxV, e.version)
		}
		seen[c.consumers[int32(key>>24)].srcStart+int32(key&(1<<24-1))] = maxV
	}
	// The updates each chain never observed.
	for hi := range c.pods {
		head := &c.pods[hi]
		if head.gen != 0 {
			continue
		}
		lp := &c.pods[last[hi]]
		for ci := head.consStart; ci < head.consEnd; ci++ {
			cs := &c.consumers[ci]
			reason := NeverNone
			switch cs.kind {
			case PullSecret:
				continue
			case Env, EnvFrom:
				reason = NeverEnv
			case SubPath:
				reason = NeverSubPath
			}
			cons := lp.consStart + ci - head.consStart // named after the last pod
			for s := cs.srcStart; s < cs.srcEnd; s++ {
				o := c.srcObj[s]
				from := seen[s]
				if from < 0 {
					from = baseline(head, o)
				}
				to := int32(len(c.versionUpdate[o]) - 1)
				if lp.deleteAt != never {
					to = c.versionAt(o, lp.deleteAt)
				}
				for k := from + 1; k <= to; k++ {
					samples = append(samples, Sample{Update: c.versionUpdate[o][k], Consumer: cons, Observed: -1, Never: reason})
				}
				for _, id := range c.rejected[o] {
					at := c.updates[id-1].at
					if (head.createAt < 0 || at > head.createAt) && (lp.deleteAt == never || at <= lp.deleteAt) {
						samples = append(samples, Sample{Update: id, Consumer: cons, Observed: -1, Never: NeverImmutable})
					}
				}
			}
		}
	}
	samples = parsort.SortFunc(samples, func(a, b Sample) int {
		if a.Update != b.Update {
			return int(a.Update - b.Update)
		}
		if a.Consumer != b.Consumer {
			return int(a.Consumer - b.Consumer)
		}
		return cmp.Or(cmp.Compare(a.Observed, b.Observed), cmp.Compare(a.Never, b.Never))
	}, par)
	rec.Samples = samples
}

// faultResults reports each fault arrival: what it dropped and failed, and
// how long the cluster took to recover.
func (c *Cluster) faultResults(rec *Recorder) ([]results.FaultEvent, results.Faults) {
	fs := c.plan.faults
	sum := results.Faults{Count: float64(len(fs))}
	if len(fs) == 0 {
		return nil, sum
	}
	out := make([]results.FaultEvent, len(fs))
	for i, f := range fs {
		st := &rec.faults[i]
		e := results.FaultEvent{
			Kind: f.kind.String(), AtSeconds: f.at.Seconds(), EndSeconds: f.end.Seconds(),
			WatchesDropped: st.watchesDropped, Relists: st.relists, MountFailures: st.mountFailures,
		}
		switch {
		case f.kind == APIServerRestart && f.replica < 0:
			e.Target = "all replicas"
		case f.kind == APIServerRestart:
			e.Target = "replica " + strconv.Itoa(int(f.replica))
		default:
			e.Target = strconv.Itoa(int(f.nodes)) + " nodes"
		}
		recovered := !st.unrecovered
		since := func(t sim.Time) float64 { return max(t-f.at, 0).Seconds() }
		if st.rewatched >= 0 {
			e.RewatchSeconds = since(st.rewatched)
		}
		if st.mountRecovered >= 0 {
			e.MountRecoverySeconds = since(st.mountRecovered)
		}
		conv, ok := c.convergence(rec.Samples, f.end)
		e.ConvergeSeconds = since(conv)
		recovered = recovered && ok
		end := c.end
		e.RecoverySeconds = -1
		if recovered {
			e.RecoverySeconds = max(e.RewatchSeconds, e.MountRecoverySeconds, e.ConvergeSeconds)
			end = f.at + sim.Time(e.RecoverySeconds*1e9)
		}
		e.PeakPerSec = c.peakPerSec(f.at, min(end, c.horizon))
		out[i] = e
		sum.WatchesDropped += e.WatchesDropped
		sum.Relists += e.Relists
		if sum.RecoverySecondsMax >= 0 {
			if e.RecoverySeconds < 0 {
				sum.RecoverySecondsMax = -1
			} else {
				sum.RecoverySecondsMax = max(sum.RecoverySecondsMax, e.RecoverySeconds)
			}
		}
	}
	return out, sum
}

// convergence returns when every volume consumer held every write committed
// by t (the last sample of each object's latest write up to t), and false
// if some never did.
func (c *Cluster) convergence(samples []Sample, t sim.Time) (sim.Time, bool) {
	last := make(map[int32]int32) // object -> its latest accepted write by t
	for i, u := range c.updates {
		if u.at > t {
			break
		}
		if !u.rejected {
			last[u.obj] = int32(i + 1)
		}
	}
	latest := make(map[int32]bool, len(last)) // update ids that are their object's latest write by t
	for _, id := range last {
		latest[id] = true
	}
	at, ok := sim.Time(0), true
	for _, s := range samples {
		if !latest[s.Update] || !c.consumers[s.Consumer].kind.isVolume() || c.consumers[s.Consumer].kind == SubPath {
			continue
		}
		if s.Observed < 0 {
			if c.pods[c.consumers[s.Consumer].pod].deleteAt == never {
				ok = false // a live pod never saw it
			}
			continue
		}
		at = max(at, s.Observed)
	}
	return at, ok
}

// LatencyStats summarises sorted latencies (nearest-rank percentiles).
func LatencyStats(sorted []float64) results.Latency {
	n := len(sorted)
	if n == 0 {
		return results.Latency{}
	}
	q := func(p float64) float64 {
		i := int(math.Ceil(p*float64(n))) - 1
		return sorted[min(max(i, 0), n-1)]
	}
	sum := 0.0
	for _, x := range sorted {
		sum += x
	}
	return results.Latency{Count: float64(n), Mean: sum / float64(n), P50: q(0.5), P90: q(0.9), P99: q(0.99), Max: sorted[n-1]}
}

// LoadRows returns the load time series as load.csv rows.
func (r *Result) LoadRows(point, replication int) []results.LoadRow {
	rec := r.Recorder
	nodes, pods := r.c.population(rec)
	rows := make([]results.LoadRow, len(rec.GetEtcd))
	for i := range rows {
		start := sim.Time(i) * rec.bucket
		end := min(start+rec.bucket, rec.horizon)
		w := (end - start).Seconds()
		rows[i] = results.LoadRow{
			Point: point, Replication: replication, StartSeconds: start.Seconds(),
			GetEtcdPerSec: rec.GetEtcd[i] / w, GetCachePerSec: rec.GetCache[i] / w,
			ListPerSec: rec.List[i] / w, WatchRequestsPerSec: rec.WatchReqs[i] / w,
			WatchEventsPerSec: rec.WatchEvents[i] / w, BookmarksPerSec: rec.Bookmarks[i] / w,
			OpenWatchesMean: rec.OpenWatchSec[i] / w, OpenWatchesMax: rec.OpenWatchMax[i],
			BytesPerSec: rec.Bytes[i] / w, UpdatesPerSec: rec.Updates[i] / w,
			SyncsPerSec: rec.Syncs[i] / w, RemountsPerSec: rec.Remounts[i] / w,
			VolumeWritesPerSec:  rec.VolumeWrites[i] / w,
			TokenRequestsPerSec: rec.TokenReqs[i] / w, RefusedPerSec: rec.Refused[i] / w,
			Rejected429PerSec: rec.Rejected[i] / w, Watch410PerSec: rec.Gone[i] / w,
			MountFailuresPerSec: rec.MountFailures[i] / w,
			Nodes:               nodes[i], Pods: pods[i],
			RetriesPerSec: rec.Retries[i] / w, RejectedAPFPerSec: rec.RejectedAPF[i] / w,
			SeatsInUseMean: rec.SeatsSec[i] / w, SeatsInUseMax: rec.SeatsMax[i],
			QueuedMean: rec.QueuedSec[i] / w, QueuedMax: rec.QueuedMax[i],
			RequestLatencyMax: rec.LatencyMax[i],
		}
		if n := rec.LatencyCount[i]; n > 0 {
			rows[i].RequestLatencyMean = rec.LatencySum[i] / n / 1e9
		}
		if len(rec.OpenWatchRepSec) > 0 {
			rows[i].OpenWatchesByReplica = make([]float64, len(rec.OpenWatchRepSec))
			for k, s := range rec.OpenWatchRepSec {
				rows[i].OpenWatchesByReplica[k] = s[i] / w
			}
		}
	}
	return rows
}

// population returns the nodes and pods in the cluster at each bucket's
// start.
func (c *Cluster) population(rec *Recorder) (nodes, pods []float64) {
	n := len(rec.GetEtcd)
	nodes, pods = make([]float64, n), make([]float64, n)
	count := func(out []float64, from, to func(i int) sim.Time, items int) {
		delta := make([]float64, n+1)
		for i := 0; i < items; i++ {
			a, b := from(i), to(i)
			ai := 0
			if a > 0 {
				ai = int((a + rec.bucket - 1) / rec.bucket) // first bucket start at or after a
			}
			bi := n
			if b != never {
				bi = min(int((b+rec.bucket-1)/rec.bucket), n)
			}
			if ai < bi {
				delta[ai]++
				delta[bi]--
			}
		}
		run := 0.0
		for i := 0; i < n; i++ {
			run += delta[i]
			out[i] = run
		}
	}
	count(nodes, func(i int) sim.Time { return c.plan.joinAt[i] }, func(i int) sim.Time { return c.plan.leaveAt[i] }, len(c.nodes))
	count(pods, func(i int) sim.Time { return c.pods[i].createAt }, func(i int) sim.Time { return c.pods[i].deleteAt }, len(c.pods))
	return nodes, pods
}

// EachLatencyRow calls fn with every (update, consumer) pair as a
// latencies.csv row, ordered by update then consumer. The row is reused
// between calls.
func (r *Result) EachLatencyRow(point, replication int, fn func(*results.LatencyRow) error) error {
	c := r.c
	var row results.LatencyRow
	row.Point, row.Replication = point, replication
	// Names are built per row, not cached: in a large cluster a consumer
	// appears in about one row (once per update of its objects), so a cache
	// costs more than it saves. Only objects and nodes, which many rows
	// share, are cached.
	objects := make([]string, len(c.cfg.Objects))
	nodes := make([]string, len(c.nodes))
	var name []byte
	// Rows go by update, so their consumers and pods are scattered over
	// arrays of millions: each batch first gathers them in tight loops,
	// whose cache misses overlap, before the rows are built.
	const batch = 256
	var podOf [batch]int32
	var sink int32
	samples := r.Recorder.Samples
	for i, s := range samples {
		if i%batch == 0 {
			next := samples[i:min(i+batch, len(samples))]
			for j := range next {
				podOf[j] = c.consumers[next[j].Consumer].pod
			}
			for j := range next {
				sink |= c.pods[podOf[j]].workload
			}
		}
		u := r.updates[s.Update-1]
		cs := &c.consumers[s.Consumer]
		p := &c.pods[cs.pod]
		row.Update = int(s.Update)
		if objects[u.obj] == "" {
			objects[u.obj] = c.objectName(u.obj)
		}
		row.Object = objects[u.obj]
		row.WrittenAtSeconds = u.at.Seconds()
		w := &c.cfg.Workloads[p.workload]
		row.Workload = w.Name
		name = append(append(append(append(name[:0], w.Namespace...), '/'), w.Name...), '-')
		name = strconv.AppendInt(name, int64(p.index), 10)
		if p.gen > 0 {
			name = strconv.AppendInt(append(name, "-r"...), int64(p.gen), 10)
		}
		row.Pod = string(name) // c.podName(p), without its concatenations
		if row.Node = nodes[p.node]; row.Node == "" {
			row.Node = "node-" + strconv.Itoa(int(p.node))
			nodes[p.node] = row.Node
		}
		row.Consumer = c.consumerName(cs)
		row.ConsumerKind = cs.kind.String()
		row.ObservedAtSeconds, row.LatencySeconds = math.NaN(), math.NaN()
		if s.Observed >= 0 {
			row.ObservedAtSeconds = s.Observed.Seconds()
			row.LatencySeconds = s.Observed.Sub(u.at).Seconds()
		}
		row.NeverUpdated = neverNames[s.Never]
		if err := fn(&row); err != nil {
			return err
		}
	}
	if sink < 0 { // keeps the prefetching loads
		panic("model: negative workload index")
	}
	return nil
}

var neverNames = [...]string{"", results.NeverEnv, results.NeverSubPath, results.NeverImmutable}

func (c *Cluster) objectName(o int32) string {
	ob := &c.cfg.Objects[o]
	return ob.Namespace + "/" + ob.Name
}

// podName names a pod: namespace/workload-index, and -rN for its Nth
// replacement.
func (c *Cluster) podName(p *podState) string {
	w := &c.cfg.Workloads[p.workload]
	name := w.Namespace + "/" + w.Name + "-" + strconv.Itoa(int(p.index))
	if p.gen > 0 {
		name += "-r" + strconv.Itoa(int(p.gen))
	}
	return name
}

// consumerName names a consumer uniquely within its pod: the volume name for
// volumes (the object's name), or kind:entry for the others.
func (c *Cluster) consumerName(cs *consumerState) string {
	m := &c.cfg.Workloads[c.pods[cs.pod].workload].Mounts[cs.mount]
	switch cs.kind {
	case Volume:
		return c.cfg.Objects[m.Objects[cs.member]].Name
	case SubPath:
		return "subPath:" + c.cfg.Objects[m.Objects[cs.member]].Name
	}
	return cs.kind.String() + ":" + m.Name + "#" + strconv.Itoa(int(cs.mount))
}

// requestLatency summarises the recorded request latencies.
func (r *Recorder) requestLatency() results.RequestLatency {
	var all latencyHistogram
	verb := func(v verb) results.VerbLatency {
		h := &r.latencies[v]
		all.merge(&h[0])
		return results.VerbLatency{
			Count: float64(h[0].count), Mean: h[0].mean(), P50: h[0].quantile(0.5), P99: h[0].quantile(0.99), Max: h[0].max.Seconds(),
			ThrottleMean: h[1].mean(), ThrottleP99: h[1].quantile(0.99),
			QueueMean: h[2].mean(), QueueP99: h[2].quantile(0.99),
			ServiceMean: h[3].mean(), ServiceP99: h[3].quantile(0.99),
		}
	}
	out := results.RequestLatency{Get: verb(verbGet), List: verb(verbList), Watch: verb(verbWatch), Post: verb(verbCreate)}
	out.Mean, out.P50, out.P99, out.Max = all.mean(), all.quantile(0.5), all.quantile(0.99), all.max.Seconds()
	return out
}

// seatsLimit is the kubelets' priority level's seats over every replica.
func (c *Cluster) seatsLimit() float64 {
	if c.cfg.Capacity == nil {
		return 0
	}
	return float64(c.cfg.Capacity.Seats * max(c.cfg.Replicas, 1))
}
