package model

import "testing"

// BenchmarkWatch15k runs bench-watch-15k (500 nodes × 30 pods, 1 h).
func BenchmarkWatch15k(b *testing.B) {
	for i := 0; i < b.N; i++ {
		r := run(b, benchConfig(500, 30, 1000, 10, Watch))
		b.ReportMetric(float64(r.Events), "events/op")
	}
}

// BenchmarkWatch150k runs bench-watch-150k (5000 nodes × 30 pods, 1 h).
func BenchmarkWatch150k(b *testing.B) {
	for i := 0; i < b.N; i++ {
		r := run(b, benchConfig(5000, 30, 1000, 10, Watch))
		b.ReportMetric(float64(r.Events), "events/op")
	}
}
