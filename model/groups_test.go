package model

import (
	"math"
	"testing"
	"time"

	"cmsim/results"
)

// TestGroupsAddUp: the per-workload and per-object-group figures split the
// pooled ones: counts add up exactly, the pooled mean is the count-weighted
// mean of the groups', the pooled maximum is the largest group maximum,
// each pooled percentile lies within the groups' range of it, and the
// object groups' requests add up to every ConfigMap and Secret request.
func TestGroupsAddUp(t *testing.T) {
	for _, s := range strategies {
		cfg := mixedConfig(s, false)
		// Two object groups: objects 1-3, which both workloads read, and
		// the rest, which only "app" reads.
		cfg.ObjectGroups = []string{"low", "high"}
		for i := range cfg.Objects {
			if i < 1 || i > 3 {
				cfg.Objects[i].Group = 1
			}
		}
		m := run(t, cfg).Metrics
		if len(m.ByWorkload) != 2 || len(m.ByObject) != 2 {
			t.Fatalf("%v: %d workloads, %d object groups; want 2 and 2", s, len(m.ByWorkload), len(m.ByObject))
		}
		for _, by := range []struct {
			name   string
			groups []results.Group
		}{{"by_workload", m.ByWorkload}, {"by_object", m.ByObject}} {
			checkSplit(t, s.String()+" "+by.name, &m, by.groups)
		}
		secs := cfg.Duration.Seconds()
		rt := m.APIServer.RequestsTotal
		want := results.GroupRequests{
			GetPerSec:           (rt.ConfigMaps.Get + rt.Secrets.Get) / secs,
			ListPerSec:          (rt.ConfigMaps.List + rt.Secrets.List) / secs,
			WatchRequestsPerSec: (rt.ConfigMaps.Watch + rt.Secrets.Watch) / secs,
			WatchEventsPerSec:   m.APIServer.WatchEventsPerSec,
		}
		var got results.GroupRequests
		for _, g := range m.ByObject {
			got.GetPerSec += g.Requests.GetPerSec
			got.ListPerSec += g.Requests.ListPerSec
			got.WatchRequestsPerSec += g.Requests.WatchRequestsPerSec
			got.WatchEventsPerSec += g.Requests.WatchEventsPerSec
		}
		if !approx(got.GetPerSec, want.GetPerSec) || !approx(got.ListPerSec, want.ListPerSec) ||
			!approx(got.WatchRequestsPerSec, want.WatchRequestsPerSec) || !approx(got.WatchEventsPerSec, want.WatchEventsPerSec) {
			t.Errorf("%v: object groups' requests %+v, want the totals %+v", s, got, want)
		}
		if want.GetPerSec+want.WatchRequestsPerSec == 0 {
			t.Errorf("%v: no request counted", s)
		}
		// Both workloads read objects 1-3 (group low) and only "app"
		// reads group high: its requests are its own, low's are shared.
		app, env := m.ByWorkload[0], m.ByWorkload[1]
		if app.Requests != m.ByObject[1].Requests || len(app.SharedObjects) != 1 || app.SharedObjects[0] != "low" {
			t.Errorf("%v: app's requests %+v shared %v, want high's %+v and shared [low]", s, app.Requests, app.SharedObjects, m.ByObject[1].Requests)
		}
		if env.Requests != (results.GroupRequests{}) || len(env.SharedObjects) != 1 {
			t.Errorf("%v: env's requests %+v shared %v, want none and shared [low]", s, env.Requests, env.SharedObjects)
		}
	}
}

func checkSplit(t *testing.T, what string, m *results.Metrics, groups []results.Group) {
	t.Helper()
	var count, sum, mx float64
	var never results.Never
	for _, g := range groups {
		l := g.LatencySeconds
		count += l.Count
		sum += l.Count * l.Mean
		mx = math.Max(mx, l.Max)
		never.Env += g.NeverUpdated.Env
		never.SubPath += g.NeverUpdated.SubPath
		never.Immutable += g.NeverUpdated.Immutable
	}
	pooled := m.LatencySeconds
	if count != pooled.Count || never != m.NeverUpdated {
		t.Errorf("%s: counts %v never %+v, want %v and %+v", what, count, never, pooled.Count, m.NeverUpdated)
	}
	if pooled.Count == 0 || m.NeverUpdated.Env == 0 || m.NeverUpdated.Immutable == 0 {
		t.Fatalf("%s: the config should observe updates and have env and immutable pairs: %+v %+v", what, pooled, m.NeverUpdated)
	}
	if !approx(sum/count, pooled.Mean) || mx != pooled.Max {
		t.Errorf("%s: weighted mean %v max %v, want %v and %v", what, sum/count, mx, pooled.Mean, pooled.Max)
	}
	for _, q := range []struct {
		name   string
		pooled float64
		of     func(results.Latency) float64
	}{
		{"p50", pooled.P50, func(l results.Latency) float64 { return l.P50 }},
		{"p90", pooled.P90, func(l results.Latency) float64 { return l.P90 }},
		{"p99", pooled.P99, func(l results.Latency) float64 { return l.P99 }},
	} {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, g := range groups {
			if g.LatencySeconds.Count > 0 {
				lo, hi = math.Min(lo, q.of(g.LatencySeconds)), math.Max(hi, q.of(g.LatencySeconds))
			}
		}
		if q.pooled < lo || q.pooled > hi {
			t.Errorf("%s: pooled %s %v outside the groups' [%v, %v]", what, q.name, q.pooled, lo, hi)
		}
	}
}

func approx(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// TestDerive: the effective Cache TTL follows the TTL controller's table
// (or the kubelet's default, or a fixed value), and the expected latency
// bound adds it only under Cache.
func TestDerive(t *testing.T) {
	for _, tc := range []struct {
		strategy Strategy
		nodes    int
		mode     CacheTTLMode
		fixed    time.Duration
		ttl      float64
		bound    float64
	}{
		{Cache, 800, TTLAuto, 0, 30, 45 + 30 + 1.2},
		{Cache, 50, TTLAuto, 0, 0, 45 + 1.2},
		{Cache, 3000, TTLAuto, 0, 300, 45 + 300 + 1.2},
		{Cache, 800, TTLAbsent, 0, 60, 45 + 60 + 1.2},
		{Cache, 800, TTLFixed, 7 * time.Second, 7, 45 + 7 + 1.2},
		{Watch, 800, TTLAuto, 0, 30, 45 + 1.2},
		{Get, 800, TTLAuto, 0, 30, 45 + 1.2},
	} {
		d := Derive(&Config{Strategy: tc.strategy, Nodes: tc.nodes, CacheTTLMode: tc.mode, CacheTTL: tc.fixed, SyncFrequency: 30 * time.Second})
		if d.CacheTTLSeconds != tc.ttl || !approx(d.LatencyBoundSeconds, tc.bound) || d.SyncWaitMaxSeconds != 45 || d.Nodes != tc.nodes {
			t.Errorf("%v, %d nodes, mode %d: %+v; want TTL %v s and bound %v s", tc.strategy, tc.nodes, tc.mode, d, tc.ttl, tc.bound)
		}
	}
}

// TestOneGroupGetsThePooledStats: a workload or object group that made
// every observation has exactly the pooled latency statistics.
func TestOneGroupGetsThePooledStats(t *testing.T) {
	cfg := benchConfig(20, 5, 10, 10, Watch)
	cfg.ObjectGroups = []string{"all"}
	m := run(t, cfg).Metrics
	if len(m.ByWorkload) != 1 || len(m.ByObject) != 1 || m.LatencySeconds.Count == 0 {
		t.Fatalf("%d workloads, %d groups, %v pairs", len(m.ByWorkload), len(m.ByObject), m.LatencySeconds.Count)
	}
	if m.ByWorkload[0].LatencySeconds != m.LatencySeconds || m.ByObject[0].LatencySeconds != m.LatencySeconds {
		t.Errorf("by_workload %+v, by_object %+v, pooled %+v", m.ByWorkload[0].LatencySeconds, m.ByObject[0].LatencySeconds, m.LatencySeconds)
	}
}
