package report

import (
	"strings"
	"testing"

	"cmsim/results"
)

// verdictSummary is three strategies with the given p99 latencies, their
// 95% half-widths and replications.
func verdictSummary(reps int, p99, ci []float64) *results.Summary {
	s := &results.Summary{Scenario: "strategies"}
	for i, strategy := range []string{"Get", "Cache", "Watch"} {
		pt := results.Point{
			Params: map[string]string{"cluster.kubelet.changeDetectionStrategy": strategy, "cluster.kubelet.syncFrequency": "30s"},
			Metrics: results.Metrics{
				LatencySeconds: results.Latency{Count: 800, P50: 20, P90: 35, P99: p99[i], Max: p99[i] + 1, Mean: 21},
				APIServer:      results.APIServer{GetPerSec: []float64{120, 40, 0}[i], WatchRequestsPerSec: []float64{0, 0, 0.3}[i], OpenWatchesMean: []float64{0, 0, 39681}[i], BookmarksPerSec: []float64{0, 0, 677}[i]},
			},
		}
		if reps > 1 {
			pt.Replications = reps
			pt.CI95 = &results.Metrics{LatencySeconds: results.Latency{P99: ci[i]}, APIServer: results.APIServer{GetPerSec: []float64{2, 1, 0}[i], WatchRequestsPerSec: []float64{0, 0, 0.01}[i]}}
		}
		s.Points = append(s.Points, pt)
	}
	return s
}

// TestVerdicts: the reading names a winner only when the difference is
// resolved: 95% confidence intervals that separate, or with one
// replication a difference beyond SingleRunResolution. Otherwise it says
// the points are indistinguishable, over what range.
func TestVerdicts(t *testing.T) {
	for _, tc := range []struct {
		name     string
		s        *results.Summary
		want     []string
		wantNone []string
	}{
		{"overlapping CIs", verdictSummary(10, []float64{41.86, 41.90, 42.19}, []float64{0.4, 0.5, 0.45}), []string{
			"Get, Cache and Watch are indistinguishable on p99 latency: 41.9–42.2 s, within their 95% confidence intervals.",
		}, []string{"has the lowest p99"}},
		{"separated CIs", verdictSummary(10, []float64{41.9, 71.9, 42.2}, []float64{0.4, 0.5, 0.45}), []string{
			"Get and Watch are indistinguishable for the lowest p99 latency (41.9–42.2 s, within their 95% confidence intervals), clearly below Cache (72 s ± 0.5 s).",
		}, nil},
		{"one winner", verdictSummary(10, []float64{30, 71.9, 42.2}, []float64{0.4, 0.5, 0.45}), []string{
			"Get has the lowest p99 latency (30 s ± 0.4 s), clearly below Watch (42 s ± 0.45 s) and every other point.",
		}, nil},
		{"one replication, within resolution", verdictSummary(1, []float64{41.86, 41.90, 42.19}, nil), []string{
			"Get, Cache and Watch are indistinguishable on p99 latency: 41.9–42.2 s, within 5%, the resolution of a single replication.",
		}, nil},
		{"one replication, beyond resolution", verdictSummary(1, []float64{30, 41.90, 42.19}, nil), []string{
			"Get has the lowest p99 latency (30 s), clearly below Cache (42 s) and every other point.",
		}, nil},
	} {
		r := Read(tc.s, nil)
		text := strings.Join(r.Paragraphs, "\n")
		for _, w := range tc.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: reading lacks %q:\n%s", tc.name, w, text)
			}
		}
		for _, w := range tc.wantNone {
			if strings.Contains(text, w) {
				t.Errorf("%s: reading says %q:\n%s", tc.name, w, text)
			}
		}
		// Cost names its terms side by side.
		for _, w := range []string{
			"Cost to the apiserver, side by side: Get 120 requests/s, 0 open watches, 0 watch events/s and 0 bookmarks/s;",
			"Watch 0.3 requests/s, 39,681 open watches, 0 watch events/s and 677 bookmarks/s.",
		} {
			if !strings.Contains(text, w) {
				t.Errorf("%s: reading lacks %q:\n%s", tc.name, w, text)
			}
		}
	}
}

// TestStaleWorkloads: a workload whose consumers never update is named,
// with the fix.
func TestStaleWorkloads(t *testing.T) {
	s := verdictSummary(1, []float64{40, 40, 40}, nil)
	s.Points = s.Points[:1]
	s.Points[0].ByWorkload = []results.Group{
		{Name: "web", LatencySeconds: results.Latency{Count: 12}},
		{Name: "legacy", NeverUpdated: results.Never{Env: 6}},
	}
	got := StaleWorkloads(s)
	if len(got) != 1 {
		t.Fatalf("got %q, want one sentence", got)
	}
	for _, w := range []string{"Workload legacy never sees an update: all 6 of its (update, consumer) pairs never update (6 read the object as environment variables",
		"mount the object as a directory volume", "restart the pods on change", "cmsim run reloader"} {
		if !strings.Contains(got[0], w) {
			t.Errorf("lacks %q: %s", w, got[0])
		}
	}
}
