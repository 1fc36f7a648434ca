package scenarios

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// base is a minimal valid scenario; error cases edit one part of it.
const base = `apiVersion: cmsim/v1
kind: Scenario
name: t
duration: 1h
cluster:
  nodes: 3
objects:
  - {kind: ConfigMap, name: app-config}
workloads:
  - name: web
    replicas: 2
    mounts:
      - {object: app-config}
updates:
  - {object: app-config, at: [10m]}
`

// edit returns base with old replaced by new (exactly once).
func edit(t *testing.T, old, new string) string {
	t.Helper()
	if strings.Count(base, old) != 1 {
		t.Fatalf("edit: %q occurs %d times in base", old, strings.Count(base, old))
	}
	return strings.Replace(base, old, new, 1)
}

func TestBuiltinsLoad(t *testing.T) {
	list := Builtins()
	want := []string{"bench-cache-150k", "bench-get-150k", "bench-watch-150k", "bench-watch-15k", "bench-watch-2m",
		"cluster-size", "immutable", "quickstart", "reloader", "rollout", "strategies", "sync-frequency"}
	var got []string
	for _, b := range list {
		got = append(got, b.Name)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Builtins() = %v, want %v", got, want)
	}
	wantPoints := map[string]int{"rollout": 3, "strategies": 3, "sync-frequency": 12, "cluster-size": 27, "immutable": 5}
	for _, b := range list {
		t.Run(b.Name, func(t *testing.T) {
			data, ok := Builtin(b.Name)
			if !ok {
				t.Fatal("Builtin: not found")
			}
			s, err := Load("builtin:"+b.Name, data, nil)
			if err != nil {
				t.Fatal(err)
			}
			if s.Name != b.Name {
				t.Errorf("name %q, want the file name %q", s.Name, b.Name)
			}
			if b.Description == "" || b.Description != s.Description {
				t.Errorf("description %q, scenario has %q", b.Description, s.Description)
			}
			pts, err := s.Points()
			if err != nil {
				t.Fatal(err)
			}
			if n := max(wantPoints[b.Name], 1); len(pts) != n {
				t.Errorf("%d points, want %d", len(pts), n)
			}
			// Every key of a built-in is documented by a comment somewhere in it.
			if !strings.Contains(string(data), "#") {
				t.Error("no comments")
			}
		})
	}
	if _, ok := Builtin("nope"); ok {
		t.Error("Builtin(nope) found")
	}
	if _, ok := Builtin("../load"); ok {
		t.Error("Builtin(../load) found")
	}
}

func TestBenchBuiltins(t *testing.T) {
	for name, want := range map[string]struct {
		nodes, count int
		rate         float64
		strategy     string
	}{
		"bench-watch-150k": {5000, 1000, 10, "Watch"},
		"bench-watch-15k":  {500, 1000, 10, "Watch"},
		"bench-get-150k":   {5000, 1000, 10, "Get"},
		"bench-cache-150k": {5000, 1000, 10, "Cache"},
		"bench-watch-2m":   {65000, 13000, 130, "Watch"},
	} {
		s, err := LoadFile(name, nil)
		if err != nil {
			t.Fatal(err)
		}
		c := s.Cluster
		if c.Nodes != want.nodes || c.Kubelet.ChangeDetectionStrategy != want.strategy || c.Kubelet.SyncFrequency != time.Minute ||
			c.Start != StartWarm || s.Duration != time.Hour || c.APIServer.WatchDelay != (Dist{Kind: DistExponential, Mean: 50 * time.Millisecond}) {
			t.Errorf("%s: cluster %+v", name, c)
		}
		if len(s.Objects) != 1 || s.Objects[0].Count != want.count || s.Objects[0].Kind != KindConfigMap {
			t.Errorf("%s: objects %+v", name, s.Objects)
		}
		w := s.Workloads
		if len(w) != 1 || w[0].PodsPerNode != 30 || len(w[0].Mounts) != 1 || !reflect.DeepEqual(w[0].Mounts[0], Mount{Object: "cfg", Select: SelectRandomOne, As: AsVolume}) {
			t.Errorf("%s: workloads %+v", name, w)
		}
		if len(s.Updates) != 1 || s.Updates[0].PoissonPerMinute != want.rate || s.Updates[0].Object != "cfg" {
			t.Errorf("%s: updates %+v", name, s.Updates)
		}
	}
}

func TestQuickstartExact(t *testing.T) {
	s, err := LoadFile("quickstart", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := &Scenario{
		Source: "builtin:quickstart", APIVersion: "cmsim/v1", Kind: "Scenario", Name: "quickstart",
		Description: "A small Deployment mounting one ConfigMap, updated twice, default kubelet",
		Seed:        1, Duration: time.Hour,
		Cluster: Cluster{Nodes: 3, Start: "warm",
			Kubelet: Kubelet{SyncFrequency: time.Minute, ChangeDetectionStrategy: "Watch", CacheTTL: CacheTTL{Mode: "auto"}},
			APIServer: APIServer{
				GetLatency: Dist{Kind: "exponential", Mean: 5 * time.Millisecond},
				WatchDelay: Dist{Kind: "exponential", Mean: 50 * time.Millisecond}}},
		Objects:      []Object{{Kind: "ConfigMap", Namespace: "default", Name: "app-config", Count: 1, SizeBytes: 2048}},
		Workloads:    []Workload{{Name: "web", Namespace: "default", Replicas: 6, Mounts: []Mount{{Object: "app-config", Select: "all", As: "volume"}}}},
		Updates:      []Update{{Object: "app-config", At: []time.Duration{10 * time.Minute, 30 * time.Minute}}},
		Output:       Output{Bucket: 10 * time.Second},
		Replications: 1,
	}
	assertEqual(t, s, want)
}

// assertEqual compares two scenarios, ignoring how they were loaded.
func assertEqual(t *testing.T, got, want *Scenario) {
	t.Helper()
	g, w := *got, *want
	g.src, w.src = nil, nil
	if !reflect.DeepEqual(g, w) {
		t.Errorf("scenario mismatch\n got: %+v\nwant: %+v", g, w)
	}
}

func TestDefaults(t *testing.T) {
	doc := `apiVersion: cmsim/v1
kind: Scenario
name: d
duration: 2h
cluster: {nodes: 7}
objects: [{kind: Secret, name: s}]
workloads: [{name: w, podsPerNode: 2, mounts: [{object: s}]}]
`
	s, err := Load("d.yaml", []byte(doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := &Scenario{
		Source: "d.yaml", APIVersion: "cmsim/v1", Kind: "Scenario", Name: "d", Seed: 1, Duration: 2 * time.Hour,
		Cluster: Cluster{Nodes: 7, Start: "warm",
			Kubelet: Kubelet{SyncFrequency: time.Minute, ChangeDetectionStrategy: "Watch", CacheTTL: CacheTTL{Mode: "auto"}},
			APIServer: APIServer{
				GetLatency: Dist{Kind: "exponential", Mean: 5 * time.Millisecond},
				WatchDelay: Dist{Kind: "exponential", Mean: 50 * time.Millisecond}}},
		Objects:      []Object{{Kind: "Secret", Namespace: "default", Name: "s", Count: 1, SizeBytes: 1024}},
		Workloads:    []Workload{{Name: "w", Namespace: "default", PodsPerNode: 2, Mounts: []Mount{{Object: "s", Select: "all", As: "volume"}}}},
		Output:       Output{Bucket: 10 * time.Second},
		Replications: 1,
	}
	assertEqual(t, s, want)
	pts, err := s.Points()
	if err != nil || len(pts) != 1 || len(pts[0].Params) != 0 {
		t.Fatalf("Points() = %+v, %v; want one point without params", pts, err)
	}
	assertEqual(t, pts[0].Scenario, want)
}

func TestValues(t *testing.T) {
	doc := edit(t, "  nodes: 3\n", `  nodes: 3
  start: cold
  kubelet: {syncFrequency: 90s, changeDetectionStrategy: Cache, cacheTTL: 0}
  apiserver:
    getLatency: {distribution: lognormal, median: 4ms, sigma: 0.5}
    watchDelay: {distribution: uniform, min: 1ms, max: 9ms}
`)
	s, err := Load("t.yaml", []byte(doc), []string{"cluster.kubelet.cacheTTL=absent", "cluster.apiserver.watchDelay={distribution: constant, value: 2ms}"})
	if err != nil {
		t.Fatal(err)
	}
	c := s.Cluster
	if c.Start != "cold" || c.Kubelet.SyncFrequency != 90*time.Second || c.Kubelet.ChangeDetectionStrategy != "Cache" ||
		c.Kubelet.CacheTTL != (CacheTTL{Mode: TTLAbsent}) ||
		c.APIServer.GetLatency != (Dist{Kind: "lognormal", Median: 4 * time.Millisecond, Sigma: 0.5}) ||
		c.APIServer.WatchDelay != (Dist{Kind: "constant", Value: 2 * time.Millisecond}) {
		t.Errorf("cluster = %+v", c)
	}
	s, err = Load("t.yaml", []byte(doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Cluster.Kubelet.CacheTTL != (CacheTTL{Mode: TTLFixed}) ||
		s.Cluster.APIServer.WatchDelay != (Dist{Kind: "uniform", Min: time.Millisecond, Max: 9 * time.Millisecond}) {
		t.Errorf("cluster = %+v", s.Cluster)
	}
	o := Object{Name: "g", Count: 10, ImmutableFraction: 0.25}
	if o.ImmutableCount() != 3 || o.MemberName(9) != "g-9" {
		t.Errorf("ImmutableCount %d MemberName %s", o.ImmutableCount(), o.MemberName(9))
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		sets []string
		want string // the full error text
	}{
		{"unknown key", edit(t, "  nodes: 3\n", "  nodes: 3\n  colour: red\n"), nil,
			"cluster.colour: unknown key; allowed keys: nodes, start, kubeAPIAccess, kubelet, apiserver (t.yaml:7:3)"},
		{"unknown key in list item", edit(t, "name: app-config}", "name: app-config, colour: red}"), nil,
			"objects[0].colour: unknown key; allowed keys: kind, namespace, name, count, sizeBytes, immutable, immutableFraction (t.yaml:8:41)"},
		{"unknown top-level key", edit(t, "name: t\n", "name: t\nnodes: 3\n"), nil,
			"nodes: unknown key; allowed keys: apiVersion, kind, name, description, seed, duration, cluster, objects, workloads, updates, restarts, output, replications, sweep, zip (t.yaml:4:1)"},
		{"wrong type int", edit(t, "nodes: 3", "nodes: three"), nil,
			`cluster.nodes: expected an integer, got string "three" (t.yaml:6:10)`},
		{"wrong type float for int", edit(t, "nodes: 3", "nodes: 3.5"), nil,
			`cluster.nodes: expected an integer, got number 3.5 (t.yaml:6:10)`},
		{"wrong type mapping", edit(t, "  nodes: 3\n", "  nodes: 3\n  kubelet: [a]\n"), nil,
			`cluster.kubelet: expected a mapping, got a list (t.yaml:7:12)`},
		{"wrong type bool", edit(t, "name: app-config}", "name: app-config, immutable: yes}"), nil,
			`objects[0].immutable: expected true or false, got string "yes" (t.yaml:8:52)`},
		{"zero nodes", edit(t, "nodes: 3", "nodes: 0"), nil,
			"cluster.nodes: must be > 0 (allowed: 1..100000) (t.yaml:6:10)"},
		{"too many nodes", edit(t, "nodes: 3", "nodes: 100001"), nil,
			"cluster.nodes: 100001 is out of range; allowed: 1..100000 (t.yaml:6:10)"},
		{"negative duration", edit(t, "duration: 1h", "duration: -1h"), nil,
			"duration: must be > 0, got -1h (t.yaml:4:11)"},
		{"duration without unit", edit(t, "duration: 1h", "duration: 60"), nil,
			`duration: "60" is not a duration; use a number with a unit, such as 500ms, 60s, 1m or 1h30m (t.yaml:4:11)`},
		{"duration too long", edit(t, "duration: 1h", "duration: 721h"), nil,
			"duration: must be <= 720h (30 days), got 721h (t.yaml:4:11)"},
		{"negative dist", edit(t, "  nodes: 3\n", "  nodes: 3\n  apiserver: {getLatency: {distribution: exponential, mean: -5ms}}\n"), nil,
			"cluster.apiserver.getLatency.mean: must be >= 0, got -5ms (t.yaml:7:61)"},
		{"dist key of another kind", edit(t, "  nodes: 3\n", "  nodes: 3\n  apiserver: {watchDelay: {distribution: constant, mean: 5ms}}\n"), nil,
			"cluster.apiserver.watchDelay.mean: unknown key for distribution constant; allowed keys: distribution, value (t.yaml:7:52)"},
		{"dist param missing", edit(t, "  nodes: 3\n", "  nodes: 3\n  apiserver: {watchDelay: {distribution: uniform, min: 5ms}}\n"), nil,
			"cluster.apiserver.watchDelay.max: required key is missing for distribution uniform (t.yaml:7:27)"},
		{"uniform max < min", edit(t, "  nodes: 3\n", "  nodes: 3\n  apiserver: {watchDelay: {distribution: uniform, min: 5ms, max: 1ms}}\n"), nil,
			"cluster.apiserver.watchDelay.max: must be >= min (5ms) (t.yaml:7:66)"},
		{"bad strategy", edit(t, "  nodes: 3\n", "  nodes: 3\n  kubelet: {syncFrequency: 1m, changeDetectionStrategy: watch}\n"), nil,
			`cluster.kubelet.changeDetectionStrategy: "watch" is not one of Get, Cache, Watch (t.yaml:7:57)`},
		{"bad cacheTTL", edit(t, "  nodes: 3\n", "  nodes: 3\n  kubelet: {cacheTTL: never}\n"), nil,
			`cluster.kubelet.cacheTTL: "never" is not one of auto, absent or a duration such as 0s, 15s, 60s (t.yaml:7:23)`},
		{"zero syncFrequency", edit(t, "  nodes: 3\n", "  nodes: 3\n  kubelet: {syncFrequency: 0s}\n"), nil,
			`cluster.kubelet.syncFrequency: must be > 0, got 0s (t.yaml:7:28)`},
		{"replicas and podsPerNode", edit(t, "    replicas: 2\n", "    replicas: 2\n    podsPerNode: 2\n"), nil,
			"workloads[0].podsPerNode: cannot be combined with replicas; set exactly one of replicas and podsPerNode (t.yaml:12:18)"},
		{"neither replicas nor podsPerNode", edit(t, "    replicas: 2\n", ""), nil,
			"workloads[0].replicas: required key is missing; set exactly one of replicas and podsPerNode (t.yaml:10:5)"},
		{"unknown object in mount", edit(t, "{object: app-config}", "{object: app-cfg}"), nil,
			`workloads[0].mounts[0].object: no object named "app-cfg"; objects are: app-config (t.yaml:13:18)`},
		{"unknown object in update", edit(t, "{object: app-config, at", "{object: nope, at"), nil,
			`updates[0].object: no object named "nope"; objects are: app-config (t.yaml:15:14)`},
		{"namespace mismatch", edit(t, "    replicas: 2\n", "    namespace: prod\n    replicas: 2\n"), nil,
			`workloads[0].mounts[0].object: object "app-config" is in namespace "default" but the workload is in namespace "prod"; pods can only reference objects in their own namespace (t.yaml:14:18)`},
		{"duplicate object names", edit(t, "  - {kind: ConfigMap, name: app-config}\n", "  - {kind: ConfigMap, name: app-config}\n  - {kind: Secret, name: app-config}\n"), nil,
			`objects[1].name: duplicate object name "app-config"; objects[0] has the same name (t.yaml:9:26)`},
		{"object collides with group member", edit(t, "  - {kind: ConfigMap, name: app-config}\n", "  - {kind: ConfigMap, name: app-config}\n  - {kind: ConfigMap, name: app, count: 3}\n  - {kind: ConfigMap, name: app-2}\n"), nil,
			`objects[2].name: "app-2" is also the name of a member of the group objects[1] (app-0 .. app-2) (t.yaml:10:29)`},
		{"duplicate workload names", edit(t, "updates:", "  - {name: web, replicas: 1, mounts: [{object: app-config}]}\nupdates:"), nil,
			`workloads[1].name: duplicate workload name "web"; workloads[0] has the same name (t.yaml:14:12)`},
		{"immutableFraction with immutable", edit(t, "name: app-config}", "name: app-config, immutable: true, immutableFraction: 0.5}"), nil,
			"objects[0].immutableFraction: cannot be combined with immutable; use immutable: true for all members or immutableFraction alone (t.yaml:8:77)"},
		{"immutableFraction out of range", edit(t, "name: app-config}", "name: app-config, immutableFraction: 1.5}"), nil,
			"objects[0].immutableFraction: must be between 0 and 1 (t.yaml:8:60)"},
		{"at outside duration", edit(t, "at: [10m]", "at: [10m, 2h]"), nil,
			"updates[0].at[1]: 2h is after the end of the scenario (duration 1h) (t.yaml:15:36)"},
		{"at and every", edit(t, "at: [10m]", "at: [10m], every: 1m"), nil,
			"updates[0].every: cannot be combined with at; set exactly one of at, every and poissonPerMinute (t.yaml:15:44)"},
		{"start with at", edit(t, "at: [10m]", "at: [10m], start: 1m"), nil,
			"updates[0].start: only allowed with every or poissonPerMinute (t.yaml:15:44)"},
		{"no arrival kind", edit(t, ", at: [10m]", ""), nil,
			"updates[0].at: required key is missing; set exactly one of at, every and poissonPerMinute (t.yaml:15:5)"},
		{"zero poisson", edit(t, "at: [10m]", "poissonPerMinute: 0"), nil,
			"updates[0].poissonPerMinute: must be > 0 (t.yaml:15:44)"},
		{"too many pods", edit(t, "    replicas: 2\n", "    replicas: 20000000\n"), nil,
			"workloads[0].replicas: the cluster would have 20000000 pods or more; at most 10000000 allowed (t.yaml:11:15)"},
		{"too many references", edit(t, "name: app-config}\nworkloads:\n  - name: web\n    replicas: 2\n", "name: app-config, count: 1000000}\nworkloads:\n  - name: web\n    replicas: 100\n"), nil,
			"workloads[0].mounts[0].select: 100 pods reading 1000000 objects each would make 100000000 (pod, object) references or more; at most 50000000 allowed (select: random-one or by-index reads one member) (t.yaml:13:9)"},
		{"too many updates", edit(t, "at: [10m]", "poissonPerMinute: 1000000"), nil,
			"updates[0]: about 60000000 updates over the run; at most 10000000 allowed (t.yaml:15:5)"},
		{"too many samples", strings.Replace(edit(t, "at: [10m]", "poissonPerMinute: 100000"), "replicas: 2", "replicas: 20", 1), nil,
			"updates[0]: about 6000000 updates reaching 20 consumers each would make 1.2e+08 (update, consumer) latency samples or more; at most 50000000 allowed (fewer or rarer updates, or a shorter duration) (t.yaml:15:5)"},
		{"restart of unknown workload", base + "restarts:\n  - {workload: api, at: [20m]}\n", nil,
			"restarts[0].workload: no workload named \"api\"; workloads are: web (t.yaml:17:16)"},
		{"restart with at and every", base + "restarts:\n  - {workload: web, at: [20m], every: 5m}\n", nil,
			"restarts[0].every: cannot be combined with at; set exactly one of at and every (t.yaml:17:39)"},
		{"restart after the end", base + "restarts:\n  - {workload: web, at: [2h]}\n", nil,
			"restarts[0].at[0]: 2h is after the end of the scenario (duration 1h) (t.yaml:17:26)"},
		{"duplicate key", edit(t, "  nodes: 3\n", "  nodes: 3\n  nodes: 4\n"), nil,
			"cluster.nodes: duplicate key; first defined at line 6 (t.yaml:7:3)"},
		{"duplicate key in flow map", edit(t, "name: app-config}", "name: app-config, name: x}"), nil,
			"objects[0].name: duplicate key; first defined at line 8 (t.yaml:8:41)"},
		{"missing required", edit(t, "name: t\n", ""), nil,
			"name: required key is missing (t.yaml:1:1)"},
		{"missing nodes", edit(t, "  nodes: 3\n", "  start: warm\n"), nil,
			"cluster.nodes: required key is missing (t.yaml:6:3)"},
		{"missing mount object", edit(t, "{object: app-config}", "{as: env}"), nil,
			"workloads[0].mounts[0].object: required key is missing (t.yaml:13:9)"},
		{"bad apiVersion", edit(t, "cmsim/v1", "cmsim/v2"), nil,
			`apiVersion: "cmsim/v2" is not supported; use cmsim/v1 (t.yaml:1:13)`},
		{"bad name", edit(t, "name: t\n", "name: My_Scenario\n"), nil,
			`name: "My_Scenario" is not a valid name: use lowercase letters, digits and '-', at most 63 characters (t.yaml:3:7)`},
		{"bad namespace", edit(t, "name: app-config}", "name: app-config, namespace: Prod}"), nil,
			`objects[0].namespace: "Prod" is not a valid name: use lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters (t.yaml:8:52)`},
		{"items with env", edit(t, "{object: app-config}", "{object: app-config, as: env, items: [a]}"), nil,
			"workloads[0].mounts[0].items: only allowed with as: volume or as: projected, not as: env (t.yaml:13:46)"},
		{"bad select", edit(t, "{object: app-config}", "{object: app-config, select: one}"), nil,
			`workloads[0].mounts[0].select: "one" is not one of all, random-one, by-index (t.yaml:13:38)`},
		{"bucket too small", base + "output: {bucket: 500ms}\n", nil,
			"output.bucket: must be >= 1s, got 500ms (t.yaml:16:18)"},
		{"too many buckets", strings.Replace(base, "duration: 1h", "duration: 720h", 1) + "output: {bucket: 1s}\n", nil,
			"output.bucket: 1s gives 2592000 buckets over duration 720h; at most 100000 allowed, use a larger bucket (t.yaml:16:18)"},
		{"too many buckets by default", strings.Replace(base, "duration: 1h", "duration: 720h", 1), nil,
			"output.bucket: 10s gives 259200 buckets over duration 720h; at most 100000 allowed, use a larger bucket (t.yaml:1:1)"},
		{"replications", base + "replications: 0\n", nil,
			"replications: must be > 0 (allowed: 1..1000) (t.yaml:16:15)"},
		{"empty objects", edit(t, "  - {kind: ConfigMap, name: app-config}\n", ""), nil,
			"objects: must list at least one object (t.yaml:7:9)"},
		{"yaml syntax", edit(t, "  nodes: 3\n", "  nodes: 3\n   bad: [\n"), nil,
			"invalid YAML: mapping values are not allowed in this context (t.yaml:7)"},
		{"tab indentation", "apiVersion: cmsim/v1\n\tkind: Scenario\n", nil,
			"invalid YAML: found a tab character that violates indentation (t.yaml:2)"},
		{"two documents", base + "---\nname: x\n", nil,
			"a scenario file holds one YAML document; found a second one (t.yaml:16:1)"},
		{"empty", "", nil,
			"empty scenario; expected a mapping with apiVersion, kind, name, duration, cluster, objects and workloads (t.yaml:1:1)"},
		{"not a mapping", "- a\n", nil,
			"expected a mapping, got a list (t.yaml:1:1)"},
		{"merge key", base + "x: &x {a: 1}\n<<: *x\n", nil,
			"x: unknown key; allowed keys: apiVersion, kind, name, description, seed, duration, cluster, objects, workloads, updates, restarts, output, replications, sweep, zip (t.yaml:16:1)"},

		// --set
		{"set unknown key", base, []string{"cluster.nodez=3"},
			`--set cluster.nodez=3: unknown key "nodez" under cluster; allowed keys: nodes, start, kubeAPIAccess, kubelet, apiserver`},
		{"set unknown top key", base, []string{"nodes=3"},
			`--set nodes=3: unknown key "nodes" under the top level; allowed keys: apiVersion, kind, name, description, seed, duration, cluster, objects, workloads, updates, restarts, output, replications, sweep, zip`},
		{"set invalid value", base, []string{"cluster.nodes=0"},
			`--set cluster.nodes=0: cluster.nodes: must be > 0 (allowed: 1..100000)`},
		{"set wrong type", base, []string{"cluster.nodes=[1]"},
			`--set cluster.nodes=[1]: cluster.nodes: expected an integer, got a list`},
		{"set no such name", base, []string{"workloads.api.replicas=3"},
			`--set workloads.api.replicas=3: no item named "api" in workloads; names are: web`},
		{"set index out of range", base, []string{"updates.1.every=5m"},
			`--set updates.1.every=5m: index 1 is out of range: updates has 1 items`},
		{"set by name on unnamed items", base, []string{"updates.x.every=5m"},
			`--set updates.x.every=5m: updates items have no name; address them by index 0..0`},
		{"set inside scalar", base, []string{"cluster.nodes.x=1"},
			`--set cluster.nodes.x=1: cluster.nodes is integer 3, so "x" cannot be set inside it`},
		{"set no equals", base, []string{"cluster.nodes"},
			`--set cluster.nodes: expected PATH=VALUE, e.g. cluster.nodes=10`},
		{"set empty segment", base, []string{"cluster..nodes=1"},
			`--set cluster..nodes=1: path "cluster..nodes" has an empty segment`},
		{"set bad yaml", base, []string{"cluster.nodes=[1"},
			`--set cluster.nodes=[1: value is not valid YAML: line 1: did not find expected ',' or ']'`},
		{"set makes a mount dangle", base, []string{"objects.app-config.name=other"},
			`workloads[0].mounts[0].object: no object named "app-config"; objects are: other (t.yaml:13:18)`},
		{"set creates a key that is missing", base, []string{"cluster.apiserver.getLatency.distribution=uniform"},
			`--set cluster.apiserver.getLatency.distribution=uniform: cluster.apiserver.getLatency.min: required key is missing for distribution uniform`},

		// sweep
		{"sweep bad path", base + "sweep:\n  cluster.nodez: [1, 2]\n", nil,
			`sweep.cluster.nodez: unknown key "nodez" under cluster; allowed keys: nodes, start, kubeAPIAccess, kubelet, apiserver (t.yaml:17:3)`},
		{"sweep bad value", base + "sweep:\n  cluster.nodes: [1, 0]\n", nil,
			`sweep.cluster.nodes[1]: value 0 is invalid: cluster.nodes: must be > 0 (allowed: 1..100000) (t.yaml:17:22)`},
		{"sweep bad strategy", base + "sweep:\n  cluster.kubelet.changeDetectionStrategy: [Get, cache]\n", nil,
			`sweep.cluster.kubelet.changeDetectionStrategy[1]: value cache is invalid: cluster.kubelet.changeDetectionStrategy: "cache" is not one of Get, Cache, Watch (t.yaml:17:50)`},
		{"sweep by name missing", base + "sweep:\n  workloads.api.replicas: [1]\n", nil,
			`sweep.workloads.api.replicas: no item named "api" in workloads; names are: web (t.yaml:17:3)`},
		{"sweep not a list", base + "sweep:\n  cluster.nodes: 3\n", nil,
			`sweep.cluster.nodes: expected a list of values, got integer 3 (t.yaml:17:18)`},
		{"sweep empty list", base + "sweep:\n  cluster.nodes: []\n", nil,
			`sweep.cluster.nodes: must list at least one value (t.yaml:17:18)`},
		{"sweep non-scalar", base + "sweep:\n  cluster.nodes: [[1]]\n", nil,
			`sweep.cluster.nodes[0]: sweep values must be scalars, got a list (t.yaml:17:19)`},
		{"sweep duplicate axis", base + "sweep:\n  cluster.nodes: [1]\n  cluster.nodes: [2]\n", nil,
			`sweep.cluster.nodes: duplicate key; first defined at line 17 (t.yaml:18:3)`},
		{"zip lengths", base + "zip: true\nsweep:\n  cluster.nodes: [1, 2]\n  seed: [1, 2, 3]\n", nil,
			`sweep.seed: has 3 values but sweep.cluster.nodes has 2; with zip: true every axis needs the same number of values (t.yaml:19:3)`},
		{"grid too large", base + "sweep:\n  seed: [" + strings.Repeat("1, ", 100) + "1]\n  replications: [" + strings.Repeat("1, ", 100) + "1]\n", nil,
			`sweep: the grid has more than 10000 points; sweep fewer values or use zip: true (t.yaml:17:3)`},
		{"sweep the sweep", base + "sweep:\n  sweep.x: [1]\n", nil,
			`sweep.sweep.x: cannot sweep the sweep itself (t.yaml:17:3)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load("t.yaml", []byte(tt.doc), tt.sets)
			if err == nil {
				t.Fatalf("no error, want %s", tt.want)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not *Error: %v", err, err)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got: %s\nwant: %s", err, tt.want)
			}
		})
	}
}

func TestSet(t *testing.T) {
	doc := base + "output:\n"
	s, err := Load("t.yaml", []byte(doc), []string{
		"workloads.web.replicas=100",            // list item by name
		"objects.app-config.sizeBytes=4096",     // by name
		"updates.0.at=[5m, 20m]",                // by index, YAML fragment value
		"cluster.kubelet.cacheTTL=30s",          // creates kubelet:
		"cluster.apiserver.getLatency.mean=1ms", // creates apiserver: and getLatency:
		"cluster.apiserver.getLatency.distribution=exponential",
		"output.bucket=1m", // output: is null in the file
		"description=",     // empty value: empty string
		"workloads.0.mounts.0.items=[a.conf, b]",
		"seed=42",
	})
	if err != nil {
		t.Fatal(err)
	}
	if s.Workloads[0].Replicas != 100 || s.Objects[0].SizeBytes != 4096 ||
		!reflect.DeepEqual(s.Updates[0].At, []time.Duration{5 * time.Minute, 20 * time.Minute}) ||
		s.Cluster.Kubelet.CacheTTL != (CacheTTL{Mode: TTLFixed, TTL: 30 * time.Second}) ||
		s.Cluster.APIServer.GetLatency != (Dist{Kind: DistExponential, Mean: time.Millisecond}) ||
		s.Output.Bucket != time.Minute || s.Seed != 42 ||
		!reflect.DeepEqual(s.Workloads[0].Mounts[0].Items, []string{"a.conf", "b"}) {
		t.Errorf("overrides not applied: %+v", s)
	}
	// The later --set wins; --set can replace a whole mapping.
	s, err = Load("t.yaml", []byte(base), []string{"cluster.nodes=5", "cluster.nodes=9", "cluster={nodes: 4, start: cold}"})
	if err != nil || s.Cluster.Nodes != 4 || s.Cluster.Start != StartCold {
		t.Errorf("got %+v, %v", s, err)
	}
	// An alias shared by two items is not changed through the other one.
	aliased := strings.Replace(base, "  - {kind: ConfigMap, name: app-config}\n",
		"  - &o {kind: ConfigMap, name: app-config, count: 2}\n  - {kind: Secret, name: s2}\n", 1)
	s, err = Load("t.yaml", []byte(aliased), []string{"objects.1.name=other"})
	if err != nil || s.Objects[0].Name != "app-config" || s.Objects[1].Name != "other" {
		t.Errorf("got %+v, %v", s, err)
	}
	// --set can add a sweep axis (the rest of the path is the axis).
	s, err = Load("t.yaml", []byte(base), []string{"sweep.cluster.kubelet.syncFrequency=[10s, 20s]"})
	if err != nil || len(s.Sweep) != 1 || s.Sweep[0].Path != "cluster.kubelet.syncFrequency" {
		t.Fatalf("got %+v, %v", s, err)
	}
}

func TestSweepGrid(t *testing.T) {
	doc := base + `sweep:
  cluster.kubelet.changeDetectionStrategy: [Get, Cache, Watch]
  cluster.kubelet.syncFrequency: [10s, 1m]
`
	s, err := Load("t.yaml", []byte(doc), []string{"cluster.nodes=11"})
	if err != nil {
		t.Fatal(err)
	}
	pts, err := s.Points()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i, p := range pts {
		if p.Index != i {
			t.Errorf("point %d has Index %d", i, p.Index)
		}
		k := p.Scenario.Cluster.Kubelet
		if k.ChangeDetectionStrategy != p.Params[0].Value || FormatDuration(k.SyncFrequency) != p.Params[1].Value {
			t.Errorf("point %d: params %v but kubelet %+v", i, p.Params, k)
		}
		if p.Scenario.Cluster.Nodes != 11 || len(p.Scenario.Sweep) != 0 {
			t.Errorf("point %d: --set lost or sweep kept: %+v", i, p.Scenario)
		}
		got = append(got, p.Params[0].String()+" "+p.Params[1].String())
	}
	want := []string{
		"cluster.kubelet.changeDetectionStrategy=Get cluster.kubelet.syncFrequency=10s",
		"cluster.kubelet.changeDetectionStrategy=Get cluster.kubelet.syncFrequency=1m",
		"cluster.kubelet.changeDetectionStrategy=Cache cluster.kubelet.syncFrequency=10s",
		"cluster.kubelet.changeDetectionStrategy=Cache cluster.kubelet.syncFrequency=1m",
		"cluster.kubelet.changeDetectionStrategy=Watch cluster.kubelet.syncFrequency=10s",
		"cluster.kubelet.changeDetectionStrategy=Watch cluster.kubelet.syncFrequency=1m",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("grid\n got: %q\nwant: %q", got, want)
	}

	// zip pairs the axes; names and quoted strings work.
	doc = base + `zip: true
sweep:
  workloads.web.replicas: [1, 2, 3]
  objects.0.sizeBytes: [10, 20, 30]
  description: ["1", two, "3"]
`
	s, err = Load("t.yaml", []byte(doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	pts, err = s.Points()
	if err != nil || len(pts) != 3 {
		t.Fatalf("Points() = %d points, %v", len(pts), err)
	}
	for i, p := range pts {
		if p.Scenario.Workloads[0].Replicas != i+1 || p.Scenario.Objects[0].SizeBytes != 10*(i+1) || p.Scenario.Description != p.Params[2].Value {
			t.Errorf("point %d: %+v", i, p.Scenario)
		}
	}

	// A combination can be invalid even when each value is valid alone.
	doc = base + "sweep:\n  duration: [1h, 5m]\n  updates.0.at: [\"[1m]\", \"[30m]\"]\n"
	if _, err := Load("t.yaml", []byte(doc), nil); err == nil {
		t.Fatal("sweep values must be scalars: no error")
	}
	doc = base + "sweep:\n  duration: [1h, 5m]\n  cluster.nodes: [1, 2]\n"
	s, err = Load("t.yaml", []byte(doc), nil)
	if err == nil {
		// 5m alone is invalid (at: 10m is after it).
		t.Fatalf("no error for duration 5m with an update at 10m")
	}
	if want := "sweep.duration[1]: value 5m is invalid: updates[0].at[0]: 10m is after the end of the scenario (duration 5m) (t.yaml:17:18)"; err.Error() != want {
		t.Errorf("error\n got: %s\nwant: %s", err, want)
	}
}

func TestResolvedRoundTrip(t *testing.T) {
	docs := map[string][]byte{}
	for _, b := range Builtins() {
		docs[b.Name], _ = Builtin(b.Name)
	}
	docs["full"] = []byte(`apiVersion: cmsim/v1
kind: Scenario
name: full
description: 'quotes: "x" and # hash'
seed: 18446744073709551615
duration: 90m
cluster:
  nodes: 2
  start: cold
  kubelet: {syncFrequency: 1.5s, changeDetectionStrategy: Cache, cacheTTL: 0}
  apiserver: {getLatency: {distribution: lognormal, median: 3ms, sigma: 1e-3}, watchDelay: {distribution: uniform, min: 0s, max: 1ms}}
objects:
  - {kind: ConfigMap, name: a, count: 1000000, sizeBytes: 1048576, immutableFraction: 0.3}
  - {kind: Secret, namespace: ns2, name: b, immutable: true}
workloads:
  - {name: w1, replicas: 3, mounts: [{object: a, select: by-index, as: projected, items: [x, y]}, {object: a, as: subPath}]}
  - {name: w2, namespace: ns2, podsPerNode: 1, mounts: [{object: b, as: envFrom}]}
updates:
  - {object: a, every: 1m30s, start: 10m}
  - {object: b, poissonPerMinute: 0.5}
  - {object: a, at: [0s, 90m]}
output: {bucket: 1m}
replications: 1000
zip: true
sweep:
  description: ["1", "true", x]
  cluster.apiserver.getLatency.sigma: [0, 0.5, 1]
`)
	for name, data := range docs {
		t.Run(name, func(t *testing.T) {
			s, err := Load(name, data, nil)
			if err != nil {
				t.Fatal(err)
			}
			y := s.ResolvedYAML()
			s2, err := Load(name, y, nil)
			if err != nil {
				t.Fatalf("resolved YAML does not load: %v\n%s", err, y)
			}
			assertEqual(t, s2, s)
			if y2 := s2.ResolvedYAML(); string(y2) != string(y) {
				t.Errorf("ResolvedYAML is not stable:\n%s\n---\n%s", y, y2)
			}
			p1, err1 := s.Points()
			p2, err2 := s2.Points()
			if err1 != nil || err2 != nil || len(p1) != len(p2) {
				t.Fatalf("points: %v %v", err1, err2)
			}
			for i := range p1 {
				assertEqual(t, p2[i].Scenario, p1[i].Scenario)
			}
		})
	}
}

func TestResolvedOrder(t *testing.T) {
	s, err := Load("t.yaml", []byte(base), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := `apiVersion: cmsim/v1
kind: Scenario
name: t
seed: 1
duration: 1h
cluster:
  nodes: 3
  start: warm
  kubelet:
    syncFrequency: 1m
    changeDetectionStrategy: Watch
    cacheTTL: auto
  apiserver:
    getLatency: {distribution: exponential, mean: 5ms}
    watchDelay: {distribution: exponential, mean: 50ms}
objects:
  - {kind: ConfigMap, namespace: default, name: app-config, count: 1, sizeBytes: 1024, immutable: false, immutableFraction: 0.0}
workloads:
  - name: web
    namespace: default
    replicas: 2
    mounts:
      - {object: app-config, select: all, as: volume}
updates:
  - {object: app-config, at: [10m]}
output:
  bucket: 10s
replications: 1
zip: false
`
	if got := string(s.ResolvedYAML()); got != want {
		t.Errorf("ResolvedYAML\n%s\nwant\n%s", got, want)
	}
	// A Scenario built by hand (no source) can still expand its points.
	s.src = nil
	s.Sweep = []SweepAxis{{Path: "seed", Values: []string{"1", "2"}, tags: []string{"!!int", "!!int"}}}
	pts, err := s.Points()
	if err != nil || len(pts) != 2 || pts[1].Scenario.Seed != 2 {
		t.Errorf("Points() = %+v, %v", pts, err)
	}
}

func TestFmtDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", time.Hour: "1h", 90 * time.Minute: "1h30m", 61 * time.Second: "1m1s", 5 * time.Millisecond: "5ms",
		1500 * time.Millisecond: "1.5s", 720 * time.Hour: "720h", -time.Second: "-1s",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "my.yaml")
	if err := os.WriteFile(p, []byte(edit(t, "nodes: 3", "nodes: x")), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadFile(p, nil)
	if err == nil || !strings.HasSuffix(err.Error(), "("+p+":6:10)") {
		t.Errorf("LoadFile(file) error = %v", err)
	}
	s, err := LoadFile("quickstart", []string{"cluster.nodes=4"})
	if err != nil || s.Source != "builtin:quickstart" || s.Cluster.Nodes != 4 {
		t.Errorf("LoadFile(quickstart) = %+v, %v", s, err)
	}
	if _, err := LoadFile("nope", nil); err == nil || !strings.Contains(err.Error(), "built-ins are: bench-cache-150k") {
		t.Errorf("LoadFile(nope) error = %v", err)
	}
	if _, err := LoadFile("quickstart.yaml", nil); err == nil {
		t.Error("LoadFile(quickstart.yaml) loaded a built-in")
	}
}

// TestRestartsRoundTrip: restarts load with their defaults, survive
// ResolvedYAML, and reach the model config.
func TestRestartsRoundTrip(t *testing.T) {
	s, err := Load("t.yaml", []byte(base+"restarts:\n  - {workload: web, at: [20m, 40m], spread: 2m}\n  - {workload: web, every: 15m}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []Restart{
		{Workload: "web", At: []time.Duration{20 * time.Minute, 40 * time.Minute}, Spread: 2 * time.Minute},
		{Workload: "web", Every: 15 * time.Minute},
	}
	if !reflect.DeepEqual(s.Restarts, want) {
		t.Fatalf("restarts = %+v, want %+v", s.Restarts, want)
	}
	s2, err := Load("r.yaml", s.ResolvedYAML(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s2.Restarts, want) {
		t.Fatalf("after ResolvedYAML: %+v", s2.Restarts)
	}
	cfg, err := s.ModelConfig(1)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Restarts) != 2 || cfg.Restarts[0].Workload != 0 || cfg.Restarts[1].Every != 15*time.Minute {
		t.Fatalf("model restarts = %+v", cfg.Restarts)
	}
	if _, err := Load("t.yaml", []byte(base), []string{"restarts=[{workload: web, at: [5m]}]"}); err != nil {
		t.Fatalf("--set restarts: %v", err)
	}
}

// TestKubeAPIAccess: every pod gets a projected volume reading its
// namespace's kube-root-ca.crt, and the key survives ResolvedYAML.
func TestKubeAPIAccess(t *testing.T) {
	src := strings.Replace(base, "  nodes: 3\n", "  nodes: 3\n  kubeAPIAccess: true\n", 1) +
		"  - {name: api, namespace: prod, replicas: 1, mounts: [{object: prod-config}]}\n"
	src = strings.Replace(src, "  - {kind: ConfigMap, name: app-config}\n", "  - {kind: ConfigMap, name: app-config}\n  - {kind: ConfigMap, namespace: prod, name: prod-config}\n", 1)
	src = strings.Replace(src, "updates:\n  - {object: app-config, at: [10m]}\n", "", 1)
	src += "updates:\n  - {object: app-config, at: [10m]}\n"
	s, err := Load("t.yaml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Cluster.KubeAPIAccess {
		t.Fatal("kubeAPIAccess not set")
	}
	s2, err := Load("r.yaml", s.ResolvedYAML(), nil)
	if err != nil || !s2.Cluster.KubeAPIAccess {
		t.Fatalf("after ResolvedYAML: %v, %v", err, s2.Cluster.KubeAPIAccess)
	}
	cfg, err := s.ModelConfig(1)
	if err != nil {
		t.Fatal(err)
	}
	var roots []string
	for i, o := range cfg.Objects {
		if o.Name == "kube-root-ca.crt" {
			roots = append(roots, o.Namespace)
			for _, w := range cfg.Workloads {
				last := w.Mounts[len(w.Mounts)-1]
				if w.Namespace == o.Namespace && (last.Objects[0] != i || last.As.String() != "projected") {
					t.Fatalf("workload %s does not mount its kube-root-ca.crt: %+v", w.Name, last)
				}
			}
		}
	}
	if strings.Join(roots, ",") != "default,prod" {
		t.Fatalf("kube-root-ca.crt in namespaces %v, want default and prod", roots)
	}
	plain, _ := Load("t.yaml", []byte(base), nil)
	if bytes.Contains(plain.ResolvedYAML(), []byte("kubeAPIAccess")) {
		t.Fatal("kubeAPIAccess written when false")
	}
}
