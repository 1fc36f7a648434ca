package compare

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"cmsim/results"
)

// TestPointMetricsFindsEveryField sets every metric of a point to its own
// value and checks that the walk finds each one once, under the names
// 'cmsim plan' uses.
func TestPointMetricsFindsEveryField(t *testing.T) {
	pt := results.Point{Params: map[string]string{"cluster.nodes": "3"}, Replications: 3}
	fields := pt.Metrics.Fields()
	for i, f := range fields {
		*f = float64(i + 1)
	}
	ms, err := PointMetrics(&pt)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != len(fields) {
		t.Fatalf("%d metrics, want %d (one per field of results.Metrics)", len(ms), len(fields))
	}
	seen := map[float64]bool{}
	for _, m := range ms {
		seen[m.Value] = true
	}
	if len(seen) != len(fields) {
		t.Errorf("%d distinct values, want %d", len(seen), len(fields))
	}
	names := map[string]float64{}
	for _, m := range ms {
		names[m.Name] = m.Value
	}
	for name, want := range map[string]float64{
		"latency.count": pt.LatencySeconds.Count, "latency.p99": pt.LatencySeconds.P99, "never.env": pt.NeverUpdated.Env,
		"apiserver.get_per_sec": pt.APIServer.GetPerSec, "apiserver.request_latency.GET.p99": pt.APIServer.RequestLatency.Get.P99,
		"apiserver.requests_total.configmaps.GET": pt.APIServer.RequestsTotal.ConfigMaps.Get, "kubelet.syncs_per_sec": pt.Kubelet.SyncsPerSec,
		"faults.count": pt.Faults.Count,
	} {
		if got, ok := names[name]; !ok || got != want {
			t.Errorf("%s = %v (found %v), want %v", name, got, ok, want)
		}
	}
}

// TestNewFieldsAreCompared checks that fields the walk has never heard of
// (arrays of named blocks, maps) are compared too.
func TestNewFieldsAreCompared(t *testing.T) {
	type block struct {
		Name    string          `json:"name"`
		Latency results.Latency `json:"latency_seconds"`
	}
	v := struct {
		results.Point
		ByWorkload []block                    `json:"by_workload"`
		ByObject   map[string]results.Latency `json:"by_object"`
	}{
		ByWorkload: []block{{Name: "web", Latency: results.Latency{P99: 42}}},
		ByObject:   map[string]results.Latency{"default/app-config": {Mean: 7}},
	}
	v.FaultEvents = []results.FaultEvent{{Kind: "apiserverRestart", Relists: 5}}
	ms, err := flattenJSON(v, pointSkip)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, m := range ms {
		got[m.Name] = m.Value
	}
	for name, want := range map[string]float64{
		"by_workload[web].latency.p99": 42, "by_object.default/app-config.mean": 7, "fault_events[0].relists": 5,
	} {
		if g, ok := got[name]; !ok || g != want {
			t.Errorf("%s = %v (found %v), want %v", name, g, ok, want)
		}
	}
	for name := range got {
		if strings.HasPrefix(name, "params") || strings.HasPrefix(name, "ci95") || name == "replications" {
			t.Errorf("%s is not a metric", name)
		}
	}
}

func TestVerdicts(t *testing.T) {
	nan := math.NaN()
	for _, tt := range []struct {
		a, b, ciA, ciB float64
		want           string
	}{
		{10, 10, nan, nan, Same},
		{10, 10, 1, 1, Same},
		{10, 13, 1, 1, Separate},
		{10, 11.5, 1, 1, Overlap},
		{10, 12, 1, 1, Overlap}, // touching intervals do not separate
		{10, 20, nan, 1, NoCI},
		{10, 20, 0, 0, Separate}, // equal replications: no spread
		{nan, 1, nan, nan, OnlyB},
		{1, nan, nan, nan, OnlyA},
	} {
		r := newRow("m", tt.a, tt.b, tt.ciA, tt.ciB)
		if r.Verdict != tt.want {
			t.Errorf("A %v ± %v, B %v ± %v: %q, want %q", tt.a, tt.ciA, tt.b, tt.ciB, r.Verdict, tt.want)
		}
	}
	r := newRow("m", 0, 5, nan, nan)
	if !r.DeltaPct.NaN() || r.Delta != 5 {
		t.Errorf("0 -> 5: delta %v, %v%%; want 5 and no percentage", r.Delta, r.DeltaPct)
	}
	b, err := json.Marshal(r)
	if err != nil || !strings.Contains(string(b), `"delta_pct":null`) {
		t.Errorf("NaN in JSON: %s, %v", b, err)
	}
}

func point(params map[string]string, p99 float64) results.Point {
	pt := results.Point{Params: params}
	pt.LatencySeconds.P99 = p99
	return pt
}

const yamlA = `name: s
cluster:
  nodes: 3
  kubelet:
    syncFrequency: 1m
updates:
  - {object: a, at: [10m, 30m]}
`

// TestMatching matches points by their swept parameters only: a
// parameter changed for every point is a scenario change.
func TestMatching(t *testing.T) {
	const strat = "cluster.kubelet.changeDetectionStrategy"
	const sync = "cluster.kubelet.syncFrequency"
	a := Output{Dir: "a", ScenarioYAML: []byte(yamlA), Summary: &results.Summary{Scenario: "s", Points: []results.Point{
		point(map[string]string{strat: "Get", sync: "1m0s"}, 80),
		point(map[string]string{strat: "Cache", sync: "1m0s"}, 90),
		point(map[string]string{strat: "Watch", sync: "1m0s"}, 85),
	}}}
	yamlB := strings.Replace(yamlA, "1m", "2m", 1) + "duration: 1h\n"
	b := Output{Dir: "b", ScenarioYAML: []byte(yamlB), Summary: &results.Summary{Scenario: "s", Points: []results.Point{
		point(map[string]string{strat: "Watch", sync: "2m0s"}, 170),
		point(map[string]string{strat: "Get", sync: "2m0s"}, 160),
		point(map[string]string{strat: "Sideways", sync: "2m0s"}, 1),
	}}}
	d, err := Compare(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.MatchParams, []string{strat}) {
		t.Errorf("matched by %v, want only the strategy", d.MatchParams)
	}
	var got []string
	for _, p := range d.Points {
		got = append(got, p.Label)
		if p.Label == "Get" && (p.APoint != 0 || p.BPoint != 1) {
			t.Errorf("Get matched A %d with B %d, want 0 with 1", p.APoint, p.BPoint)
		}
	}
	if !slices.Equal(got, []string{"Get", "Watch"}) {
		t.Errorf("matched %v, want Get and Watch", got)
	}
	if len(d.UnmatchedA) != 1 || d.UnmatchedA[0].Label != "Cache" || len(d.UnmatchedB) != 1 || d.UnmatchedB[0].Label != "Sideways" {
		t.Errorf("unmatched A %v, B %v; want Cache and Sideways", d.UnmatchedA, d.UnmatchedB)
	}
	want := []Change{{Path: sync, A: "1m", B: "2m"}, {Path: "duration", B: "1h"}}
	if !slices.Equal(d.ScenarioChanges, want) {
		t.Errorf("scenario changes %v, want %v", d.ScenarioChanges, want)
	}

	// A sweep over syncFrequency in A against a single point in B: B's
	// value, written differently, matches.
	a.Summary.Points = []results.Point{point(map[string]string{sync: "30s"}, 40), point(map[string]string{sync: "60s"}, 80)}
	b.Summary.Points = []results.Point{point(map[string]string{sync: "1m0s"}, 81)}
	if d, err = Compare(a, b); err != nil {
		t.Fatal(err)
	}
	if len(d.Points) != 1 || d.Points[0].APoint != 1 || len(d.UnmatchedA) != 1 {
		t.Errorf("60s against 1m0s: matched %+v, unmatched A %v", d.Points, d.UnmatchedA)
	}
}

func TestConditions(t *testing.T) {
	known := func(n string) bool { return n == "latency.p99" || n == "apiserver.get_per_sec" }
	for _, tt := range []struct {
		cond  string
		a, b  float64
		holds bool
	}{
		{"latency.p99>+10%", 100, 111, true},
		{"latency.p99>+10%", 100, 109, false},
		{"latency.p99 > 10%", 100, 111, true},
		{"latency.p99<-10%", 100, 85, true},
		{"latency.p99<-10%", 100, 95, false},
		{"latency.p99>+5s", 100, 106, true},
		{"latency.p99>+5s", 100, 104, false},
		{"latency.p99>=+1m", 100, 160, true},
		{"latency.p99>90s", 10, 91, true},
		{"latency.p99>90s", 100, 89, false},
		{"apiserver.get_per_sec>+10%", 0, 1, true}, // from zero: +Inf%
		{"apiserver.get_per_sec>+10%", 0, 0, false},
		{"apiserver.get_per_sec<=-50", 200, 150, true},
		{"apiserver.get_per_sec<1000", 0, 999, true},
	} {
		c, err := ParseCondition(tt.cond, known)
		if err != nil {
			t.Errorf("%s: %v", tt.cond, err)
			continue
		}
		if got := c.Holds(newRow(c.Metric, tt.a, tt.b, math.NaN(), math.NaN())); got != tt.holds {
			t.Errorf("%s with A %v, B %v: holds %v, want %v", tt.cond, tt.a, tt.b, got, tt.holds)
		}
	}
	for _, bad := range []string{"latency.p99", "latency.p999>+10%", "latency.p99>abc", ">5", "latency.p99>+10%%", "latency.p99>5%s"} {
		if _, err := ParseCondition(bad, known); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestScenarioChanges(t *testing.T) {
	a, err := flattenYAML([]byte(yamlA))
	if err != nil {
		t.Fatal(err)
	}
	if got := a.values["updates.0.at"]; got != "[10m, 30m]" {
		t.Errorf("updates.0.at = %q, want the list in flow style", got)
	}
	if len(changes(a, a)) != 0 {
		t.Errorf("a scenario differs from itself: %v", changes(a, a))
	}
	if _, err := flattenYAML([]byte("- a\n- b\n")); err == nil {
		t.Error("a list at the top read as a scenario")
	}
}
