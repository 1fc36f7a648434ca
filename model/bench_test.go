package model

import (
	"strconv"
	"testing"
)

// The canonical workload of ../shared/bench (Watch, syncFrequency 60 s, 10
// updates a minute, 1 h) at a reduced and at full size, on 1 and 2 workers.
func benchWorkload(b *testing.B, nodes, configMaps int, updatesPerMinute float64, s Strategy) {
	for _, workers := range []int{1, 2} {
		b.Run("workers="+strconv.Itoa(workers), func(b *testing.B) {
			var events uint64
			for i := 0; i < b.N; i++ {
				cfg := benchConfig(nodes, 30, configMaps, updatesPerMinute, s)
				cfg.Workers = workers
				r := run(b, cfg)
				events = r.Events
			}
			b.ReportMetric(float64(events), "events/op")
			b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

func BenchmarkWatch15k(b *testing.B)  { benchWorkload(b, 500, 1000, 10, Watch) }
func BenchmarkWatch150k(b *testing.B) { benchWorkload(b, 5000, 1000, 10, Watch) }
func BenchmarkGet150k(b *testing.B)   { benchWorkload(b, 5000, 1000, 10, Get) }
func BenchmarkCache150k(b *testing.B) { benchWorkload(b, 5000, 1000, 10, Cache) }
func BenchmarkGet15k(b *testing.B)    { benchWorkload(b, 500, 1000, 10, Get) }
func BenchmarkCache15k(b *testing.B)  { benchWorkload(b, 500, 1000, 10, Cache) }

// BenchmarkWatch2mShape is bench-watch-2m's workload (1 ConfigMap per 5
// nodes, 2 updates a minute per 1000 nodes) at 1/100 of its size.
func BenchmarkWatch2mShape(b *testing.B) { benchWorkload(b, 650, 130, 1.3, Watch) }

// BenchmarkGet150kCapacity is BenchGet150k with a finite apiserver: every
// GET queues for one of 74 seats, on one engine.
func BenchmarkGet150kCapacity(b *testing.B) {
	var events uint64
	for i := 0; i < b.N; i++ {
		cfg := benchConfig(5000, 30, 1000, 10, Get)
		cfg.Capacity = defaultCapacity()
		cfg.KubeAPIQPS, cfg.KubeAPIBurst = 50, 100
		r := run(b, cfg)
		events = r.Events
	}
	b.ReportMetric(float64(events), "events/op")
	b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
