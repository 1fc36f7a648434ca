package model

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"testing"
	"time"

	"cmsim/sim"
)

// faultConfig is a small warm cluster (40 nodes × 10 pods, 30 ConfigMaps)
// with the given faults.
func faultConfig(s Strategy, faults ...FaultRule) *Config {
	cfg := benchConfig(40, 10, 30, 6, s)
	cfg.Duration = 40 * time.Minute
	cfg.Faults = faults
	return cfg
}

func at(d ...time.Duration) Arrivals { return Arrivals{At: d} }

func total(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}

// TestAPIServerRestartRelistsEveryReflector: with one replica, a restart
// ends every watch; each reflector retries until the replica is back, gets
// 410 Gone on its first WATCH to the new watch cache, and relists once: a
// LIST up to 1.34, a WATCH with sendInitialEvents from 1.35.
func TestAPIServerRestartRelistsEveryReflector(t *testing.T) {
	for _, rel := range []Release{{34}, {35}} {
		t.Run(rel.String(), func(t *testing.T) { testAPIServerRestartRelists(t, rel) })
	}
}

func testAPIServerRestartRelists(t *testing.T, rel Release) {
	cfg := faultConfig(Watch, FaultRule{Kind: APIServerRestart, Replica: -1, Downtime: 30 * time.Second, Arrivals: at(20 * time.Minute)})
	cfg.WatchCacheInit = 5 * time.Second
	cfg.KubeletRelease = rel
	r := run(t, cfg)
	open := 0
	for _, sl := range r.c.slots {
		if sl.syncRefs > 0 {
			open++
		}
	}
	rec := r.Recorder
	a := r.Metrics.APIServer
	wantLists := open
	if rel.Minor >= 35 {
		wantLists = 0
	}
	if lists := total(rec.List); lists != float64(wantLists) {
		t.Errorf("LISTs = %v, want %d (%d reflectors open at the restart)", lists, wantLists, open)
	}
	if a.Watch410Total != float64(open) {
		t.Errorf("410s = %v, want %d", a.Watch410Total, open)
	}
	if a.RefusedTotal == 0 || a.Rejected429Total == 0 {
		t.Errorf("refused %v, 429 %v: want both during the outage and the watch cache's initialisation", a.RefusedTotal, a.Rejected429Total)
	}
	ev := r.Metrics.FaultEvents
	if len(ev) != 1 || ev[0].WatchesDropped != float64(open) || ev[0].Relists != float64(open) {
		t.Fatalf("fault events %+v, want %d watches dropped and relisted", ev, open)
	}
	// Back within the outage, the cache's initialisation, and one capped
	// backoff cycle of the reflector (at most 60 s plus 10 Retry-After
	// retries of up to 1 s each).
	if ev[0].RewatchSeconds < 35 || ev[0].RewatchSeconds > 35+60+11+60 {
		t.Errorf("rewatched after %v s", ev[0].RewatchSeconds)
	}
	if ev[0].RecoverySeconds < ev[0].RewatchSeconds {
		t.Errorf("recovery %v s before the rewatch %v s", ev[0].RecoverySeconds, ev[0].RewatchSeconds)
	}
	if a.OpenWatchesPeak != float64(open) {
		t.Errorf("open watches peak %v, want %d", a.OpenWatchesPeak, open)
	}
	checkConverged(t, r)
}

// TestAPIServerRestartOneOfThree: with three replicas, the clients of the
// restarted one reconnect to the others and resume their watches from the
// last bookmark: no relist.
func TestAPIServerRestartOneOfThree(t *testing.T) {
	cfg := faultConfig(Watch, FaultRule{Kind: APIServerRestart, Replica: 0, Downtime: time.Minute, Arrivals: at(20 * time.Minute)})
	cfg.Replicas = 3
	r := run(t, cfg)
	a := r.Metrics.APIServer
	ev := r.Metrics.FaultEvents[0]
	if ev.WatchesDropped == 0 || a.ListPerSec != 0 || a.Watch410Total != 0 || a.RefusedTotal != 0 {
		t.Fatalf("dropped %v, LIST %v/s, 410 %v, refused %v: want watches dropped and resumed elsewhere", ev.WatchesDropped, a.ListPerSec, a.Watch410Total, a.RefusedTotal)
	}
	if ev.RewatchSeconds > 1 {
		t.Errorf("rewatch took %v s, want at once", ev.RewatchSeconds)
	}
	// Replica 0 holds no watch after the restart (no client reconnects to
	// it: the imbalance of kubernetes issue #90725).
	last := r.LoadRows(0, 0)
	end := last[len(last)-1].OpenWatchesByReplica
	if len(end) != 3 || end[0] != 0 || end[1]+end[2] != a.OpenWatchesPeak {
		t.Errorf("open watches by replica at the end %v, want [0, x, y] with x+y = %v", end, a.OpenWatchesPeak)
	}
	checkConverged(t, r)
}

// TestKubeletRestartRelists: a restarted kubelet's managers start empty:
// under Watch one LIST per distinct (node, object) of the restarted nodes
// (1.34; from 1.35 the LIST is the initial-events phase of a WATCH), under
// Cache one etcd GET each.
func TestKubeletRestartRelists(t *testing.T) {
	for _, s := range []Strategy{Watch, Cache} {
		cfg := faultConfig(s, FaultRule{Kind: KubeletRestart, Nodes: Count{Fraction: 0.25}, Downtime: 10 * time.Second, Arrivals: at(20 * time.Minute)})
		cfg.KubeletRelease = Release{34}
		r := run(t, cfg)
		refs := 0
		for n, rs := range r.c.plan.restarts {
			if len(rs) > 0 {
				refs += int(r.c.nodeSlotStart[n+1] - r.c.nodeSlotStart[n])
			}
		}
		if refs == 0 || r.Metrics.FaultEvents[0].Target != "10 nodes" {
			t.Fatalf("%v: %d references restarted, target %q", s, refs, r.Metrics.FaultEvents[0].Target)
		}
		switch s {
		case Watch:
			if got := total(r.Recorder.List); got != float64(refs) {
				t.Errorf("Watch: %v LISTs, want %d", got, refs)
			}
			if ev := r.Metrics.FaultEvents[0]; ev.WatchesDropped != float64(refs) || ev.RewatchSeconds < 10 || ev.RewatchSeconds > 12 {
				t.Errorf("Watch: fault %+v, want %d dropped and re-opened just after the 10 s downtime", ev, refs)
			}
		case Cache:
			if got := total(r.Recorder.GetEtcd); got != float64(refs) {
				t.Errorf("Cache: %v etcd GETs, want %d", got, refs)
			}
		}
		checkConverged(t, r)
	}
}

// TestOutageFailsGets: while every replica is down, Get and Cache make no
// successful GET; the mounts fail and are retried; every consumer
// converges afterwards.
func TestOutageFailsGets(t *testing.T) {
	for _, s := range []Strategy{Get, Cache} {
		cfg := faultConfig(s, FaultRule{Kind: APIServerRestart, Replica: -1, Downtime: 2 * time.Minute, Arrivals: at(20 * time.Minute)})
		r := run(t, cfg)
		rec := r.Recorder
		from, to := int(20*time.Minute/cfg.Bucket), int(22*time.Minute/cfg.Bucket)
		for i := from; i < to; i++ {
			if rec.GetEtcd[i]+rec.GetCache[i] != 0 {
				t.Fatalf("%v: %v GETs served in bucket %d, during the outage", s, rec.GetEtcd[i]+rec.GetCache[i], i)
			}
		}
		if r.Metrics.Kubelet.MountFailuresTotal == 0 || r.Metrics.FaultEvents[0].MountRecoverySeconds < 120 {
			t.Fatalf("%v: %v mount failures, recovered after %v s", s, r.Metrics.Kubelet.MountFailuresTotal, r.Metrics.FaultEvents[0].MountRecoverySeconds)
		}
		checkConverged(t, r)
	}
}

// checkConverged: every volume consumer saw every write, causally and in
// order, and every fault recovered.
func checkConverged(t *testing.T, r *Result) {
	t.Helper()
	type key struct{ cons, obj int32 }
	lastAt := map[key]sim.Time{}
	for _, sm := range r.Recorder.Samples {
		kind := r.c.consumers[sm.Consumer].kind
		if !kind.isVolume() || kind == SubPath || sm.Never != NeverNone {
			continue
		}
		u := r.updates[sm.Update-1]
		if sm.Observed < 0 {
			p := &r.c.pods[r.c.consumers[sm.Consumer].pod]
			if p.deleteAt != never {
				continue // the pod was deleted first
			}
			t.Fatalf("update %d (%v) never reached consumer %d", sm.Update, u.at, sm.Consumer)
		}
		if sm.Observed < u.at {
			t.Fatalf("update %d at %v observed at %v", sm.Update, u.at, sm.Observed)
		}
		k := key{sm.Consumer, u.obj}
		if sm.Observed < lastAt[k] {
			t.Fatalf("consumer %d saw update %d at %v, before an older one (%v)", sm.Consumer, sm.Update, sm.Observed, lastAt[k])
		}
		lastAt[k] = sm.Observed
	}
	for _, e := range r.Metrics.FaultEvents {
		if e.RecoverySeconds < 0 {
			t.Errorf("%s at %v s did not recover", e.Kind, e.AtSeconds)
		}
	}
}

// TestReflectorBackoff: the reflector's waits are U[d, 2d) for d = 0.8 s
// doubling to 30 s, and start again from 0.8 s on the first step more than
// 2 min after the last reset.
func TestReflectorBackoff(t *testing.T) {
	c, err := New(faultConfig(Watch))
	if err != nil {
		t.Fatal(err)
	}
	p := c.newPartition(0, 1, true)
	m := p.mgr.(*watchingManager)
	s := p.slotLo
	p.watchSlots[s].backoffReset = 0
	bases := []float64{0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 30, 30, 30}
	now := sim.Time(0)
	for round := 0; round < 2; round++ {
		for i, b := range bases {
			d := m.backoffStep(s, now).Seconds()
			if d < b || d >= 2*b {
				t.Fatalf("round %d step %d: %v s, want in [%v, %v)", round, i, d, b, 2*b)
			}
			now += sim.Time(time.Second)
		}
		now = p.watchSlots[s].backoffReset + backoffResetAfter + 1 // past the reset interval
	}
}

var failedMount = regexp.MustCompile(`^ *([0-9.]+)s node-0 default/web-0: MountVolume app-config failed`)

// TestMountBackoff: a volume whose mount keeps failing is retried after
// 0.5, 1, 2, ... 64, 122, 122 s, each at the reconciler's next 100 ms loop.
func TestMountBackoff(t *testing.T) {
	cfg := smallConfig(Get, 1, 1, Volume)
	cfg.Duration = 20 * time.Minute
	cfg.Faults = []FaultRule{{Kind: APIServerRestart, Replica: -1, Downtime: 15 * time.Minute, Arrivals: at(2 * time.Minute)}}
	cfg.Trace = true
	r := run(t, cfg)
	var fails []float64
	for _, e := range r.Trace {
		if m := failedMount.FindStringSubmatch(fmt.Sprintf("%11.6fs %s", e.At.Seconds(), e.Text)); m != nil {
			f, _ := strconv.ParseFloat(m[1], 64)
			fails = append(fails, f)
		}
	}
	want := []float64{0.5, 1, 2, 4, 8, 16, 32, 64, 122, 122, 122}
	if len(fails) < len(want)+1 {
		t.Fatalf("%d failures, want at least %d", len(fails), len(want)+1)
	}
	for i, d := range want {
		gap := fails[i+1] - fails[i]
		if gap <= d || gap > d+0.1+1e-6 {
			t.Fatalf("retry %d after %.3f s, want (%v, %v]", i+1, gap, d, d+0.1)
		}
	}
}

// TestTTLChangeReachesEveryNode: nodes joining across the 100-node
// boundary step the TTL controller to 15 s; every node's annotation
// changes at its next status report, within 5 min, and the joining ones at
// once.
func TestTTLChangeReachesEveryNode(t *testing.T) {
	cfg := smallConfig(Cache, 95, 190, Volume)
	cfg.Faults = []FaultRule{{Kind: NodeJoin, Nodes: Count{N: 10}, Arrivals: at(10 * time.Minute)}}
	r := run(t, cfg)
	p := r.c.plan
	join := simAt(10 * time.Minute)
	for n := range p.ttl {
		ch := p.ttl[n]
		if n >= 95 {
			// Annotated on its add event, with the TTL of the moment: the
			// first five joiners get 0, then 15 s with the others.
			if ch[0].at != join {
				t.Fatalf("joining node %d annotated at %v, want %v", n, ch[0].at, join)
			}
			ch = ch[len(ch)-1:]
		}
		if len(ch) != 1 || ch[0].ttl != sim.Time(15*time.Second) {
			t.Fatalf("node %d: TTL changes %v, want one to 15 s", n, ch)
		}
		if ch[0].at < join || ch[0].at > join+nodeReportPeriod {
			t.Fatalf("node %d annotated at %v, want within 5 min after %v", n, ch[0].at, join)
		}
		if got := r.c.nodes[n].cacheTTL; got != sim.Time(15*time.Second) {
			t.Fatalf("node %d ends with TTL %v", n, got)
		}
	}
}

// implicitConfig gives every pod of smallConfig the kube-api-access volume
// (its namespace's kube-root-ca.crt) and one image pull secret.
func implicitConfig(s Strategy, nodes, pods int) *Config {
	cfg := smallConfig(s, nodes, pods, Volume)
	cfg.Objects = append(cfg.Objects,
		Object{Namespace: "default", Name: "kube-root-ca.crt", SizeBytes: 1400},
		Object{Kind: Secret, Namespace: "default", Name: "default-dockercfg", SizeBytes: 2048})
	w := &cfg.Workloads[0]
	w.TokenRequests = true
	w.Mounts = append(w.Mounts,
		Mount{Objects: []int{1}, As: Projected, Name: "kube-api-access", Token: true},
		Mount{Objects: []int{2}, As: PullSecret, Name: "default-dockercfg"})
	return cfg
}

// TestImplicitReferences: with the kube-api-access volume and one pull
// secret, a one-volume pod makes three GETs per sync under Get, and under
// Watch every node watches each of them.
func TestImplicitReferences(t *testing.T) {
	r := run(t, implicitConfig(Get, 20, 400))
	want := 3 * 400 / (1.25*60 + 0.5)
	if got := r.Metrics.APIServer.GetPerSec; math.Abs(got-want)/want > 0.02 {
		t.Errorf("Get: %.3f GET/s, want 3 per sync: %.3f", got, want)
	}
	// A token every 2886 s per pod, more or less a resync.
	tok := r.Metrics.APIServer.TokenRequestsPerSec
	if wantTok := 400 / 2886.0; math.Abs(tok-wantTok)/wantTok > 0.15 {
		t.Errorf("token requests %.4f/s, want about %.4f/s", tok, wantTok)
	}
	w := run(t, implicitConfig(Watch, 20, 400))
	// nodes × (distinct objects + namespaces + pull secrets) = 20 × 3.
	if got := w.Metrics.APIServer.OpenWatchesMean; got != 60 {
		t.Errorf("Watch: %v open watches, want 60", got)
	}
	if sec := w.Metrics.APIServer.RequestsTotal.Secrets.Get; sec != 0 {
		t.Errorf("Watch: %v secret GETs, want none", sec)
	}
}

// TestWarmTokensStationary: the pods of the start hold tokens of every age,
// so token requests come at their steady rate from the first second, one
// per pod every refresh cycle (2886 s less the mean jitter of 4.5 s plus a
// resync's mean residual of 38 s), not in a ramp as the first resyncs find
// the tokens due.
func TestWarmTokensStationary(t *testing.T) {
	const pods = 10000
	r := run(t, implicitConfig(Watch, 100, pods))
	rate := pods / (2886 - 4.5 + 38.0)
	if got := r.Metrics.APIServer.TokenRequestsPerSec; math.Abs(got-rate)/rate > 0.03 {
		t.Errorf("%.3f token requests/s over the hour, want %.3f", got, rate)
	}
	for _, span := range []int{6, 18} { // the first minute, the first three (10 s buckets)
		got := 0.0
		for _, n := range r.Recorder.TokenReqs[:span] {
			got += n
		}
		want := rate * float64(span) * 10
		if math.Abs(got-want) > 4*math.Sqrt(want) {
			t.Errorf("%.0f token requests in the first %d s, want %.0f ± %.0f (4σ)", got, span*10, want, 4*math.Sqrt(want))
		}
	}
}

// churnConfig has every kind of fault and churn at once.
func churnConfig(s Strategy) *Config {
	cfg := mixedConfig(s, false)
	cfg.Duration = 50 * time.Minute
	cfg.Replicas = 2
	cfg.GoawayChance = 0.01
	cfg.Workloads[1].GracePeriod = 30 * time.Second
	cfg.Workloads = append(cfg.Workloads, Workload{Name: "batch", Namespace: "default",
		Job:    &Job{Arrivals: Arrivals{Every: 3 * time.Minute}, Parallelism: 5, RunFor: 4 * time.Minute},
		Mounts: []Mount{{Objects: []int{7}, As: Volume, Name: "b"}}})
	cfg.Faults = []FaultRule{
		{Kind: APIServerRestart, Replica: 0, Downtime: 20 * time.Second, Arrivals: at(8 * time.Minute)},
		{Kind: APIServerRestart, Replica: -1, Downtime: 40 * time.Second, Arrivals: at(15 * time.Minute)},
		{Kind: KubeletRestart, Nodes: Count{Fraction: 0.2}, Spread: time.Minute, Downtime: 5 * time.Second, Arrivals: Arrivals{Every: 12 * time.Minute}},
		{Kind: NodeJoin, Nodes: Count{N: 4}, Spread: 2 * time.Minute, Arrivals: at(25 * time.Minute)},
		{Kind: NodeLeave, Nodes: Count{N: 3}, Arrivals: Arrivals{PoissonPerHour: 3}},
	}
	return cfg
}

// TestChurnConverges: with every fault and churn at once, each strategy
// stays causal and monotonic, every volume consumer converges and every
// fault recovers.
func TestChurnConverges(t *testing.T) {
	for _, s := range strategies {
		t.Run(s.String(), func(t *testing.T) {
			r := run(t, churnConfig(s))
			if len(r.Metrics.FaultEvents) < 6 {
				t.Fatalf("%d fault events", len(r.Metrics.FaultEvents))
			}
			checkConverged(t, r)
		})
	}
}

// TestChurnDeterministicAndPartitionFree: faults and churn keep the same
// seed giving the same results, whatever the partitioning and workers.
func TestChurnDeterministicAndPartitionFree(t *testing.T) {
	defer func(n int) { podsPerPartition = n }(podsPerPartition)
	for _, s := range strategies {
		cfg := churnConfig(s)
		podsPerPartition = 1 << 30
		whole := run(t, cfg)
		again := run(t, cfg)
		podsPerPartition = 40
		cfg.Workers = 3
		split := run(t, cfg)
		if n := len(split.c.partNodes) - 1; n < 6 {
			t.Fatalf("only %d partitions", n)
		}
		a := fmt.Sprint(whole.Metrics, whole.Recorder.Samples, whole.LoadRows(0, 0))
		if a != fmt.Sprint(again.Metrics, again.Recorder.Samples, again.LoadRows(0, 0)) {
			t.Errorf("%v: the same seed gave different results", s)
		}
		if a != fmt.Sprint(split.Metrics, split.Recorder.Samples, split.LoadRows(0, 0)) {
			t.Errorf("%v: partitions changed the results:\n%+v\n%+v", s, whole.Metrics, split.Metrics)
		}
	}
}

// TestFastPodsChangeNothing: pods with the implicit references take the
// multi-consumer fast path; with and without it, through an outage that
// makes their mounts fail, the results are equal.
func TestFastPodsChangeNothing(t *testing.T) {
	for _, s := range strategies {
		cfg := implicitConfig(s, 10, 60)
		cfg.CacheTTLMode, cfg.CacheTTL = TTLFixed, 20*time.Second
		cfg.Duration = 2 * time.Hour // token refreshes too
		cfg.Faults = []FaultRule{{Kind: APIServerRestart, Replica: -1, Downtime: 90 * time.Second, Arrivals: at(20 * time.Minute)}}
		fast := run(t, cfg)
		if len(fast.c.fast) != 60 {
			t.Fatalf("%v: %d fast pods, want 60", s, len(fast.c.fast))
		}
		slowPathOnly = true
		slow := run(t, cfg)
		slowPathOnly = false
		if len(slow.c.fast) != 0 {
			t.Fatalf("%v: fast pods with the fast path off", s)
		}
		if fmt.Sprint(fast.Metrics, fast.Recorder.Samples, fast.LoadRows(0, 0)) != fmt.Sprint(slow.Metrics, slow.Recorder.Samples, slow.LoadRows(0, 0)) {
			t.Errorf("%v: the fast path changed the results:\n%+v\n%+v", s, fast.Metrics, slow.Metrics)
		}
		if s != Watch && fast.Metrics.Kubelet.MountFailuresTotal == 0 {
			t.Errorf("%v: no mount failed", s)
		}
	}
}

// TestJoinedNodesSyncOnce: pods on nodes that join resync as often as the
// others (one cycle each, every 1.25 × syncFrequency + 0.5 s on average).
func TestJoinedNodesSyncOnce(t *testing.T) {
	cfg := benchConfig(20, 10, 30, 6, Watch)
	cfg.Faults = []FaultRule{{Kind: NodeJoin, Nodes: Count{N: 20}, Arrivals: at(5 * time.Minute)}}
	r := run(t, cfg)
	rows := r.LoadRows(0, 0)
	var syncs, podSeconds float64
	for _, row := range rows {
		if row.StartSeconds >= 15*60 {
			syncs += row.SyncsPerSec * 10
			podSeconds += row.Pods * 10
		}
	}
	if rows[len(rows)-1].Pods != 400 {
		t.Fatalf("%v pods at the end, want 400", rows[len(rows)-1].Pods)
	}
	want := 1 / (1.25*60 + 0.5)
	if got := syncs / podSeconds; math.Abs(got-want)/want > 0.03 {
		t.Fatalf("%.5f syncs per pod-second, want %.5f", got, want)
	}
}
