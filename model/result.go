package model

import (
	"math"
	"slices"
	"strconv"

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
	// Pods, Consumers and Updates count the run's entities.
	Pods, Consumers, Updates int
	// Trace holds every step of the run when Config.Trace is set.
	Trace []TraceEvent
}

// result finishes the samples and computes the metrics.
func (c *Cluster) result() *Result {
	rec := newRecorder(c.horizon, c.cfg.Bucket)
	var events uint64
	for _, e := range c.partEvents {
		events += e
	}
	rec.merge(c.partRecs)
	c.partRecs = nil
	// Every partition replayed the same writes; the first one's record
	// stands for the apiserver's.
	c.finishSamples(rec, c.apiObjects)
	slices.SortFunc(rec.Samples, func(a, b Sample) int {
		if a.Update != b.Update {
			return int(a.Update - b.Update)
		}
		return int(a.Consumer - b.Consumer)
	})
	r := &Result{c: c, updates: c.apiUpdates, Recorder: rec, Events: events,
		Pods: len(c.pods), Consumers: len(c.consumers), Updates: len(c.apiUpdates)}
	if c.cfg.Trace {
		r.Trace = mergeTraces(c.partTraces)
	}
	c.partTraces = nil
	var never results.Never
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
	slices.Sort(r.Latencies)
	secs := c.cfg.Duration.Seconds()
	sum := func(xs []float64) float64 {
		t := 0.0
		for _, x := range xs {
			t += x
		}
		return t
	}
	nodes := float64(len(c.nodes))
	rejected := 0
	for _, u := range r.updates {
		if u.rejected {
			rejected++
		}
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
		},
		Kubelet: results.Kubelet{
			SyncsPerSec:        sum(rec.Syncs) / secs / nodes,
			RemountsPerSec:     sum(rec.Remounts) / secs / nodes,
			VolumeWritesPerSec: sum(rec.VolumeWrites) / secs / nodes,
		},
	}
	return r
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

// finishSamples adds a sample for every (update, consumer) pair not observed
// by the end of the run: never (env, subPath, immutable) or not yet.
func (c *Cluster) finishSamples(rec *Recorder, objects []objectState) {
	for ci := range c.consumers {
		cs := &c.consumers[ci]
		for s := cs.srcStart; s < cs.srcEnd; s++ {
			o := &objects[c.srcObj[s]]
			for _, id := range o.rejected {
				rec.Samples = append(rec.Samples, Sample{Update: id, Consumer: int32(ci), Observed: -1, Never: NeverImmutable})
			}
			from, reason := c.srcSeen[s], NeverNone
			switch cs.kind {
			case Env, EnvFrom:
				reason = NeverEnv
			case SubPath:
				from, reason = cs.baked, NeverSubPath
			}
			for k := max(from+1, 1); k <= o.version; k++ {
				rec.Samples = append(rec.Samples, Sample{Update: o.versionUpdate[k], Consumer: int32(ci), Observed: -1, Never: reason})
			}
		}
	}
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
			VolumeWritesPerSec: rec.VolumeWrites[i] / w,
		}
	}
	return rows
}

// EachLatencyRow calls fn with every (update, consumer) pair as a
// latencies.csv row, ordered by update then consumer. The row is reused
// between calls.
func (r *Result) EachLatencyRow(point, replication int, fn func(*results.LatencyRow) error) error {
	c := r.c
	var row results.LatencyRow
	row.Point, row.Replication = point, replication
	// Each name is built once and shared by every row that uses it: a
	// consumer appears once per update of its objects.
	objects := make([]string, len(c.cfg.Objects))
	pods := map[int32]string{}
	nodes := map[int32]string{}
	consumers := map[int32]string{}
	for _, s := range r.Recorder.Samples {
		u := r.updates[s.Update-1]
		cs := &c.consumers[s.Consumer]
		p := &c.pods[cs.pod]
		row.Update = int(s.Update)
		if objects[u.obj] == "" {
			objects[u.obj] = c.objectName(u.obj)
		}
		row.Object = objects[u.obj]
		row.WrittenAtSeconds = u.at.Seconds()
		if row.Pod = pods[cs.pod]; row.Pod == "" {
			row.Pod = c.podName(p)
			pods[cs.pod] = row.Pod
		}
		if row.Node = nodes[p.node]; row.Node == "" {
			row.Node = "node-" + strconv.Itoa(int(p.node))
			nodes[p.node] = row.Node
		}
		if row.Consumer = consumers[s.Consumer]; row.Consumer == "" {
			row.Consumer = c.consumerName(cs)
			consumers[s.Consumer] = row.Consumer
		}
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
	return nil
}

var neverNames = [...]string{"", results.NeverEnv, results.NeverSubPath, results.NeverImmutable}

func (c *Cluster) objectName(o int32) string {
	ob := &c.cfg.Objects[o]
	return ob.Namespace + "/" + ob.Name
}

func (c *Cluster) podName(p *podState) string {
	w := &c.cfg.Workloads[p.workload]
	return w.Namespace + "/" + w.Name + "-" + strconv.Itoa(int(p.index))
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
