package model

import (
	"fmt"
	"testing"
	"time"
)

// TestParkingChangesNothing runs Watch clusters with every resync and WATCH
// re-issue an event, and with plain resyncs parked and re-issues on a calm
// apiserver accounted lazily (catchUpExpiries): the results must be
// identical, metrics, every sample and every load row. The clusters cover what wakes a parked
// pod or keeps it from parking: updates reaching its node's stores, tokens
// coming due, apiserver restarts and their relists, kubelet restarts, nodes
// joining and leaving, rollouts, a finite apiserver, and the releases on
// each side of the watch timeout and WatchList changes.
func TestParkingChangesNothing(t *testing.T) {
	type variant struct {
		name string
		cfg  func(seed uint64) *Config
	}
	restart := FaultRule{Kind: APIServerRestart, Replica: -1, Downtime: 90 * time.Second, Arrivals: at(20 * time.Minute)}
	variants := []variant{
		{"mixed warm", func(seed uint64) *Config {
			cfg := mixedConfig(Watch, false)
			cfg.Workloads = append(cfg.Workloads, Workload{Name: "two", Namespace: "default", Replicas: 20,
				Mounts: []Mount{{Objects: []int{6}, As: Volume, Name: "a"}, {Objects: []int{7, 8}, Select: SelectRandom, As: Projected, Name: "b"}}})
			cfg.Seed = seed
			return cfg
		}},
		{"mixed cold", func(seed uint64) *Config {
			cfg := mixedConfig(Watch, true)
			cfg.Seed = seed
			return cfg
		}},
		{"tokens and apiserver restart", func(seed uint64) *Config {
			cfg := implicitConfig(Watch, 10, 60)
			cfg.Faults = []FaultRule{restart}
			cfg.Seed = seed
			return cfg
		}},
		{"kubelet restarts, joins, leaves", func(seed uint64) *Config {
			cfg := implicitConfig(Watch, 12, 72)
			cfg.Faults = []FaultRule{
				{Kind: KubeletRestart, Nodes: Count{N: 3}, Downtime: 30 * time.Second, Spread: time.Minute, Arrivals: at(15 * time.Minute)},
				{Kind: NodeJoin, Nodes: Count{N: 2}, Spread: time.Minute, Arrivals: at(25 * time.Minute)},
				{Kind: NodeLeave, Nodes: Count{N: 2}, Spread: time.Minute, Arrivals: at(35 * time.Minute)},
			}
			cfg.Seed = seed
			return cfg
		}},
		{"capacity", func(seed uint64) *Config {
			cfg := implicitConfig(Watch, 10, 60)
			cfg.Faults = []FaultRule{restart}
			k := defaultCapacity()
			k.Seats, k.Queues, k.HandSize, k.QueueLengthLimit = 1, 2, 1, 2
			cfg.Capacity = k
			cfg.KubeAPIQPS, cfg.KubeAPIBurst = 2, 1
			cfg.Seed = seed
			return cfg
		}},
		{"1.30 with a 10 s syncFrequency", func(seed uint64) *Config {
			cfg := benchConfig(20, 10, 30, 20, Watch)
			cfg.KubeletRelease = Release{30}
			cfg.SyncFrequency = 10 * time.Second
			cfg.Faults = []FaultRule{restart}
			cfg.Seed = seed
			return cfg
		}},
		{"1.34", func(seed uint64) *Config {
			cfg := benchConfig(20, 10, 30, 20, Watch)
			cfg.KubeletRelease = Release{34}
			cfg.Faults = []FaultRule{restart}
			cfg.Seed = seed
			return cfg
		}},
	}
	for _, v := range variants {
		for seed := uint64(1); seed <= 3; seed++ {
			parked := run(t, v.cfg(seed))
			parkingOff = true
			events := run(t, v.cfg(seed))
			parkingOff = false
			if parked.Events >= events.Events {
				t.Errorf("%s seed %d: %d events parked, %d without: nothing was parked", v.name, seed, parked.Events, events.Events)
			}
			got := fmt.Sprint(parked.Metrics, parked.Recorder.Samples, parked.LoadRows(0, 0))
			want := fmt.Sprint(events.Metrics, events.Recorder.Samples, events.LoadRows(0, 0))
			if got != want {
				t.Errorf("%s seed %d: parking changed the results", v.name, seed)
			}
		}
	}
}

// TestTracedRunsDoNotPark: a trace lists every resync, and a traced run's
// results are the untraced run's.
func TestTracedRunsDoNotPark(t *testing.T) {
	cfg := implicitConfig(Watch, 4, 12)
	plain := run(t, cfg)
	cfg.Trace = true
	traced := run(t, cfg)
	if traced.Events <= plain.Events {
		t.Errorf("traced run: %d events, untraced %d: the traced run parked resyncs", traced.Events, plain.Events)
	}
	if fmt.Sprint(plain.Metrics, plain.Recorder.Samples) != fmt.Sprint(traced.Metrics, traced.Recorder.Samples) {
		t.Error("tracing changed the results")
	}
}
