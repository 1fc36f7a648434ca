package oracle

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/util/flowcontrol"
	testingclock "k8s.io/utils/clock/testing"

	"cmsim/model"
)

// callClock is a flowcontrol.Clock whose time the test sets before each
// call and whose Sleep only records how long the caller would sleep: each
// Accept is then a different goroutine's request at that time, as the
// kubelet's many goroutines share one client.
type callClock struct {
	testingclock.FakePassiveClock
	slept time.Duration
}

func (c *callClock) Sleep(d time.Duration) { c.slept = d }

// TestTokenBucketAgainstUpstream sends requests at random times through
// client-go's token bucket (NewTokenBucketRateLimiterWithClock, as
// rest.Config's QPS and Burst build it) and through cmsim's, and requires
// each request to wait the same time (to 1 µs: cmsim keeps tokens as
// float seconds).
func TestTokenBucketAgainstUpstream(t *testing.T) {
	type limits struct {
		qps   float64
		burst int
	}
	compared, waited := 0, 0
	for _, l := range []limits{{50, 100}, {5, 10}, {1, 1}, {20, 3}} {
		for seq := range 20 {
			rng := rand.New(rand.NewPCG(uint64(seq), 7))
			clk := &callClock{FakePassiveClock: *testingclock.NewFakePassiveClock(epoch)}
			up := flowcontrol.NewTokenBucketRateLimiterWithClock(float32(l.qps), l.burst, clk)
			probe, err := model.NewProbe(model.ProbeConfig{Strategy: model.Get, Objects: 1, Pods: [][]int{{0}},
				KubeAPIQPS: l.qps, KubeAPIBurst: l.burst})
			if err != nil {
				t.Fatal(err)
			}
			var now time.Duration
			for k := range 400 {
				// Bursts of simultaneous requests, spells of steady ones
				// and idle gaps that refill the bucket.
				switch r := rng.IntN(10); {
				case r < 4:
				case r < 9:
					now += time.Duration(rng.ExpFloat64() / l.qps * float64(time.Second))
				default:
					now += time.Duration(rng.IntN(30)) * time.Second
				}
				clk.SetTime(epoch.Add(now))
				clk.slept = 0
				up.Accept()
				got := probe.Throttle(now)
				if d := got - clk.slept; d > time.Microsecond || d < -time.Microsecond {
					t.Fatalf("QPS %v burst %d, sequence %d, request %d at %v: upstream waits %v, cmsim %v", l.qps, l.burst, seq, k, now, clk.slept, got)
				}
				compared++
				if clk.slept > 0 {
					waited++
				}
			}
		}
	}
	if waited < compared/10 {
		t.Fatalf("only %d of %d requests waited: the sequences do not exercise the bucket", waited, compared)
	}
}

// backoffBase is the documented base of the reflector's backoff at each
// step (docs/fidelity.md): 0.8 s doubling to a cap of 30 s, back to 0.8 s on
// the first step more than 2 min after the reflector's creation or its last
// reset. Each wait is U[base, 2 × base).
func backoffBases(times []time.Duration) []time.Duration {
	bases := make([]time.Duration, len(times))
	var base time.Duration
	var reset time.Duration // the reflector is created at 0
	for i, at := range times {
		if at-reset > 2*time.Minute {
			base, reset = 0, at
		}
		if base == 0 {
			base = 800 * time.Millisecond
		}
		bases[i] = base
		base = min(2*base, 30*time.Second)
	}
	return bases
}

// TestReflectorBackoffAgainstUpstream takes the reflector's backoff steps at
// random times through client-go's (the wait.Backoff of
// NewReflectorWithOptions with DelayWithReset on a fake clock) and through
// cmsim's, many times over, and requires every wait of both to lie in
// [base, 2 × base) of the documented base and the mean waits of each step
// to agree within 5 standard errors. Upstream's jitter comes from
// math/rand, so only the distributions can be compared.
func TestReflectorBackoffAgainstUpstream(t *testing.T) {
	gaps := []time.Duration{0, 100 * time.Millisecond, time.Second, 10 * time.Second, 30 * time.Second, 59 * time.Second, 60 * time.Second, 61 * time.Second, 2 * time.Minute, 3 * time.Minute}
	for sched := range 12 {
		rng := rand.New(rand.NewPCG(uint64(sched), 5))
		times := make([]time.Duration, 14)
		var now time.Duration
		for i := range times {
			now += gaps[rng.IntN(len(gaps))]
			times[i] = now
		}
		bases := backoffBases(times)
		const runs = 400
		var upSum, modelSum [14]float64
		check := func(side string, run, i int, d time.Duration) {
			if d < bases[i] || d >= 2*bases[i] {
				t.Fatalf("schedule %d (%v), run %d, step %d: %s waits %v, outside [%v, %v)", sched, times, run, i, side, d, bases[i], 2*bases[i])
			}
		}
		for run := range runs {
			clk := testingclock.NewFakeClock(epoch)
			delay := (&wait.Backoff{ // client-go tools/cache/reflector.go defaults
				Duration: 800 * time.Millisecond,
				Cap:      30 * time.Second,
				Steps:    int(math.Ceil(float64(30*time.Second) / float64(800*time.Millisecond))),
				Factor:   2.0,
				Jitter:   1.0,
			}).DelayWithReset(clk, 2*time.Minute)
			probe, err := model.NewProbe(model.ProbeConfig{Strategy: model.Watch, Objects: 1, Pods: [][]int{{0}}, Seed: uint64(sched*runs + run)})
			if err != nil {
				t.Fatal(err)
			}
			if err := probe.Register(0, 0); err != nil { // the reflector is created at 0
				t.Fatal(err)
			}
			for i, at := range times {
				clk.SetTime(epoch.Add(at))
				u := delay()
				m, err := probe.BackoffStep(0, at)
				if err != nil {
					t.Fatal(err)
				}
				check("upstream", run, i, u)
				check("cmsim", run, i, m)
				upSum[i] += u.Seconds()
				modelSum[i] += m.Seconds()
			}
		}
		for i, b := range bases {
			// U[b, 2b): standard deviation b/√12; the difference of two
			// means of runs draws has √2 times the standard error.
			se := b.Seconds() / math.Sqrt(12) * math.Sqrt(2.0/runs)
			if d := math.Abs(upSum[i]-modelSum[i]) / runs; d > 5*se {
				t.Errorf("schedule %d step %d (base %v): mean waits %.3f s upstream, %.3f s cmsim", sched, i, b, upSum[i]/runs, modelSum[i]/runs)
			}
		}
	}
}
