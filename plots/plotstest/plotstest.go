// Package plotstest builds fixed synthetic results for the tests and examples
// of plots and report. The data come from a seeded PCG, not the simulator:
// they only need to look like a run.
package plotstest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"cmsim/results"
)

// Data is one synthetic run.
type Data struct {
	Summary   results.Summary
	Latencies []results.LatencyRow
	Load      []results.LoadRow
}

// Digests returns the latency digest of each point, as a run keeps them.
func (d *Data) Digests() []results.LatencyDigest {
	out, err := results.DigestRows(d.Latencies, len(d.Summary.Points))
	if err != nil {
		panic(err) // the synthetic rows are valid
	}
	return out
}

// Shape of the synthetic runs.
const (
	Horizon  = 1200.0 // seconds
	Bucket   = 15.0   // load bucket, seconds
	Updates  = 20
	Pods     = 16
	EnvPods  = 2 // pods that read the ConfigMap as env vars
	syncMean = 60.0
	cacheTTL = 60.0
	watchLag = 0.4
	StratKey = "cluster.kubelet.changeDetectionStrategy"
	NodesKey = "cluster.nodes"
	SyncKey  = "cluster.kubelet.syncFrequency"
	SeatsKey = "cluster.apiserver.capacity.seats"
)

// Single returns a one-point Watch run with one replication.
func Single() Data {
	return build("watch-basic", 7, []map[string]string{{StratKey: "Watch", NodesKey: "16"}}, 1)
}

// Sweep returns a run over strategy × nodes (10, 100), three replications each.
func Sweep() Data {
	var params []map[string]string
	for _, n := range []string{"10", "100"} {
		for _, s := range []string{"Get", "Cache", "Watch"} {
			params = append(params, map[string]string{StratKey: s, NodesKey: n, SyncKey: "1m0s"})
		}
	}
	return build("watch-vs-cache-vs-get", 42, params, 3)
}

// BigSweep returns a run over strategy × nodes (10, 100, 1000, 5000), one
// replication each: enough points to crowd a chart.
func BigSweep() Data {
	var params []map[string]string
	for _, s := range []string{"Get", "Cache", "Watch"} {
		for _, n := range []string{"10", "100", "1000", "5000"} {
			params = append(params, map[string]string{StratKey: s, NodesKey: n, SyncKey: "1m0s"})
		}
	}
	return build("cluster-size", 11, params, 1)
}

// EnvOnly returns a one-point run where every consumer reads env vars, so no
// latency is ever observed.
func EnvOnly() Data {
	d := build("env-only", 3, []map[string]string{{StratKey: "Get"}}, 1)
	for i := range d.Latencies {
		r := &d.Latencies[i]
		r.ConsumerKind, r.NeverUpdated = "env", results.NeverEnv
		r.ObservedAtSeconds, r.LatencySeconds = math.NaN(), math.NaN()
	}
	m := &d.Summary.Points[0].Metrics
	m.NeverUpdated.Env += m.LatencySeconds.Count
	m.LatencySeconds = results.Latency{}
	return d
}

// Faults returns a one-point Watch run with three apiserver replicas and a
// bad day: replica 0 restarts at 4 min, every replica at 10 min (refused
// requests, 429s, 410s, a relist storm), 2 nodes leave at 13 min and 4
// kubelets restart at 17 min (mount failures; not recovered by the end).
// Its load rows carry token requests, failures, per-replica watches and
// node counts.
func Faults() Data {
	d := build("bad-day", 5, []map[string]string{{StratKey: "Watch", NodesKey: "400"}}, 1)
	rng := rand.New(rand.NewPCG(5, 0xBAD))
	jitter := func(v float64) float64 { return round6(v * (0.8 + 0.4*rng.Float64())) }
	const nodes, podsPerNode = 400.0, 4.0
	var tokens, refused, r429, r410, mounts float64
	for i := range d.Load {
		r := &d.Load[i]
		t := r.StartSeconds
		r.Nodes, r.Pods = nodes, nodes*podsPerNode
		if t >= 780 {
			r.Nodes = math.Max(nodes-2, nodes-math.Floor((t-780)/30+1))
		}
		if t >= 780 && t < 825 { // the leaving nodes' pods, not yet re-created
			r.Pods -= podsPerNode
		}
		// Replica 0 holds a third of the watches until its restart; the
		// kubelets then stay on replicas 1 and 2 until every replica restarts.
		share := []float64{0.34, 0.33, 0.33}
		if t >= 240 && t < 600 {
			share = []float64{0, 0.5, 0.5}
		}
		switch {
		case t >= 600 && t < 645:
			r.OpenWatchesMean, r.OpenWatchesMax = 0, 0
			r.BookmarksPerSec, r.WatchEventsPerSec = 0, 0
		case t >= 645 && t < 705:
			f := (t - 630) / 75
			r.OpenWatchesMean, r.OpenWatchesMax = round6(nodes*f), round6(nodes*math.Min(1, f+0.2))
		}
		r.OpenWatchesByReplica = []float64{round6(r.OpenWatchesMean * share[0]), round6(r.OpenWatchesMean * share[1]), round6(r.OpenWatchesMean * share[2])}
		r.TokenRequestsPerSec = jitter(r.Pods / 3600 * 0.8)
		switch {
		case t == 240:
			r.WatchRequestsPerSec += jitter(nodes / 3 / Bucket)
		case t >= 600 && t < 630:
			r.RefusedPerSec = jitter(nodes * 2)
		case t >= 630 && t < 645:
			r.Rejected429PerSec = jitter(nodes * 3)
			r.ListPerSec = jitter(nodes / 2)
		case t >= 645 && t < 660:
			r.Watch410PerSec = jitter(nodes / 2)
			r.ListPerSec = jitter(nodes)
			r.WatchRequestsPerSec = jitter(nodes)
		case t >= 660 && t < 705:
			r.ListPerSec = jitter(nodes / 4)
			r.WatchRequestsPerSec = jitter(nodes / 4)
		case t >= 1020 && t < 1110:
			r.TokenRequestsPerSec = jitter(podsPerNode * 4 / 15)
			r.MountFailuresPerSec = jitter(0.2)
			r.ListPerSec = jitter(0.1)
		}
		tokens += r.TokenRequestsPerSec * Bucket
		refused += r.RefusedPerSec * Bucket
		r429 += r.Rejected429PerSec * Bucket
		r410 += r.Watch410PerSec * Bucket
		mounts += r.MountFailuresPerSec * Bucket
	}
	m := &d.Summary.Points[0].Metrics
	a := &m.APIServer
	a.TokenRequestsPerSec = round6(tokens / Horizon)
	a.RefusedTotal, a.Rejected429Total, a.Watch410Total = math.Round(refused), math.Round(r429), math.Round(r410)
	a.PeakPerSec = results.VerbRates{List: 512, Watch: 473, Post: 3}
	m.Kubelet.MountFailuresTotal = math.Round(mounts)
	m.FaultEvents = []results.FaultEvent{
		{Kind: "apiserverRestart", AtSeconds: 240, EndSeconds: 275, Target: "replica 0", WatchesDropped: 136,
			ConvergeSeconds: 71.2, RecoverySeconds: 71.2, PeakPerSec: results.VerbRates{Watch: 136, Post: 2}},
		{Kind: "apiserverRestart", AtSeconds: 600, EndSeconds: 635, Target: "all replicas", WatchesDropped: 400, Relists: 400,
			RewatchSeconds: 104.5, ConvergeSeconds: 139.8, RecoverySeconds: 139.8, PeakPerSec: results.VerbRates{List: 512, Watch: 473, Post: 2}},
		{Kind: "nodeLeave", AtSeconds: 780, EndSeconds: 810, Target: "2 nodes", WatchesDropped: 2,
			RewatchSeconds: 3.1, ConvergeSeconds: 64, RecoverySeconds: 64, PeakPerSec: results.VerbRates{List: 2, Watch: 2, Post: 2}},
		{Kind: "kubeletRestart", AtSeconds: 1020, EndSeconds: 1090, Target: "4 nodes", WatchesDropped: 4, Relists: 4, MountFailures: math.Round(mounts),
			RewatchSeconds: 71, MountRecoverySeconds: -1, ConvergeSeconds: -1, RecoverySeconds: -1, PeakPerSec: results.VerbRates{List: 1, Watch: 1, Post: 3}},
	}
	m.Faults = results.Faults{Count: 4, RecoverySecondsMax: -1, WatchesDropped: 542, Relists: 404}
	return d
}

// Capacity returns a Get run of 100 nodes over the kubelets' priority
// level's seats (2, 4, 16; one replica), one replication each: a storm of
// reads from 5 to 8 min asks for 5 seats, so that 2 seats queue and answer
// 429, 4 seats queue, and 16 seats serve it at once.
func Capacity() Data {
	var params []map[string]string
	for _, seats := range []string{"2", "4", "16"} {
		params = append(params, map[string]string{StratKey: "Get", NodesKey: "100", SyncKey: "1m0s", SeatsKey: seats})
	}
	d := build("apf-seats", 9, params, 1)
	rng := rand.New(rand.NewPCG(9, 0xA9F))
	noise := func(v float64) float64 { return round6(math.Max(0, v*(0.85+0.3*rng.Float64()))) }
	for pi, pp := range params {
		var seats float64
		fmt.Sscan(pp[SeatsKey], &seats)
		a := &d.Summary.Points[pi].APIServer
		var n, gets, getSum, getEtcd, seatSum, seatPeak, queued, queuedPeak, latSum, latMax, r429, retries float64
		for i := range d.Load {
			r := &d.Load[i]
			if r.Point != pi {
				continue
			}
			demand := 0.9 // seats the kubelets' reads ask for
			storm := r.StartSeconds >= 300 && r.StartSeconds < 480
			if storm {
				demand = 5
			}
			r.SeatsInUseMean = round6(math.Min(noise(demand), seats))
			r.SeatsInUseMax = math.Min(seats, math.Ceil(noise(demand*2.2)))
			over := demand - seats
			switch {
			case over > 0:
				r.QueuedMean = noise(over * 12)
				r.QueuedMax = math.Ceil(r.QueuedMean * 1.6)
				r.RequestLatencyMean = noise(over * 0.8)
				r.RequestLatencyMax = math.Min(15, noise(over*5))
			default:
				if r.SeatsInUseMax >= seats {
					r.QueuedMax = math.Ceil(noise(2))
					r.QueuedMean = round6(r.QueuedMax / 40)
				}
				r.RequestLatencyMean = noise(0.006)
				r.RequestLatencyMax = noise(0.12)
			}
			if over > seats/2 {
				r.RejectedAPFPerSec = noise(over * 6)
				r.Rejected429PerSec = r.RejectedAPFPerSec
				r.RetriesPerSec = round6(r.RejectedAPFPerSec * 0.96)
			}
			// The GETs served follow the seats in use.
			r.GetEtcdPerSec = round6(r.GetEtcdPerSec * r.SeatsInUseMean / 0.9)
			n++
			gets += (r.GetEtcdPerSec + r.GetCachePerSec) * Bucket
			getSum += r.GetEtcdPerSec + r.GetCachePerSec
			getEtcd += r.GetEtcdPerSec
			seatSum += r.SeatsInUseMean
			seatPeak = math.Max(seatPeak, r.SeatsInUseMax)
			queued += r.QueuedMean
			queuedPeak = math.Max(queuedPeak, r.QueuedMax)
			latSum += r.RequestLatencyMean * (r.GetEtcdPerSec + r.GetCachePerSec) * Bucket
			latMax = math.Max(latMax, r.RequestLatencyMax)
			r429 += r.RejectedAPFPerSec * Bucket
			retries += r.RetriesPerSec * Bucket
		}
		a.GetPerSec, a.GetEtcdPerSec = round6(getSum/n), round6(getEtcd/n)
		a.SeatsInUseMean, a.SeatsInUsePeak = round6(seatSum/n), seatPeak
		a.QueuedMean, a.QueuedPeak = round6(queued/n), queuedPeak
		a.RejectedPerSec, a.RetriesPerSec = round6(r429/Horizon), round6(retries/Horizon)
		a.Rejected429Total, a.RejectedAPFTotal = math.Round(r429), math.Round(r429)
		p99 := map[float64]float64{2: 9.8, 4: 1.6, 16: 0.058}[seats]
		queueP99 := map[float64]float64{2: 9.7, 4: 1.5, 16: 0}[seats]
		mean := round6(latSum / gets)
		a.RequestLatency = results.RequestLatency{Mean: mean, P50: 0.0021, P99: p99, Max: latMax}
		a.RequestLatency.Get = results.VerbLatency{
			Count: math.Round(gets), Mean: mean, P50: 0.0021, P99: p99, Max: latMax,
			QueueP99: queueP99, ServiceMean: 0.0062, ServiceP99: 0.066,
		}
		if queueP99 > 0 {
			a.RequestLatency.Get.QueueMean = round6(mean * 0.9)
		}
		a.RequestLatency.Post = results.VerbLatency{
			Count: 19, Mean: 0.0041, P50: 0.0034, P99: 0.012, Max: 0.013, ServiceMean: 0.0041, ServiceP99: 0.012,
		}
	}
	return d
}

func build(name string, seed uint64, params []map[string]string, reps int) Data {
	rng := rand.New(rand.NewPCG(seed, 0xC0FFEE))
	d := Data{Summary: results.Summary{Scenario: name, Seed: seed}}
	for pi, pp := range params {
		strat := pp[StratKey]
		nodes := 16.0
		if v, ok := pp[NodesKey]; ok {
			fmt.Sscan(v, &nodes)
		}
		var per []results.Metrics
		for rep := range reps {
			var lats []float64
			var never float64
			for u := 1; u <= Updates; u++ {
				written := (float64(u) - 0.5) * Horizon / Updates * (0.9 + 0.2*rng.Float64())
				for pod := range Pods {
					row := results.LatencyRow{
						Point: pi, Replication: rep, Update: u,
						Object:           "default/app-config",
						WrittenAtSeconds: round6(written),
						Pod:              fmt.Sprintf("default/app-%d", pod),
						Node:             fmt.Sprintf("node-%d", pod%4),
						Consumer:         "config", ConsumerKind: "volume",
					}
					if pod < EnvPods {
						row.Consumer, row.ConsumerKind, row.NeverUpdated = "env", "env", results.NeverEnv
						row.ObservedAtSeconds, row.LatencySeconds = math.NaN(), math.NaN()
						never++
					} else {
						lat := rng.Float64() * syncMean * 1.1
						switch strat {
						case "Cache":
							lat += rng.Float64() * cacheTTL
						case "Watch":
							lat += rng.ExpFloat64() * watchLag
						default:
							lat += rng.ExpFloat64() * 0.05
						}
						if rng.IntN(40) == 0 { // a straggler
							lat += 60 + 60*rng.Float64()
						}
						lat = round6(lat)
						row.LatencySeconds = lat
						row.ObservedAtSeconds = round6(written + lat)
						lats = append(lats, lat)
					}
					d.Latencies = append(d.Latencies, row)
				}
			}
			m := results.Metrics{}
			m.LatencySeconds = latencyOf(lats)
			m.NeverUpdated.Env = never
			m.APIServer = load(&d, rng, pi, rep, strat, nodes)
			m.Kubelet.SyncsPerSec = float64(Pods) / syncMean
			per = append(per, m)
		}
		pt := results.Point{Params: pp, Metrics: mean(per)}
		if reps > 1 {
			pt.Replications = reps
			ci := halfWidth(per, pt.Metrics)
			pt.CI95 = &ci
		}
		d.Summary.Points = append(d.Summary.Points, pt)
	}
	return d
}

// load appends the load rows of one run and returns their means.
func load(d *Data, rng *rand.Rand, point, rep int, strat string, nodes float64) results.APIServer {
	var sum results.APIServer
	n := 0
	for t := 0.0; t < Horizon; t += Bucket {
		r := results.LoadRow{Point: point, Replication: rep, StartSeconds: t}
		noise := func(v float64) float64 { return round6(math.Max(0, v*(0.85+0.3*rng.Float64()))) }
		switch strat {
		case "Get":
			r.GetEtcdPerSec = noise(nodes * 4 / syncMean)
			r.GetCachePerSec = noise(nodes * 0.5 / syncMean)
		case "Cache":
			r.GetEtcdPerSec = noise(nodes / cacheTTL)
			r.GetCachePerSec = noise(nodes * 0.2 / cacheTTL)
		case "Watch":
			if t == 0 {
				r.ListPerSec = noise(nodes / Bucket)
				r.WatchRequestsPerSec = noise(nodes / Bucket)
			} else if rng.IntN(10) == 0 {
				r.WatchRequestsPerSec = noise(nodes / 300)
			}
			r.OpenWatchesMean = nodes
			r.OpenWatchesMax = nodes
			if t == 0 {
				r.OpenWatchesMean = nodes / 2
			}
			r.WatchEventsPerSec = noise(nodes * Updates / Horizon)
			r.BookmarksPerSec = noise(nodes / 60)
		}
		r.UpdatesPerSec = Updates / Horizon
		r.SyncsPerSec = Pods / syncMean
		d.Load = append(d.Load, r)
		sum.GetPerSec += r.GetEtcdPerSec + r.GetCachePerSec
		sum.GetEtcdPerSec += r.GetEtcdPerSec
		sum.ListPerSec += r.ListPerSec
		sum.WatchRequestsPerSec += r.WatchRequestsPerSec
		sum.OpenWatchesMean += r.OpenWatchesMean
		sum.OpenWatchesPeak = math.Max(sum.OpenWatchesPeak, r.OpenWatchesMax)
		sum.WatchEventsPerSec += r.WatchEventsPerSec
		sum.BookmarksPerSec += r.BookmarksPerSec
		n++
	}
	k := float64(n)
	sum.GetPerSec /= k
	sum.GetEtcdPerSec /= k
	sum.ListPerSec /= k
	sum.WatchRequestsPerSec /= k
	sum.OpenWatchesMean /= k
	sum.WatchEventsPerSec /= k
	sum.BookmarksPerSec /= k
	sum.UpdatesPerSec = Updates / Horizon
	return sum
}

func latencyOf(v []float64) results.Latency {
	if len(v) == 0 {
		return results.Latency{}
	}
	v = slices.Clone(v)
	slices.Sort(v)
	q := func(p float64) float64 { return v[max(0, int(math.Ceil(p*float64(len(v))))-1)] }
	s := 0.0
	for _, x := range v {
		s += x
	}
	return results.Latency{Count: float64(len(v)), Mean: s / float64(len(v)), P50: q(0.5), P90: q(0.9), P99: q(0.99), Max: v[len(v)-1]}
}

// fields lists every metric of m, for averaging.
func fields(m *results.Metrics) []*float64 {
	l, a := &m.LatencySeconds, &m.APIServer
	return []*float64{
		&l.Count, &l.Mean, &l.P50, &l.P90, &l.P99, &l.Max,
		&m.NeverUpdated.Env, &m.NeverUpdated.SubPath, &m.NeverUpdated.Immutable,
		&a.GetPerSec, &a.GetEtcdPerSec, &a.ListPerSec, &a.WatchRequestsPerSec, &a.OpenWatchesPeak,
		&a.OpenWatchesMean, &a.WatchEventsPerSec, &a.BookmarksPerSec, &a.BytesPerSec, &a.UpdatesPerSec,
		&a.UpdatesRejectedTotal, &m.Kubelet.SyncsPerSec, &m.Kubelet.RemountsPerSec, &m.Kubelet.VolumeWritesPerSec,
	}
}

func mean(ms []results.Metrics) results.Metrics {
	var out results.Metrics
	dst := fields(&out)
	for i := range ms {
		for j, f := range fields(&ms[i]) {
			*dst[j] += *f / float64(len(ms))
		}
	}
	return out
}

// halfWidth is a t-based 95% half-width (t = 4.30 for 3 replications).
func halfWidth(ms []results.Metrics, mu results.Metrics) results.Metrics {
	var out results.Metrics
	dst, mf := fields(&out), fields(&mu)
	n := float64(len(ms))
	for i := range ms {
		for j, f := range fields(&ms[i]) {
			*dst[j] += (*f - *mf[j]) * (*f - *mf[j]) / (n - 1)
		}
	}
	for _, f := range dst {
		*f = 4.303 * math.Sqrt(*f/n)
	}
	return out
}

func round6(v float64) float64 { return math.Round(v*1e6) / 1e6 }
