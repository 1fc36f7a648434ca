package model

import (
	"fmt"
	"math"
	"testing"
	"time"
)

// defaultCapacity is upstream's system priority level with cmsim's default
// service times.
func defaultCapacity() *Capacity {
	return &Capacity{Seats: 74, Queues: 64, HandSize: 6, QueueLengthLimit: 50, QueueWaitLimit: 15 * time.Second,
		ServiceGetEtcd:  Dist{Kind: Lognormal, A: 0.002, B: 1.5},
		ServiceGetCache: Dist{Kind: Lognormal, A: 0.0003, B: 0.5},
		ServiceList:     Dist{Kind: Lognormal, A: 0.0005, B: 0.5},
		ServiceWatch:    Dist{Kind: Lognormal, A: 0.0005, B: 0.5},
		ServiceCreate:   Dist{Kind: Lognormal, A: 0.003, B: 0.5},
	}
}

// TestCapacityRuns: with ample capacity every strategy behaves as without:
// every consumer converges, through faults and churn too.
func TestCapacityRuns(t *testing.T) {
	for _, s := range strategies {
		t.Run(s.String(), func(t *testing.T) {
			cfg := churnConfig(s)
			cfg.Capacity = defaultCapacity()
			cfg.KubeAPIQPS, cfg.KubeAPIBurst = 50, 100
			r := run(t, cfg)
			checkConverged(t, r)
		})
	}
}

// erlangCWait is the mean wait in queue of an M/M/c queue with arrival
// rate lambda and mean service time s: C(c, a) / (c/s − lambda).
func erlangCWait(c int, lambda, s float64) float64 {
	a := lambda * s // offered load in seats
	rho := a / float64(c)
	term, sum := 1.0, 1.0 // a^k/k!, summed for k < c
	for k := 1; k < c; k++ {
		term *= a / float64(k)
		sum += term
	}
	last := term * a / float64(c) / (1 - rho) // a^c/c! · 1/(1−ρ)
	pWait := last / (sum + last)
	return pWait / (float64(c)/s - lambda)
}

// TestQueueMatchesErlangC: with one queue of unlimited length, exponential
// service times and GETs from many pods (close to Poisson arrivals), the
// mean wait for a seat is Erlang C's for the measured arrival rate, at
// utilisation 0.5 and 0.9, within the 95% interval and 5%.
func TestQueueMatchesErlangC(t *testing.T) {
	const seats = 4
	for _, rho := range []float64{0.5, 0.9} {
		var waits []float64
		var lambda float64
		for seed := uint64(1); seed <= 8; seed++ {
			// One pod a node, so that no two GETs share a sync tick:
			// arrivals close to Poisson.
			cfg := smallConfig(Get, 3000, 3000, Volume)
			cfg.Seed = seed
			cfg.SyncFrequency = 10 * time.Second
			cfg.Duration = 20 * time.Minute
			cfg.Updates = nil
			k := defaultCapacity()
			k.Seats, k.Queues, k.HandSize = seats, 1, 1
			k.QueueLengthLimit, k.QueueWaitLimit = 1<<30, time.Hour
			// 3000 pods each GET once per sync (every 1.25 × 10 s + 0.5 s).
			rate := 3000 / (1.25*10 + 0.5)
			k.ServiceGetEtcd = Dist{Kind: Exponential, A: rho * seats / rate}
			cfg.Capacity = k
			r := run(t, cfg)
			h := &r.Recorder.latencies[verbGet]
			waits = append(waits, h[2].mean())
			lambda += float64(h[0].count) / cfg.Duration.Seconds() / 8
			if r.Metrics.APIServer.RejectedAPFTotal != 0 {
				t.Fatalf("rho %v: %v rejections with unlimited queues", rho, r.Metrics.APIServer.RejectedAPFTotal)
			}
		}
		mean, sd := meanSD(waits)
		half := 2.365 * sd / math.Sqrt(float64(len(waits))) // Student t, 7 degrees of freedom
		want := erlangCWait(seats, lambda, rho*seats/(3000/(1.25*10+0.5)))
		t.Logf("rho %.1f: measured rate %.1f/s, mean wait %.5f s ± %.5f, Erlang C %.5f s", rho, lambda, mean, half, want)
		// The arrivals are a superposition of renewal processes, a little
		// smoother than Poisson at rho 0.9 (fewer bursts, shorter waits):
		// allow 5% beyond the interval.
		if math.Abs(mean-want) > half+0.05*want {
			t.Errorf("rho %.1f: mean wait %.5f s ± %.5f, Erlang C says %.5f s", rho, mean, half, want)
		}
	}
}

// TestTokenBucketLimitsGets: one node whose pods want 38 GET/s with
// kubeAPIQPS 5: after the burst of 10 it gets exactly 5 a second, and every
// request made is answered.
func TestTokenBucketLimitsGets(t *testing.T) {
	for _, capacity := range []bool{false, true} {
		cfg := smallConfig(Get, 1, 500, Volume)
		cfg.SyncFrequency = 10 * time.Second
		cfg.Duration = 10 * time.Minute
		cfg.Updates = nil
		cfg.KubeAPIQPS, cfg.KubeAPIBurst = 5, 10
		if capacity {
			cfg.Capacity = defaultCapacity()
		}
		r := run(t, cfg)
		rows := r.LoadRows(0, 0)
		var gets float64
		for _, row := range rows[6:] { // after the first minute
			gets += row.GetEtcdPerSec * 10
		}
		rate := gets / (cfg.Duration.Seconds() - 60)
		if math.Abs(rate-5)/5 > 0.02 {
			t.Errorf("capacity %v: %.3f GET/s, want 5 (kubeAPIQPS)", capacity, rate)
		}
		if h := &r.Recorder.latencies[verbGet]; h[1].mean() < 10 {
			t.Errorf("capacity %v: mean throttle %.2f s: the bucket should hold requests back", capacity, h[1].mean())
		}
	}
}

// TestQueueSetRejectsOnlyWhenFull: a request is rejected exactly when every
// seat is busy and its queue holds queueLengthLimit requests.
func TestQueueSetRejectsOnlyWhenFull(t *testing.T) {
	c := &partition{}
	k := defaultCapacity()
	k.Seats, k.Queues, k.HandSize, k.QueueLengthLimit = 2, 1, 1, 3
	qs := newQueueSet(k)
	for i := 0; i < 8; i++ {
		c.reqs = append(c.reqs, request{seats: 1, prev: -1, next: -1})
	}
	// Two dispatched, three waiting: the queue is full.
	for i := int32(0); i < 5; i++ {
		if !c.enqueue(qs, 0, i) {
			t.Fatalf("request %d rejected with %d seats in use and %d waiting", i, qs.seatsInUse, qs.waiting)
		}
		for c.nextToDispatch(qs) >= 0 {
		}
	}
	if qs.seatsInUse != 2 || qs.waiting != 3 {
		t.Fatalf("%d seats in use, %d waiting", qs.seatsInUse, qs.waiting)
	}
	if c.enqueue(qs, 0, 5) {
		t.Fatal("a request was queued into a full queue with every seat busy")
	}
	// A seat frees, a waiting request takes it: room for one more.
	c.finished(qs, 0, 1, 0)
	if ri := c.nextToDispatch(qs); ri != 2 {
		t.Fatalf("dispatched %d, want the oldest waiting, 2", ri)
	}
	if !c.enqueue(qs, 0, 5) || c.enqueue(qs, 0, 6) {
		t.Fatal("want exactly one more request queued")
	}
}

// TestDealHands: shuffle sharding deals handSize distinct queues.
func TestDealHands(t *testing.T) {
	qs := newQueueSet(defaultCapacity())
	for n := int32(0); n < 1000; n++ {
		hand := qs.deal(flowHash(n), nil) // as dealt into partition.hands
		seen := map[int]bool{}
		for _, q := range hand {
			if q < 0 || q >= 64 || seen[q] {
				t.Fatalf("node %d: hand %v", n, hand)
			}
			seen[q] = true
		}
		if len(hand) != 6 {
			t.Fatalf("hand %v", hand)
		}
	}
}

// TestRejectedRequestsRetryAndConverge: a level far too small for a cold
// start rejects requests with 429; client-go retries them, and every
// consumer converges.
func TestRejectedRequestsRetryAndConverge(t *testing.T) {
	for _, s := range strategies {
		cfg := smallConfig(s, 50, 1000, Volume)
		cfg.ColdStart = true
		cfg.Duration = 30 * time.Minute
		k := defaultCapacity()
		k.Seats, k.Queues, k.HandSize, k.QueueLengthLimit = 1, 4, 2, 5
		k.ServiceGetEtcd = Dist{Kind: Constant, A: 0.02}
		k.ServiceList = Dist{Kind: Constant, A: 0.02}
		k.ServiceWatch = Dist{Kind: Constant, A: 0.02}
		cfg.Capacity = k
		r := run(t, cfg)
		a := r.Metrics.APIServer
		if a.RejectedAPFTotal == 0 || a.RetriesPerSec == 0 {
			t.Errorf("%v: %v rejections, %v retries/s: want both", s, a.RejectedAPFTotal, a.RetriesPerSec)
		}
		checkConverged(t, r)
	}
}

// TestFastPathsWithCapacity: with a level small enough that reads queue,
// throttle and get 429s, the fast paths (one-volume pods and the implicit
// references' three-consumer pods) hand their waiting reads to the general
// path and change no result.
func TestFastPathsWithCapacity(t *testing.T) {
	for _, s := range strategies {
		for _, implicit := range []bool{false, true} {
			cfg := smallConfig(s, 10, 60, Volume)
			if implicit {
				cfg = implicitConfig(s, 10, 60)
			}
			cfg.CacheTTLMode, cfg.CacheTTL = TTLFixed, 20*time.Second
			cfg.Duration = 88 * time.Minute // the last update 3 min before the end
			cfg.Faults = []FaultRule{{Kind: APIServerRestart, Replica: -1, Downtime: 90 * time.Second, Arrivals: at(20 * time.Minute)}}
			k := defaultCapacity()
			k.Seats, k.Queues, k.HandSize, k.QueueLengthLimit = 1, 2, 1, 2
			k.ServiceGetEtcd = Dist{Kind: Exponential, A: 0.05}
			k.ServiceGetCache = Dist{Kind: Exponential, A: 0.05}
			cfg.Capacity = k
			cfg.SyncFrequency = 10 * time.Second
			cfg.KubeAPIQPS, cfg.KubeAPIBurst = 2, 1
			fast := run(t, cfg)
			if len(fast.c.fast)+countSimple(fast) == 0 {
				t.Fatalf("%v implicit=%v: no pod on a fast path", s, implicit)
			}
			slowPathOnly = true
			slow := run(t, cfg)
			slowPathOnly = false
			if fmt.Sprint(fast.Metrics, fast.Recorder.Samples, fast.LoadRows(0, 0)) != fmt.Sprint(slow.Metrics, slow.Recorder.Samples, slow.LoadRows(0, 0)) {
				t.Errorf("%v implicit=%v: the fast paths changed the results:\n%+v\n%+v", s, implicit, fast.Metrics.APIServer, slow.Metrics.APIServer)
			}
			a := fast.Metrics.APIServer
			if s == Get && (a.RequestLatency.Get.QueueP99 == 0 || a.RequestLatency.Get.ThrottleP99 == 0) {
				t.Errorf("%v implicit=%v: no GET queued or throttled", s, implicit)
			}
			checkConverged(t, fast)
		}
	}
}

func countSimple(r *Result) int {
	n := 0
	for _, p := range r.c.pods {
		if p.simple {
			n++
		}
	}
	return n
}

// TestSeatsLittlesLaw: the seats in use average the request rate times the
// mean service time (Little's law), with one replica or three; and with
// ample seats no request is counted as waiting.
func TestSeatsLittlesLaw(t *testing.T) {
	for _, replicas := range []int{1, 3} {
		cfg := smallConfig(Get, 200, 2000, Volume)
		cfg.Replicas = replicas
		cfg.Capacity = defaultCapacity()
		r := run(t, cfg)
		a := r.Metrics.APIServer
		want := a.GetPerSec * a.RequestLatency.Get.ServiceMean
		if math.Abs(a.SeatsInUseMean-want)/want > 0.02 {
			t.Errorf("%d replicas: %.4f seats in use on average, want %.4f (%.2f GET/s × %.4f s)", replicas, a.SeatsInUseMean, want, a.GetPerSec, a.RequestLatency.Get.ServiceMean)
		}
		if a.QueuedPeak != 0 || a.QueuedMean != 0 {
			t.Errorf("%d replicas: %v requests waiting at the peak with %d seats", replicas, a.QueuedPeak, cfg.Capacity.Seats)
		}
	}
}
