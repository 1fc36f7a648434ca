package model

import (
	"fmt"
	"math"
	"testing"
	"time"
)

// benchConfig is the canonical workload of ../shared/bench at a given size.
func benchConfig(nodes, podsPerNode, configMaps int, updatesPerMinute float64, s Strategy) *Config {
	cfg := &Config{
		Seed: 1, Duration: time.Hour, Nodes: nodes,
		SyncFrequency: time.Minute, Strategy: s,
		GetLatency: Dist{Kind: Exponential, A: 0.005},
		WatchDelay: Dist{Kind: Exponential, A: 0.05},
		Bucket:     10 * time.Second,
	}
	group := make([]int, configMaps)
	for i := range group {
		group[i] = i
		cfg.Objects = append(cfg.Objects, Object{Namespace: "default", Name: fmt.Sprintf("cm-%d", i), SizeBytes: 1024})
	}
	cfg.Workloads = []Workload{{Name: "app", Namespace: "default", PodsPerNode: podsPerNode,
		Mounts: []Mount{{Objects: group, Select: SelectRandom, As: Volume, Name: "cm"}}}}
	cfg.Updates = []UpdateRule{{Targets: group, PoissonPerMinute: updatesPerMinute}}
	return cfg
}

func run(t testing.TB, cfg *Config) *Result {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Run()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestBenchWorkloadMatchesPeers(t *testing.T) {
	r := run(t, benchConfig(500, 30, 1000, 10, Watch))
	l := r.Metrics.LatencySeconds
	t.Logf("events=%d samples=%v p50=%.2f p99=%.2f max=%.2f", r.Events, l.Count, l.P50, l.P99, l.Max)
	// The peers (../shared/bench) report p50 ≈ 37 s, p99 ≈ 84 s, max ≈ 90 s.
	if math.Abs(l.P50-37.5) > 2 || math.Abs(l.P99-84) > 2.5 || l.Max > 92 {
		t.Errorf("latency p50=%.2f p99=%.2f max=%.2f, want about 37, 84, 90", l.P50, l.P99, l.Max)
	}
}

// smallConfig is a one-workload cluster; tweak the result in each test.
func smallConfig(s Strategy, nodes, pods int, as ConsumerKind) *Config {
	return &Config{
		Seed: 7, Duration: time.Hour, Nodes: nodes,
		SyncFrequency: time.Minute, Strategy: s,
		GetLatency: Dist{Kind: Exponential, A: 0.005},
		WatchDelay: Dist{Kind: Exponential, A: 0.05},
		Bucket:     10 * time.Second,
		Objects:    []Object{{Namespace: "default", Name: "app-config", SizeBytes: 2048}},
		Workloads: []Workload{{Name: "web", Namespace: "default", Replicas: pods,
			Mounts: []Mount{{Objects: []int{0}, As: as, Name: "app-config"}}}},
		Updates: []UpdateRule{{Targets: []int{0}, Every: 5 * time.Minute}},
	}
}

var strategies = []Strategy{Get, Cache, Watch}

func TestDeterminism(t *testing.T) {
	for _, s := range strategies {
		t.Run(s.String(), func(t *testing.T) {
			cfg := benchConfig(20, 10, 30, 6, s)
			a, b := run(t, cfg), run(t, cfg)
			if fmt.Sprint(a.Metrics, a.Recorder.Samples, a.LoadRows(0, 0)) != fmt.Sprint(b.Metrics, b.Recorder.Samples, b.LoadRows(0, 0)) {
				t.Fatal("the same seed gave different results")
			}
			cfg2 := *cfg
			cfg2.Seed++
			c := run(t, &cfg2)
			if fmt.Sprint(a.Recorder.Samples) == fmt.Sprint(c.Recorder.Samples) {
				t.Fatal("another seed gave the same samples")
			}
		})
	}
}

// TestNoCensoring: updates written just before the end are observed while
// the run drains, so none is left pending.
func TestNoCensoring(t *testing.T) {
	for _, s := range strategies {
		cfg := benchConfig(20, 10, 30, 30, s)
		cfg.CacheTTLMode, cfg.CacheTTL = TTLFixed, time.Minute
		r := run(t, cfg)
		for _, sm := range r.Recorder.Samples {
			if sm.Observed < 0 && sm.Never == NeverNone {
				t.Fatalf("%v: update %d written at %v never reached consumer %d", s, sm.Update, r.updates[sm.Update-1].at, sm.Consumer)
			}
		}
		if u := r.updates[len(r.updates)-1]; u.at < simAt(59*time.Minute) {
			t.Fatalf("last update at %v: test needs one in the last minute", u.at)
		}
	}
}

// TestDrainStop: after the duration, pods whose files hold the last write
// stop resyncing. Load and every observation made within the duration are
// unchanged; observations during the drain keep their count and
// distribution (pods that go on share their node's random stream with the
// ones that stopped, so individual draws shift).
func TestDrainStop(t *testing.T) {
	for _, s := range strategies {
		for _, cold := range []bool{false, true} {
			cfg := mixedConfig(s, cold)
			cfg.Duration = 4 * time.Hour
			cfg.GetLatency = Dist{Kind: Lognormal, A: 0.02, B: 1.5}
			early := run(t, cfg)
			keepDraining = true
			full := run(t, cfg)
			keepDraining = false
			if early.Events >= full.Events {
				t.Errorf("%v cold=%v: stopping early saved no events (%d vs %d)", s, cold, early.Events, full.Events)
			}
			if fmt.Sprint(early.LoadRows(0, 0), early.Metrics.APIServer, early.Metrics.NeverUpdated) !=
				fmt.Sprint(full.LoadRows(0, 0), full.Metrics.APIServer, full.Metrics.NeverUpdated) {
				t.Errorf("%v cold=%v: stopping early changed the load", s, cold)
			}
			horizon := simAt(cfg.Duration)
			var inDrain [2][]float64
			for k, r := range []*Result{early, full} {
				for i, sm := range r.Recorder.Samples {
					if sm.Observed > horizon {
						inDrain[k] = append(inDrain[k], sm.Observed.Sub(r.updates[sm.Update-1].at).Seconds())
					} else if o := []*Result{early, full}[1-k].Recorder.Samples[i]; o != sm {
						t.Fatalf("%v cold=%v: observation within the duration changed: %+v vs %+v", s, cold, sm, o)
					}
				}
			}
			if len(inDrain[0]) != len(inDrain[1]) || len(inDrain[0]) == 0 {
				t.Fatalf("%v cold=%v: %d and %d observations during the drain", s, cold, len(inDrain[0]), len(inDrain[1]))
			}
			m0, sd := meanSD(inDrain[0])
			m1, _ := meanSD(inDrain[1])
			if se := sd / math.Sqrt(float64(len(inDrain[0]))); math.Abs(m0-m1) > 4*se*math.Sqrt2 {
				t.Errorf("%v cold=%v: drain latencies mean %.2f s vs %.2f s", s, cold, m0, m1)
			}
		}
	}
}

// TestCausalAndMonotonic checks every observation: never before the write,
// and for each consumer and object, later versions are never seen earlier.
func TestCausalAndMonotonic(t *testing.T) {
	for _, s := range strategies {
		for _, cold := range []bool{false, true} {
			t.Run(fmt.Sprintf("%v/cold=%v", s, cold), func(t *testing.T) {
				cfg := benchConfig(20, 10, 30, 20, s)
				cfg.ColdStart = cold
				cfg.GetLatency = Dist{Kind: Lognormal, A: 0.02, B: 1.5} // long tails, so responses overlap
				// A projected volume over several objects, too.
				cfg.Workloads = append(cfg.Workloads, Workload{Name: "proj", Namespace: "default", Replicas: 15,
					Mounts: []Mount{{Objects: []int{0, 1, 2}, Select: SelectAll, As: Projected, Name: "cm"}}})
				r := run(t, cfg)
				type key struct{ consumer, obj int32 }
				last := map[key]int32{} // version -> observed, in update order
				lastAt := map[key]float64{}
				for _, sm := range r.Recorder.Samples {
					if sm.Observed < 0 {
						continue
					}
					u := r.updates[sm.Update-1]
					if sm.Observed < u.at {
						t.Fatalf("update %d written at %v observed at %v", sm.Update, u.at, sm.Observed)
					}
					k := key{sm.Consumer, u.obj}
					if sm.Update < last[k] {
						t.Fatalf("samples out of order")
					}
					if at, ok := lastAt[k]; ok && sm.Observed.Seconds() < at {
						t.Fatalf("consumer %d saw update %d at %v, before an older version's %vs", sm.Consumer, sm.Update, sm.Observed, at)
					}
					last[k], lastAt[k] = sm.Update, sm.Observed.Seconds()
				}
				if r.Metrics.LatencySeconds.Count == 0 {
					t.Fatal("nothing observed")
				}
			})
		}
	}
}

// TestConvergence: after the last update every volume consumer has it within
// 1.5 × syncFrequency + TTL + delays + 1 s.
func TestConvergence(t *testing.T) {
	for _, s := range strategies {
		for _, ttl := range []time.Duration{0, 15 * time.Second, time.Minute} {
			if s != Cache && ttl > 0 {
				continue
			}
			t.Run(fmt.Sprintf("%v/ttl=%v", s, ttl), func(t *testing.T) {
				cfg := smallConfig(s, 5, 40, Volume)
				cfg.CacheTTLMode, cfg.CacheTTL = TTLFixed, ttl
				cfg.Updates = []UpdateRule{{Targets: []int{0}, At: []time.Duration{10 * time.Minute, 10*time.Minute + 20*time.Second, 30 * time.Minute}}}
				r := run(t, cfg)
				bound := 1.5*60 + ttl.Seconds() + 1 + 1 // 1 s of tick + 1 s for loop, GET and watch delays
				n := 0
				for _, sm := range r.Recorder.Samples {
					u := r.updates[sm.Update-1]
					if sm.Observed < 0 {
						t.Fatalf("update %d never reached consumer %d", sm.Update, sm.Consumer)
					}
					if u.at == sim30m && sm.Observed.Sub(u.at).Seconds() > bound {
						t.Fatalf("latency %v > bound %vs", sm.Observed.Sub(u.at), bound)
					}
					n++
				}
				if n != 3*40 {
					t.Fatalf("%d samples, want 120", n)
				}
			})
		}
	}
}

var sim30m = simAt(30 * time.Minute)

// TestNeverUpdated: env, envFrom, subPath and immutable consumers never see
// an update, and every such pair is counted.
func TestNeverUpdated(t *testing.T) {
	for _, s := range strategies {
		for _, cold := range []bool{false, true} {
			t.Run(fmt.Sprintf("%v/cold=%v", s, cold), func(t *testing.T) {
				cfg := smallConfig(s, 3, 6, Volume)
				cfg.ColdStart = cold
				cfg.Objects = append(cfg.Objects, Object{Namespace: "default", Name: "frozen", SizeBytes: 10, Immutable: true})
				cfg.Workloads[0].Mounts = []Mount{
					{Objects: []int{0}, As: Env, Name: "e"},
					{Objects: []int{0}, As: EnvFrom, Name: "ef"},
					{Objects: []int{0}, As: SubPath, Name: "sp"},
					{Objects: []int{1}, As: Volume, Name: "frozen"},
				}
				cfg.Updates = append(cfg.Updates, UpdateRule{Targets: []int{1}, Every: 10 * time.Minute})
				r := run(t, cfg)
				m := r.Metrics
				if m.LatencySeconds.Count != 0 {
					t.Fatalf("%v pairs observed, want none", m.LatencySeconds.Count)
				}
				// 12 updates of app-config (every 5 min in 1 h) × 6 pods.
				if m.NeverUpdated.Env != 2*12*6 || m.NeverUpdated.SubPath != 12*6 || m.NeverUpdated.Immutable != 6*6 {
					t.Fatalf("never updated = %+v, want env 144, subPath 72, immutable 36", m.NeverUpdated)
				}
				if m.APIServer.UpdatesRejectedTotal != 6 {
					t.Fatalf("rejected = %v, want 6", m.APIServer.UpdatesRejectedTotal)
				}
			})
		}
	}
}

// renewalResidual is the mean wait from a random instant to the next sync:
// E[X²]/(2E[X]) for X = the resync interval, U[S, 1.5 S) rounded up to the
// 1 s tick grid strictly after the due time.
func renewalResidual(s float64) float64 {
	// X is floor(U)+1 for U uniform on [S, 1.5S): uniform on the integers
	// S+1 .. 1.5S when S is a whole number of seconds divisible by 2.
	var m1, m2 float64
	lo, hi := int(s)+1, int(1.5*s)
	for k := lo; k <= hi; k++ {
		m1 += float64(k)
		m2 += float64(k * k)
	}
	n := float64(hi - lo + 1)
	m1, m2 = m1/n, m2/n
	return m2 / (2 * m1)
}

func TestWatchLatencyMatchesRenewalTheory(t *testing.T) {
	cfg := benchConfig(500, 30, 1000, 10, Watch)
	cfg.Duration = 2 * time.Hour
	r := run(t, cfg)
	l := r.Latencies
	mean, sd := meanSD(l)
	// The populator's and the reconciler's 100 ms loops have fixed phases
	// on each node's 1 s grid: they shift every remount by the same amount,
	// so the remounts are the syncs' renewal process shifted and add
	// nothing. The watch event's delivery, Exp(50 ms), adds its mean: a
	// sync between the write and the delivery (chance 50 ms / 75.5 s) costs
	// one more interval (75.5 s), + 0.05 s.
	want := renewalResidual(60) + 0.05
	se := sd / math.Sqrt(float64(len(l)))
	t.Logf("mean %.3f s (n=%d, se %.3f), analytic %.3f s", mean, len(l), se, want)
	if math.Abs(mean-want) > 4*se {
		t.Fatalf("mean latency %.3f s, want %.3f ± %.3f", mean, want, 4*se)
	}
}

func meanSD(xs []float64) (float64, float64) {
	var s, s2 float64
	for _, x := range xs {
		s += x
	}
	m := s / float64(len(xs))
	for _, x := range xs {
		s2 += (x - m) * (x - m)
	}
	return m, math.Sqrt(s2 / float64(len(xs)-1))
}

func TestGetRate(t *testing.T) {
	cfg := smallConfig(Get, 100, 1000, Volume)
	r := run(t, cfg)
	// One GET per volume per sync; a sync every E[X] = 1.25 S + 0.5 s.
	want := 1000 / (1.25*60 + 0.5)
	got := r.Metrics.APIServer.GetPerSec
	// Over an hour each pod syncs ~48 times: relative sd well under 1%.
	if math.Abs(got-want)/want > 0.02 {
		t.Fatalf("GET rate %.3f/s, want %.3f/s", got, want)
	}
	if r.Metrics.APIServer.GetEtcdPerSec != got {
		t.Fatalf("Get mode GETs must all be served from etcd")
	}
}

func TestWatchSteadyState(t *testing.T) {
	cfg := benchConfig(50, 10, 40, 10, Watch)
	cfg.Objects[3].Immutable = true // one immutable object: never watched
	r := run(t, cfg)
	a := r.Metrics.APIServer
	if a.GetPerSec != 0 || a.ListPerSec != 0 {
		t.Fatalf("steady-state Watch made GETs (%v/s) or LISTs (%v/s)", a.GetPerSec, a.ListPerSec)
	}
	// One open watch per node and distinct mutable object referenced.
	want := 0
	for _, sl := range r.c.slots {
		if sl.obj != 3 {
			want++
		}
	}
	if a.OpenWatchesMean != float64(want) || a.OpenWatchesPeak != float64(want) {
		t.Fatalf("open watches mean %v peak %v, want %d", a.OpenWatchesMean, a.OpenWatchesPeak, want)
	}
	// Each WATCH is re-issued every U[30, 60) min: about want/45 min.
	if a.WatchRequestsPerSec <= 0 || a.WatchRequestsPerSec > float64(want)/1800 {
		t.Fatalf("WATCH requests %v/s, want about %v/s", a.WatchRequestsPerSec, float64(want)/2700)
	}
}

func TestTTLController(t *testing.T) {
	for _, tc := range []struct {
		nodes int
		ttl   time.Duration
	}{
		{1, 0}, {100, 0}, {101, 15 * time.Second}, {500, 15 * time.Second}, {501, 30 * time.Second},
		{1000, 30 * time.Second}, {1001, time.Minute}, {2000, time.Minute}, {2001, 5 * time.Minute},
		{65000, 5 * time.Minute},
	} {
		if got := TTLForClusterSize(tc.nodes); got != tc.ttl {
			t.Errorf("TTL for %d nodes = %v, want %v", tc.nodes, got, tc.ttl)
		}
	}
	// Hysteresis: shrinking steps down only below the lower bound.
	var c TTLController
	for i := 0; i < 501; i++ {
		c.AddNode()
	}
	for c.nodeCount > 450 {
		c.DeleteNode()
	}
	if c.TTL() != 30*time.Second {
		t.Fatalf("at 450 nodes after 501: TTL %v, want 30s", c.TTL())
	}
	c.DeleteNode()
	if c.TTL() != 15*time.Second {
		t.Fatalf("at 449 nodes: TTL %v, want 15s", c.TTL())
	}
}

// TestCacheTTLFromClusterSize runs Cache on both sides of the first boundary:
// TTL 0 refetches on every remount (from the watch cache), TTL 15 s at most
// once per node and object per 15 s.
func TestCacheTTLFromClusterSize(t *testing.T) {
	for _, tc := range []struct {
		nodes   int
		wantTTL float64
	}{{100, 0}, {101, 15}} {
		cfg := smallConfig(Cache, tc.nodes, 4*tc.nodes, Volume)
		cfg.Workloads[0].Replicas = 0
		cfg.Workloads[0].PodsPerNode = 4
		cfg.Duration = 20 * time.Minute
		r := run(t, cfg)
		a := r.Metrics.APIServer
		if a.GetEtcdPerSec != 0 {
			t.Fatalf("%d nodes: warm Cache made etcd GETs", tc.nodes)
		}
		perNode := a.GetPerSec / float64(tc.nodes)
		syncs := 4 / 75.5
		if tc.wantTTL == 0 && math.Abs(perNode-syncs)/syncs > 0.05 {
			t.Fatalf("%d nodes (TTL 0): %.4f GET/s per node, want one per remount, %.4f", tc.nodes, perNode, syncs)
		}
		if tc.wantTTL == 15 && (perNode >= 0.8*syncs || perNode > 1/15.0) {
			t.Fatalf("%d nodes (TTL 15s): %.4f GET/s per node, want fewer than remounts (%.4f) and at most 1/15", tc.nodes, perNode, syncs)
		}
	}
}

// TestColdStartWatch: new pods LIST and WATCH each object once per node
// (from 1.35 one WATCH with sendInitialEvents does both); env-only
// references lose their watch after 5 × syncFrequency idle.
func TestColdStartWatch(t *testing.T) {
	for _, rel := range []Release{{34}, {35}} {
		t.Run(rel.String(), func(t *testing.T) { testColdStartWatch(t, rel) })
	}
}

func testColdStartWatch(t *testing.T, rel Release) {
	cfg := smallConfig(Watch, 4, 8, Volume)
	cfg.KubeletRelease = rel
	cfg.ColdStart = true
	cfg.SyncFrequency = 10 * time.Second // idle after max(50 s, 1 min) = 1 min
	cfg.Duration = 10 * time.Minute
	cfg.Objects = append(cfg.Objects, Object{Namespace: "default", Name: "env-only", SizeBytes: 10})
	cfg.Workloads[0].Mounts = append(cfg.Workloads[0].Mounts, Mount{Objects: []int{1}, As: Env, Name: "env-only"})
	r := run(t, cfg)
	a := r.Metrics.APIServer
	wantLists := 8.0 // 4 nodes × 2 objects
	if rel.Minor >= 35 {
		wantLists = 0
	}
	if a.ListPerSec*600 != wantLists {
		t.Fatalf("LISTs = %v, want %v", a.ListPerSec*600, wantLists)
	}
	if got, want := a.WatchRequestsPerSec*600, 8.0; rel.Minor >= 35 && got < want {
		t.Fatalf("WATCHes = %v, want at least one per (node, object): %v", got, want)
	}
	if a.OpenWatchesPeak != 8 {
		t.Fatalf("open watches peak %v, want 8", a.OpenWatchesPeak)
	}
	rows := r.LoadRows(0, 0)
	if end := rows[len(rows)-1].OpenWatchesMean; end != 4 {
		t.Fatalf("open watches at the end %v, want 4 (env-only watches idle-stopped)", end)
	}
	// The env-only watches stop 1-2 min after the containers start.
	for _, row := range rows {
		if row.StartSeconds < 60 && row.OpenWatchesMax < 8 {
			t.Fatalf("env-only watch stopped too early, at %vs", row.StartSeconds)
		}
		if row.StartSeconds >= 130 && row.OpenWatchesMax > 4 {
			t.Fatalf("env-only watch still open at %vs", row.StartSeconds)
		}
	}
	// Updates at 5 and 10 min: both reach all 8 pods, the second while the
	// run drains after its duration.
	if r.Metrics.LatencySeconds.Count != 16 {
		t.Fatalf("observed %v pairs, want 16", r.Metrics.LatencySeconds.Count)
	}
	if end := rows[len(rows)-1].StartSeconds; end != 590 {
		t.Fatalf("load rows end at %vs, want the last bucket of the duration, 590s", end)
	}
}

// mixedConfig is the bench workload plus an immutable object and env
// consumers, warm or cold: every path of the model.
func mixedConfig(s Strategy, cold bool) *Config {
	cfg := benchConfig(30, 10, 40, 20, s)
	cfg.ColdStart = cold
	cfg.Objects[5].Immutable = true
	cfg.Workloads = append(cfg.Workloads, Workload{Name: "env", Namespace: "default", Replicas: 7,
		Mounts: []Mount{{Objects: []int{1, 2}, As: Env, Name: "e"}, {Objects: []int{3}, As: Volume, Name: "v"}}})
	cfg.Restarts = []RestartRule{{Workload: 1, At: []time.Duration{20 * time.Minute}, Spread: time.Minute}}
	return cfg
}

// TestFastPathChangesNothing runs the same clusters with and without the
// simple-pod fast path and the Watch ready cache: the results must be equal.
func TestFastPathChangesNothing(t *testing.T) {
	type variant struct {
		s   Strategy
		rel Release // the zero Release: the newest
	}
	// Under a 1.28 kubelet every sync drops the Cache items.
	for _, v := range []variant{{s: Get}, {s: Cache}, {s: Watch}, {s: Cache, rel: Release{28}}} {
		s := v.s
		for _, cold := range []bool{false, true} {
			cfg := mixedConfig(s, cold)
			cfg.KubeletRelease = v.rel
			// Pods of two volumes take the fast path for several consumers.
			cfg.Workloads = append(cfg.Workloads, Workload{Name: "two", Namespace: "default", Replicas: 20,
				Mounts: []Mount{{Objects: []int{6}, As: Volume, Name: "a"}, {Objects: []int{7, 8}, Select: SelectRandom, As: Projected, Name: "b"}}})
			fast := run(t, cfg)
			if !cold && len(fast.c.fast) == 0 {
				t.Fatalf("%v: no pod took the fast path", s)
			}
			slowPathOnly = true
			slow := run(t, cfg)
			slowPathOnly = false
			if fmt.Sprint(fast.Metrics, fast.Recorder.Samples, fast.LoadRows(0, 0)) != fmt.Sprint(slow.Metrics, slow.Recorder.Samples, slow.LoadRows(0, 0)) {
				t.Errorf("%v cold=%v: the fast path changed the results", s, cold)
			}
		}
	}
}

// TestPartitionsChangeNothing: splitting the nodes into partitions, and
// running them on several workers, gives the same results as one engine.
func TestPartitionsChangeNothing(t *testing.T) {
	defer func(n int) { podsPerPartition = n }(podsPerPartition)
	for _, s := range strategies {
		for _, cold := range []bool{false, true} {
			cfg := mixedConfig(s, cold)
			podsPerPartition = 1 << 30
			whole := run(t, cfg)
			podsPerPartition = 50
			cfg.Workers = 3
			split := run(t, cfg)
			if n := len(split.c.partNodes) - 1; n < 6 {
				t.Fatalf("only %d partitions", n)
			}
			if fmt.Sprint(whole.Metrics, whole.Recorder.Samples, whole.LoadRows(0, 0)) != fmt.Sprint(split.Metrics, split.Recorder.Samples, split.LoadRows(0, 0)) {
				t.Errorf("%v cold=%v: partitions changed the results:\n%+v\n%+v", s, cold, whole.Metrics, split.Metrics)
			}
		}
	}
}

// TestByResource: per-resource counts split the totals by the objects' kind.
func TestByResource(t *testing.T) {
	for _, s := range strategies {
		cfg := smallConfig(s, 5, 20, Volume)
		cfg.ColdStart = true
		cfg.Objects = append(cfg.Objects, Object{Kind: Secret, Namespace: "default", Name: "creds", SizeBytes: 100})
		cfg.Workloads[0].Mounts = append(cfg.Workloads[0].Mounts, Mount{Objects: []int{1}, As: Volume, Name: "creds"})
		cfg.Updates = append(cfg.Updates, UpdateRule{Targets: []int{1}, Every: 7 * time.Minute})
		a := run(t, cfg).Metrics.APIServer
		cm, sec := a.ByResource.ConfigMaps, a.ByResource.Secrets
		near := func(x, y float64) bool { return math.Abs(x-y) < 1e-9*max(1, math.Abs(y)) }
		if !near(cm.GetPerSec+sec.GetPerSec, a.GetPerSec) || !near(cm.GetEtcdPerSec+sec.GetEtcdPerSec, a.GetEtcdPerSec) ||
			!near(cm.ListPerSec+sec.ListPerSec, a.ListPerSec) || !near(cm.WatchRequestsPerSec+sec.WatchRequestsPerSec, a.WatchRequestsPerSec) ||
			!near(cm.WatchEventsPerSec+sec.WatchEventsPerSec, a.WatchEventsPerSec) {
			t.Fatalf("%v: by resource %+v does not add up to %+v", s, a.ByResource, a)
		}
		// One Secret and one ConfigMap volume per pod: equal request rates.
		if s != Watch && (sec.GetPerSec == 0 || !near(sec.GetPerSec, cm.GetPerSec)) {
			t.Fatalf("%v: secrets %v GET/s, configmaps %v GET/s", s, sec.GetPerSec, cm.GetPerSec)
		}
		if s == Watch && (sec.ListPerSec != cm.ListPerSec || sec.WatchEventsPerSec == 0) {
			t.Fatalf("%v: secrets %+v, configmaps %+v", s, sec, cm)
		}
	}
}

// TestRollingRestart: a rollout after an update refreshes env and subPath
// consumers (observed at their new container's start) and remounts volumes;
// Watch keeps its watches (the new pod registers before the old one goes),
// Cache refetches from etcd for each new pod.
func TestRollingRestart(t *testing.T) {
	for _, s := range strategies {
		cfg := smallConfig(s, 3, 6, Volume)
		cfg.CacheTTLMode, cfg.CacheTTL = TTLFixed, 30*time.Second
		cfg.Workloads[0].Mounts = []Mount{
			{Objects: []int{0}, As: Volume, Name: "vol"},
			{Objects: []int{0}, As: Env, Name: "env"},
			{Objects: []int{0}, As: SubPath, Name: "sub"},
		}
		cfg.Updates = []UpdateRule{{Targets: []int{0}, At: []time.Duration{5 * time.Minute}}}
		cfg.Restarts = []RestartRule{{Workload: 0, At: []time.Duration{10 * time.Minute}, Spread: time.Minute}}
		r := run(t, cfg)
		m := r.Metrics
		if m.NeverUpdated.Env != 0 || m.NeverUpdated.SubPath != 0 {
			t.Fatalf("%v: never updated %+v after a restart", s, m.NeverUpdated)
		}
		if m.LatencySeconds.Count != 18 { // one update, 6 pods, 3 consumers each
			t.Fatalf("%v: %v pairs observed, want 18", s, m.LatencySeconds.Count)
		}
		for _, sm := range r.Recorder.Samples {
			kind := r.c.consumers[sm.Consumer].kind
			at := sm.Observed.Sub(simAt(0))
			switch kind {
			case Env, SubPath:
				// The rollout replaces pod i at 10 min + i × 10 s; its
				// containers start within a second.
				if at < 10*time.Minute || at > 11*time.Minute+2*time.Second {
					t.Fatalf("%v: %v consumer observed the update at %v, want during the rollout", s, kind, at)
				}
			case Volume:
				if at > 10*time.Minute+2*time.Second {
					t.Fatalf("%v: volume observed the update at %v, after the restart could have", s, at)
				}
			}
		}
		a := m.APIServer
		switch s {
		case Watch:
			// 3 nodes: one LIST each at most ever (warm start: none), and no
			// watch is stopped by the rollout.
			if a.ListPerSec != 0 || a.OpenWatchesMean != 3 {
				t.Fatalf("Watch: LIST %v/s, open watches %v; want none and 3", a.ListPerSec, a.OpenWatchesMean)
			}
		case Cache:
			// Each new pod's AddReference empties its node's item: 6 GETs
			// from etcd.
			if got := a.GetEtcdPerSec * cfg.Duration.Seconds(); math.Abs(got-6) > 1e-9 {
				t.Fatalf("Cache: %v etcd GETs, want 6", got)
			}
		}
	}
}
