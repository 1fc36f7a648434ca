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

	"cmsim/model"
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
	want := []string{"apiserver-imbalance", "apiserver-restart", "bench-cache-150k", "bench-get-150k", "bench-watch-150k", "bench-watch-15k", "bench-watch-2m",
		"cluster-size", "immutable", "node-upgrade", "quickstart", "reloader", "rollout", "saturation", "scale-up", "strategies", "sync-frequency", "versions"}
	var got []string
	for _, b := range list {
		got = append(got, b.Name)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Builtins() = %v, want %v", got, want)
	}
	wantPoints := map[string]int{"rollout": 3, "strategies": 3, "sync-frequency": 12, "cluster-size": 27, "immutable": 5,
		"apiserver-imbalance": 3, "apiserver-restart": 3, "node-upgrade": 3, "scale-up": 2, "saturation": 15, "versions": 24}
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
		// Comparable with the peers and earlier versions: no implicit references.
		if c.KubeAPIAccess || c.ImagePullSecret {
			t.Errorf("%s: kubeAPIAccess %v, imagePullSecret %v; want both false", name, c.KubeAPIAccess, c.ImagePullSecret)
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
		Cluster: Cluster{Nodes: 3, Start: "warm", KubeAPIAccess: true, ImagePullSecret: true,
			Kubelet:   defaultKubelet,
			APIServer: defaultAPIServer},
		Objects: []Object{{Kind: "ConfigMap", Namespace: "default", Name: "app-config", Count: 1, SizeBytes: 2048}},
		Workloads: []Workload{{Name: "web", Namespace: "default", Replicas: 6, AutomountServiceAccountToken: true, TerminationGracePeriod: 30 * time.Second,
			Mounts: []Mount{{Object: "app-config", Select: "all", As: "volume"}}}},
		Updates:      []Update{{Object: "app-config", At: []time.Duration{10 * time.Minute, 30 * time.Minute}}},
		Output:       Output{Bucket: 10 * time.Second},
		Replications: 1,
	}
	assertEqual(t, s, want)
}

// defaultKubelet is cluster.kubelet with every default.
var defaultKubelet = Kubelet{Version: "1.37", SyncFrequency: time.Minute, ChangeDetectionStrategy: "Watch", CacheTTL: CacheTTL{Mode: "auto"}, KubeAPIQPS: 50, KubeAPIBurst: 100, qpsDefault: true, burstDefault: true}

// defaultAPIServer is cluster.apiserver with every default.
var defaultAPIServer = APIServer{
	Replicas: 1, WatchCacheInit: 5 * time.Second, WatchCacheHistory: 75 * time.Second,
	GetLatency: Dist{Kind: "exponential", Mean: 5 * time.Millisecond},
	WatchDelay: Dist{Kind: "exponential", Mean: 50 * time.Millisecond},
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
		Cluster: Cluster{Nodes: 7, Start: "warm", KubeAPIAccess: true, ImagePullSecret: true,
			Kubelet:   defaultKubelet,
			APIServer: defaultAPIServer},
		Objects: []Object{{Kind: "Secret", Namespace: "default", Name: "s", Count: 1, SizeBytes: 1024}},
		Workloads: []Workload{{Name: "w", Namespace: "default", PodsPerNode: 2, AutomountServiceAccountToken: true, TerminationGracePeriod: 30 * time.Second,
			Mounts: []Mount{{Object: "s", Select: "all", As: "volume"}}}},
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
			"cluster.colour: unknown key; allowed keys: nodes, start, kubeAPIAccess, imagePullSecret, kubelet, apiserver (t.yaml:7:3)"},
		{"unknown key in list item", edit(t, "name: app-config}", "name: app-config, colour: red}"), nil,
			"objects[0].colour: unknown key; allowed keys: kind, namespace, name, count, sizeBytes, immutable, immutableFraction (t.yaml:8:41)"},
		{"unknown top-level key", edit(t, "name: t\n", "name: t\nnodes: 3\n"), nil,
			"nodes: unknown key; allowed keys: apiVersion, kind, name, description, seed, duration, cluster, objects, workloads, updates, restarts, faults, output, replications, sweep, zip (t.yaml:4:1)"},
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
		{"dist without distribution: the default's kind", edit(t, "  nodes: 3\n", "  nodes: 3\n  apiserver: {getLatency: {median: 4ms}}\n"), nil,
			"cluster.apiserver.getLatency.median: unknown key for distribution exponential (the default; set distribution for another kind); allowed keys: distribution, mean (t.yaml:7:28)"},
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
			"workloads[0].podsPerNode: cannot be combined with replicas; set exactly one of replicas, podsPerNode and job (t.yaml:12:18)"},
		{"neither replicas nor podsPerNode", edit(t, "    replicas: 2\n", ""), nil,
			"workloads[0].replicas: required key is missing; set exactly one of replicas, podsPerNode and job (t.yaml:10:5)"},
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
			"invalid YAML: found a tab character that violates indentation (t.yaml:2:1)"},
		// yaml.v3 reports these at the line above the tab.
		{"tab indentation nested", edit(t, "  nodes: 3\n", "  nodes: 3\n\tfoo: 1\n"), nil,
			"invalid YAML: found a tab character that violates indentation (t.yaml:7:1)"},
		{"tab after spaces", "a:\n  x: 1\n  y:\n    z: 1\n  \tw: 2\n", nil,
			"invalid YAML: found a tab character that violates indentation (t.yaml:5:3)"},
		{"two documents", base + "---\nname: x\n", nil,
			"a scenario file holds one YAML document; found a second one (t.yaml:16:1)"},
		{"empty", "", nil,
			"empty scenario; expected a mapping with apiVersion, kind, name, duration, cluster, objects and workloads (t.yaml:1:1)"},
		{"not a mapping", "- a\n", nil,
			"expected a mapping, got a list (t.yaml:1:1)"},
		{"merge key", base + "x: &x {a: 1}\n<<: *x\n", nil,
			"x: unknown key; allowed keys: apiVersion, kind, name, description, seed, duration, cluster, objects, workloads, updates, restarts, faults, output, replications, sweep, zip (t.yaml:16:1)"},

		// --set
		{"set unknown key", base, []string{"cluster.nodez=3"},
			`--set cluster.nodez=3: unknown key "nodez" under cluster; allowed keys: nodes, start, kubeAPIAccess, imagePullSecret, kubelet, apiserver`},
		{"set unknown top key", base, []string{"nodes=3"},
			`--set nodes=3: unknown key "nodes" under the top level; allowed keys: apiVersion, kind, name, description, seed, duration, cluster, objects, workloads, updates, restarts, faults, output, replications, sweep, zip`},
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

		// jobs, pull secrets, the apiserver's replicas and faults
		{"two of replicas, podsPerNode and job", edit(t, "    replicas: 2\n", "    replicas: 2\n    job: {every: 5m, runFor: 1m}\n"), nil,
			"workloads[0].job: cannot be combined with replicas; set exactly one of replicas, podsPerNode and job (t.yaml:12:10)"},
		{"job without runFor", edit(t, "    replicas: 2\n", "    job: {every: 5m}\n"), nil,
			"workloads[0].job.runFor: required key is missing (t.yaml:11:10)"},
		{"job without arrivals", edit(t, "    replicas: 2\n", "    job: {runFor: 1m}\n"), nil,
			"workloads[0].job.at: required key is missing; set exactly one of at, every and poissonPerMinute (t.yaml:11:10)"},
		{"job start with at", edit(t, "    replicas: 2\n", "    job: {at: [1m], start: 1m, runFor: 1m}\n"), nil,
			"workloads[0].job.start: only allowed with every or poissonPerMinute (t.yaml:11:28)"},
		{"job after the end", edit(t, "    replicas: 2\n", "    job: {at: [5m, 61m], runFor: 1m}\n"), nil,
			"workloads[0].job.at[1]: 1h1m is after the end of the scenario (duration 1h) (t.yaml:11:20)"},
		{"job parallelism 0", edit(t, "    replicas: 2\n", "    job: {every: 5m, parallelism: 0, runFor: 1m}\n"), nil,
			"workloads[0].job.parallelism: must be > 0 (allowed: 1..100000) (t.yaml:11:35)"},
		{"job runFor 0", edit(t, "    replicas: 2\n", "    job: {every: 5m, runFor: 0s}\n"), nil,
			"workloads[0].job.runFor: must be > 0, got 0s (t.yaml:11:30)"},
		{"job too many pods", edit(t, "    replicas: 2\n", "    job: {poissonPerMinute: 3000, parallelism: 100, runFor: 1m}\n"), nil,
			"workloads[0].job: about 18000000 job pods over the run (arrivals × parallelism) would bring the cluster to 18000000 pods or more; at most 10000000 allowed (t.yaml:11:10)"},
		{"job rate overflows", edit(t, "    replicas: 2\n", "    job: {poissonPerMinute: 1e308, start: 1h, runFor: 1m}\n"), nil,
			"workloads[0].job.poissonPerMinute: 1e+308 is too large (t.yaml:11:29)"},
		{"negative grace period", edit(t, "    replicas: 2\n", "    replicas: 2\n    terminationGracePeriod: -1s\n"), nil,
			"workloads[0].terminationGracePeriod: must be >= 0, got -1s (t.yaml:12:29)"},
		{"pull secret naming a ConfigMap", edit(t, "    replicas: 2\n", "    replicas: 2\n    imagePullSecrets: [app-config]\n"), nil,
			`workloads[0].imagePullSecrets[0]: imagePullSecrets must name Secret objects; "app-config" is a ConfigMap (t.yaml:12:24)`},
		{"unknown pull secret", edit(t, "    replicas: 2\n", "    replicas: 2\n    imagePullSecrets: [regcred]\n"), nil,
			`workloads[0].imagePullSecrets[0]: no object named "regcred"; objects are: app-config (t.yaml:12:24)`},
		{"pull secret in another namespace", strings.Replace(edit(t, "    replicas: 2\n", "    replicas: 2\n    imagePullSecrets: [regcred]\n"), "objects:\n", "objects:\n  - {kind: Secret, namespace: ci, name: regcred}\n", 1), nil,
			`workloads[0].imagePullSecrets[0]: Secret "regcred" is in namespace "ci" but the workload is in namespace "default"; pods can only reference objects in their own namespace (t.yaml:13:24)`},
		{"duplicate pull secret", edit(t, "    replicas: 2\n", "    replicas: 2\n    imagePullSecrets: [a, a]\n"), nil,
			`workloads[0].imagePullSecrets[1]: duplicate name "a" (t.yaml:12:27)`},
		{"pull secrets not a list", edit(t, "    replicas: 2\n", "    replicas: 2\n    imagePullSecrets: regcred\n"), nil,
			`workloads[0].imagePullSecrets: expected a list of Secret names, got string "regcred" (t.yaml:12:23)`},
		{"object named like the implicit pull secret", edit(t, "objects:\n", "objects:\n  - {kind: Secret, name: default-dockercfg}\n"), nil,
			`objects[0].name: "default-dockercfg" is the name of the implicit pull secret of cluster.imagePullSecret: true; use another name or set cluster.imagePullSecret: false (t.yaml:8:26)`},
		{"zero apiserver replicas", edit(t, "  nodes: 3\n", "  nodes: 3\n  apiserver: {replicas: 0}\n"), nil,
			"cluster.apiserver.replicas: must be > 0 (allowed: 1..100) (t.yaml:7:25)"},
		{"too many apiserver replicas", edit(t, "  nodes: 3\n", "  nodes: 3\n  apiserver: {replicas: 101}\n"), nil,
			"cluster.apiserver.replicas: 101 is out of range; allowed: 1..100 (t.yaml:7:25)"},
		{"goawayChance above upstream's limit", edit(t, "  nodes: 3\n", "  nodes: 3\n  apiserver: {goawayChance: 0.05}\n"), nil,
			"cluster.apiserver.goawayChance: must be between 0 and 0.02 (0: off) (t.yaml:7:29)"},
		{"zero watchCacheHistory", edit(t, "  nodes: 3\n", "  nodes: 3\n  apiserver: {watchCacheHistory: 0s}\n"), nil,
			"cluster.apiserver.watchCacheHistory: must be > 0, got 0s (t.yaml:7:34)"},
		{"negative watchCacheInit", edit(t, "  nodes: 3\n", "  nodes: 3\n  apiserver: {watchCacheInit: -1s}\n"), nil,
			"cluster.apiserver.watchCacheInit: must be >= 0, got -1s (t.yaml:7:31)"},
		{"fault naming an unknown replica", base + "faults:\n  - {kind: apiserverRestart, at: [5m], replica: 2, downtime: 1m}\n", nil,
			"faults[0].replica: no replica 2; cluster.apiserver.replicas is 1 (replicas 0..0) (t.yaml:17:49)"},
		{"fault naming a negative replica", strings.Replace(base, "  nodes: 3\n", "  nodes: 3\n  apiserver: {replicas: 3}\n", 1) + "faults:\n  - {kind: apiserverRestart, at: [5m], replica: -1, downtime: 1m}\n", nil,
			`faults[0].replica: no replica -1; replicas are numbered from 0, or use "all" (t.yaml:18:49)`},
		{"fault replica not all", base + "faults:\n  - {kind: apiserverRestart, at: [5m], replica: every, downtime: 1m}\n", nil,
			`faults[0].replica: "every" is not "all" or a replica number (t.yaml:17:49)`},
		{"apiserver downtime 0", base + "faults:\n  - {kind: apiserverRestart, at: [5m], downtime: 0s}\n", nil,
			"faults[0].downtime: must be > 0, got 0s (t.yaml:17:50)"},
		{"kubelet downtime negative", base + "faults:\n  - {kind: kubeletRestart, every: 10m, downtime: -1s}\n", nil,
			"faults[0].downtime: must be > 0, got -1s (t.yaml:17:50)"},
		{"apiserver downtime missing", base + "faults:\n  - {kind: apiserverRestart, at: [5m]}\n", nil,
			"faults[0].downtime: required key is missing (t.yaml:17:5)"},
		{"fault without kind", base + "faults:\n  - {at: [5m]}\n", nil,
			"faults[0].kind: required key is missing; use one of apiserverRestart, kubeletRestart, nodeJoin, nodeLeave (t.yaml:17:5)"},
		{"fault of unknown kind", base + "faults:\n  - {kind: nodeReboot, at: [5m]}\n", nil,
			`faults[0].kind: "nodeReboot" is not one of apiserverRestart, kubeletRestart, nodeJoin, nodeLeave (t.yaml:17:12)`},
		{"fault key of another kind", base + "faults:\n  - {kind: nodeJoin, at: [5m], nodes: 1, downtime: 1m}\n", nil,
			"faults[0].downtime: unknown key for kind nodeJoin; allowed keys: kind, at, every, start, poissonPerHour, nodes, spread (t.yaml:17:42)"},
		{"fault unknown key", base + "faults:\n  - {kind: nodeJoin, at: [5m], count: 1}\n", nil,
			"faults[0].count: unknown key; allowed keys: kind, at, every, start, poissonPerHour, replica, nodes, spread, downtime (t.yaml:17:32)"},
		{"fault at and poisson", base + "faults:\n  - {kind: kubeletRestart, at: [5m], poissonPerHour: 2}\n", nil,
			"faults[0].poissonPerHour: cannot be combined with at; set exactly one of at, every and poissonPerHour (t.yaml:17:54)"},
		{"fault time after duration", base + "faults:\n  - {kind: kubeletRestart, at: [30m, 2h]}\n", nil,
			"faults[0].at[1]: 2h is after the end of the scenario (duration 1h) (t.yaml:17:38)"},
		{"fault start after duration", base + "faults:\n  - {kind: nodeJoin, every: 5m, start: 61m, nodes: 1}\n", nil,
			"faults[0].start: 1h1m is after the end of the scenario (duration 1h) (t.yaml:17:40)"},
		{"nodeJoin without nodes", base + "faults:\n  - {kind: nodeJoin, at: [5m]}\n", nil,
			"faults[0].nodes: required key is missing (t.yaml:17:5)"},
		{"nodes 0", base + "faults:\n  - {kind: nodeJoin, at: [5m], nodes: 0}\n", nil,
			`faults[0].nodes: must be > 0, got 0; use a node count >= 1 or a percentage such as "10%" (t.yaml:17:39)`},
		{"nodes 0%", base + "faults:\n  - {kind: nodeJoin, at: [5m], nodes: 0%}\n", nil,
			`faults[0].nodes: "0%" is not a node count >= 1 or a percentage such as "10%" (0% < P <= 100%) (t.yaml:17:39)`},
		{"nodes 150%", base + "faults:\n  - {kind: kubeletRestart, at: [5m], nodes: 150%}\n", nil,
			`faults[0].nodes: "150%" is not a node count >= 1 or a percentage such as "10%" (0% < P <= 100%) (t.yaml:17:45)`},
		{"nodes a list", base + "faults:\n  - {kind: nodeJoin, at: [5m], nodes: [1]}\n", nil,
			`faults[0].nodes: expected a node count >= 1 or a percentage such as "10%", got a list (t.yaml:17:39)`},
		{"nodeLeave empties the cluster", base + "faults:\n  - {kind: nodeLeave, every: 10m, nodes: 1}\n", nil,
			"faults[0].nodes: would take the cluster to 0 nodes at 30m; at least 1 node must remain (t.yaml:17:42)"},
		{"nodeLeave after joins", base + "faults:\n  - {kind: nodeJoin, at: [20m], nodes: 2}\n  - {kind: nodeLeave, every: 10m, nodes: 1}\n", nil,
			"faults[1].nodes: would take the cluster to 0 nodes at 50m; at least 1 node must remain (t.yaml:18:42)"},
		{"nodeLeave of every node", base + "faults:\n  - {kind: nodeLeave, at: [59m], nodes: 100%}\n", nil,
			"faults[0].nodes: would take the cluster to 0 nodes at 59m; at least 1 node must remain (t.yaml:17:41)"},
		{"nodeLeave by percent rounds up to 1", base + "faults:\n  - {kind: nodeLeave, every: 5m, nodes: 1%}\n", nil,
			"faults[0].nodes: would take the cluster to 0 nodes at 15m; at least 1 node must remain (t.yaml:17:41)"},
		{"Poisson nodeLeave counts expected arrivals", base + "faults:\n  - {kind: nodeLeave, poissonPerHour: 3, nodes: 1}\n", nil,
			"faults[0].nodes: would take the cluster to 0 nodes at 1h; at least 1 node must remain (t.yaml:17:49)"},
		{"nodeJoin past the node limit", strings.Replace(base, "nodes: 3", "nodes: 99999", 1) + "faults:\n  - {kind: nodeJoin, at: [5m], nodes: 5}\n", nil,
			"faults[0].nodes: would take the cluster to 100004 nodes at 5m; at most 100000 allowed (t.yaml:17:39)"},
		{"too many fault arrivals", base + "faults:\n  - {kind: kubeletRestart, every: 10ms}\n", nil,
			"faults[0]: about 360000 fault arrivals over the run, with the faults before it; at most 100000 allowed (t.yaml:17:5)"},
		{"set fault by bracket index", base + "faults:\n  - {kind: apiserverRestart, at: [5m], downtime: 1m}\n", []string{"faults[0].downtime=0s"},
			"--set faults[0].downtime=0s: faults[0].downtime: must be > 0, got 0s"},
		{"set bracket index out of range", base, []string{"updates[1].every=5m"},
			"--set updates[1].every=5m: index 1 is out of range: updates has 1 items"},
		{"set bracket without name", base, []string{"[0].every=5m"},
			`--set [0].every=5m: path "[0].every" has an empty segment`},

		// client rate limits and the apiserver's capacity
		{"negative kubeAPIQPS", edit(t, "  nodes: 3\n", "  nodes: 3\n  kubelet: {kubeAPIQPS: -1}\n"), nil,
			"cluster.kubelet.kubeAPIQPS: must be >= 0 (0: no limit) (t.yaml:7:25)"},
		{"kubeAPIBurst 0 with kubeAPIQPS", edit(t, "  nodes: 3\n", "  nodes: 3\n  kubelet: {kubeAPIQPS: 5, kubeAPIBurst: 0}\n"), nil,
			"cluster.kubelet.kubeAPIBurst: kubeAPIBurst must be >= 1 when kubeAPIQPS is set (kubeAPIQPS: 5) (t.yaml:7:42)"},
		{"negative kubeAPIBurst", edit(t, "  nodes: 3\n", "  nodes: 3\n  kubelet: {kubeAPIQPS: 0, kubeAPIBurst: -1}\n"), nil,
			"cluster.kubelet.kubeAPIBurst: -1 is out of range; allowed: 0..2147483647 (t.yaml:7:42)"},
		{"kubeAPIQPS a string", edit(t, "  nodes: 3\n", "  nodes: 3\n  kubelet: {kubeAPIQPS: fast}\n"), nil,
			"cluster.kubelet.kubeAPIQPS: expected a number, got string \"fast\" (t.yaml:7:25)"},
		{"capacity seats 0", edit(t, "  nodes: 3\n", "  nodes: 3\n  apiserver:\n    capacity:\n      seats: 0\n"), nil,
			"cluster.apiserver.capacity.seats: must be > 0 (allowed: 1..100000) (t.yaml:9:14)"},
		{"capacity seats too many", edit(t, "  nodes: 3\n", "  nodes: 3\n  apiserver:\n    capacity: {seats: 100001}\n"), nil,
			"cluster.apiserver.capacity.seats: 100001 is out of range; allowed: 1..100000 (t.yaml:8:23)"},
		{"capacity queues 0", edit(t, "  nodes: 3\n", "  nodes: 3\n  apiserver:\n    capacity: {queues: 0}\n"), nil,
			"cluster.apiserver.capacity.queues: must be > 0 (allowed: 1..1024) (t.yaml:8:24)"},
		{"handSize > queues", edit(t, "  nodes: 3\n", "  nodes: 3\n  apiserver:\n    capacity: {queues: 4, handSize: 5}\n"), nil,
			"cluster.apiserver.capacity.handSize: handSize (5) must be <= queues (4) (t.yaml:8:37)"},
		{"default handSize > queues", edit(t, "  nodes: 3\n", "  nodes: 3\n  apiserver:\n    capacity: {queues: 4}\n"), nil,
			"cluster.apiserver.capacity.queues: handSize (6) must be <= queues (4) (t.yaml:8:24)"},
		{"handSize above upstream's limit", edit(t, "  nodes: 3\n", "  nodes: 3\n  apiserver:\n    capacity: {handSize: 16}\n"), nil,
			"cluster.apiserver.capacity.handSize: 16 is out of range; allowed: 1..15 (t.yaml:8:26)"},
		{"queueLengthLimit 0", edit(t, "  nodes: 3\n", "  nodes: 3\n  apiserver:\n    capacity: {queueLengthLimit: 0}\n"), nil,
			"cluster.apiserver.capacity.queueLengthLimit: must be > 0 (allowed: 1..10000) (t.yaml:8:34)"},
		{"queueWaitLimit 0", edit(t, "  nodes: 3\n", "  nodes: 3\n  apiserver:\n    capacity: {queueWaitLimit: 0s}\n"), nil,
			"cluster.apiserver.capacity.queueWaitLimit: must be > 0, got 0s (t.yaml:8:32)"},
		{"capacity unknown key", edit(t, "  nodes: 3\n", "  nodes: 3\n  apiserver:\n    capacity: {concurrency: 10}\n"), nil,
			"cluster.apiserver.capacity.concurrency: unknown key; allowed keys: seats, queues, handSize, queueLengthLimit, queueWaitLimit, serviceTime, background (t.yaml:8:16)"},
		{"capacity not a mapping", edit(t, "  nodes: 3\n", "  nodes: 3\n  apiserver:\n    capacity: 74\n"), nil,
			"cluster.apiserver.capacity: expected a mapping, got integer 74 (t.yaml:8:15)"},
		{"service time constant 0s", edit(t, "  nodes: 3\n", "  nodes: 3\n  apiserver:\n    capacity:\n      serviceTime:\n        getEtcd: {distribution: constant, value: 0s}\n"), nil,
			"cluster.apiserver.capacity.serviceTime.getEtcd.value: service time must have a positive mean; value must be > 0, got 0s (t.yaml:10:50)"},
		{"service time lognormal median 0s", edit(t, "  nodes: 3\n", "  nodes: 3\n  apiserver:\n    capacity:\n      serviceTime:\n        list: {distribution: lognormal, median: 0s, sigma: 1}\n"), nil,
			"cluster.apiserver.capacity.serviceTime.list.median: service time must have a positive mean; median must be > 0, got 0s (t.yaml:10:49)"},
		{"service time uniform max 0s", edit(t, "  nodes: 3\n", "  nodes: 3\n  apiserver:\n    capacity:\n      serviceTime:\n        watch: {distribution: uniform, min: 0s, max: 0s}\n"), nil,
			"cluster.apiserver.capacity.serviceTime.watch.max: service time must have a positive mean; max must be > 0, got 0s (t.yaml:10:54)"},
		{"service time exponential mean 0s", edit(t, "  nodes: 3\n", "  nodes: 3\n  apiserver:\n    capacity:\n      serviceTime:\n        create: {distribution: exponential, mean: 0s}\n"), nil,
			"cluster.apiserver.capacity.serviceTime.create.mean: service time must have a positive mean; mean must be > 0, got 0s (t.yaml:10:51)"},
		{"service time default kind, median 0s", edit(t, "  nodes: 3\n", "  nodes: 3\n  apiserver:\n    capacity:\n      serviceTime:\n        getCache: {median: 0s}\n"), nil,
			"cluster.apiserver.capacity.serviceTime.getCache.median: service time must have a positive mean; median must be > 0, got 0s (t.yaml:10:28)"},
		{"service time unknown verb", edit(t, "  nodes: 3\n", "  nodes: 3\n  apiserver:\n    capacity:\n      serviceTime:\n        delete: {distribution: constant, value: 1ms}\n"), nil,
			"cluster.apiserver.capacity.serviceTime.delete: unknown key; allowed keys: getEtcd, getCache, list, watch, create (t.yaml:10:9)"},
		{"background without perSecond", edit(t, "  nodes: 3\n", "  nodes: 3\n  apiserver:\n    capacity:\n      background: {flows: 10}\n"), nil,
			"cluster.apiserver.capacity.background.perSecond: required key is missing (t.yaml:9:19)"},
		{"background perSecond 0", edit(t, "  nodes: 3\n", "  nodes: 3\n  apiserver:\n    capacity:\n      background: {perSecond: 0}\n"), nil,
			"cluster.apiserver.capacity.background.perSecond: must be > 0 (t.yaml:9:31)"},
		{"background seats > seats", edit(t, "  nodes: 3\n", "  nodes: 3\n  apiserver:\n    capacity:\n      seats: 10\n      background: {perSecond: 5, seats: 11}\n"), nil,
			"cluster.apiserver.capacity.background.seats: background seats (11) must be <= seats (10) (t.yaml:10:41)"},
		{"background flows 0", edit(t, "  nodes: 3\n", "  nodes: 3\n  apiserver:\n    capacity:\n      background: {perSecond: 5, flows: 0}\n"), nil,
			"cluster.apiserver.capacity.background.flows: must be > 0 (allowed: 1..1000000) (t.yaml:9:41)"},
		{"background service time 0", edit(t, "  nodes: 3\n", "  nodes: 3\n  apiserver:\n    capacity:\n      background: {perSecond: 5, serviceTime: {distribution: constant, value: 0s}}\n"), nil,
			"cluster.apiserver.capacity.background.serviceTime.value: service time must have a positive mean; value must be > 0, got 0s (t.yaml:9:79)"},
		{"background too many requests", edit(t, "  nodes: 3\n", "  nodes: 3\n  apiserver:\n    capacity:\n      background: {perSecond: 1e5}\n"), nil,
			"cluster.apiserver.capacity.background.perSecond: about 3.6e+08 background requests over the run (duration 1h); at most 100000000 allowed (t.yaml:9:31)"},
		{"set capacity seats 0", base, []string{"cluster.apiserver.capacity.seats=0"},
			"--set cluster.apiserver.capacity.seats=0: cluster.apiserver.capacity.seats: must be > 0 (allowed: 1..100000)"},
		{"set capacity unknown key", base, []string{"cluster.apiserver.capacity.seat=10"},
			"--set cluster.apiserver.capacity.seat=10: unknown key \"seat\" under cluster.apiserver.capacity; allowed keys: seats, queues, handSize, queueLengthLimit, queueWaitLimit, serviceTime, background"},
		{"set burst 0", base, []string{"cluster.kubelet.kubeAPIBurst=0"},
			"--set cluster.kubelet.kubeAPIBurst=0: cluster.kubelet.kubeAPIBurst: kubeAPIBurst must be >= 1 when kubeAPIQPS is set (kubeAPIQPS: 50)"},
		{"sweep handSize past queues", edit(t, "  nodes: 3\n", "  nodes: 3\n  apiserver:\n    capacity: {queues: 8}\n") + "sweep:\n  cluster.apiserver.capacity.handSize: [4, 9]\n", nil,
			"sweep.cluster.apiserver.capacity.handSize[1]: value 9 is invalid: cluster.apiserver.capacity.handSize: handSize (9) must be <= queues (8) (t.yaml:19:44)"},

		// sweep
		{"sweep bad path", base + "sweep:\n  cluster.nodez: [1, 2]\n", nil,
			`sweep.cluster.nodez: unknown key "nodez" under cluster; allowed keys: nodes, start, kubeAPIAccess, imagePullSecret, kubelet, apiserver (t.yaml:17:3)`},
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
  kubeAPIAccess: false
  kubelet: {syncFrequency: 1.5s, changeDetectionStrategy: Cache, cacheTTL: 0, kubeAPIQPS: 0, kubeAPIBurst: 0}
  apiserver: {replicas: 100, goawayChance: 2e-2, watchCacheInit: 0s, watchCacheHistory: 1ms, getLatency: {distribution: lognormal, median: 3ms, sigma: 1e-3}, watchDelay: {distribution: uniform, min: 0s, max: 1ms}}
objects:
  - {kind: ConfigMap, name: a, count: 1000000, sizeBytes: 1048576, immutableFraction: 0.3}
  - {kind: Secret, namespace: ns2, name: b, immutable: true}
workloads:
  - {name: w1, replicas: 3, imagePullSecrets: [], mounts: [{object: a, select: by-index, as: projected, items: [x, y]}, {object: a, as: subPath}]}
  - {name: w2, namespace: ns2, podsPerNode: 1, imagePullSecrets: [b], automountServiceAccountToken: false, mounts: [{object: b, as: envFrom}]}
  - {name: w3, namespace: ns2, job: {every: 1h, start: 30m, parallelism: 100000, runFor: 1.5s}, terminationGracePeriod: 1h30m, mounts: [{object: b}]}
updates:
  - {object: a, every: 1m30s, start: 10m}
  - {object: b, poissonPerMinute: 0.5}
  - {object: a, at: [0s, 90m]}
faults:
  - {kind: apiserverRestart, poissonPerHour: 0.1, start: 1h, replica: 99, downtime: 1ms}
  - {kind: kubeletRestart, at: [90m], nodes: 1e-3%}
  - {kind: nodeJoin, every: 45m, nodes: 49999, spread: 1m}
  - {kind: nodeLeave, at: [89m], nodes: 99.5%, spread: 10s}
output: {bucket: 1m}
replications: 1000
zip: true
sweep:
  description: ["1", "true", x]
  cluster.apiserver.getLatency.sigma: [0, 0.5, 1]
`)
	docs["capacity"] = []byte(edit(t, "  nodes: 3\n", `  nodes: 3
  kubelet: {kubeAPIQPS: 1e-3, kubeAPIBurst: 2147483647}
  apiserver:
    capacity:
      seats: 100000
      queues: 1024
      handSize: 15
      queueLengthLimit: 10000
      queueWaitLimit: 1ns
      serviceTime: {getCache: {distribution: uniform, min: 0s, max: 1ns}, watch: {median: 1ns, sigma: 3}}
      background: {perSecond: 0.001, flows: 1000000, seats: 3, serviceTime: {distribution: constant, value: 1h}}
`) + "sweep:\n  cluster.apiserver.capacity.seats: [3, 100000]\n  cluster.apiserver.capacity.background.seats: [1, 3]\nzip: true\n")
	docs["capacity-empty"] = []byte(edit(t, "  nodes: 3\n", "  nodes: 3\n  apiserver: {capacity: {}}\n"))
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
  kubeAPIAccess: true
  imagePullSecret: true
  kubelet:
    version: "1.37" # defaults: kubeAPIQPS: 50, kubeAPIBurst: 100
    syncFrequency: 1m
    changeDetectionStrategy: Watch
    cacheTTL: auto
  apiserver:
    # version: the kubelet's (1.37)
    replicas: 1
    goawayChance: 0.0
    watchCacheInit: 5s
    watchCacheHistory: 1m15s
    getLatency: {distribution: exponential, mean: 5ms}
    watchDelay: {distribution: exponential, mean: 50ms}
objects:
  - {kind: ConfigMap, namespace: default, name: app-config, count: 1, sizeBytes: 1024, immutable: false, immutableFraction: 0.0}
workloads:
  - name: web
    namespace: default
    replicas: 2
    automountServiceAccountToken: true
    terminationGracePeriod: 30s
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
	if _, err := LoadFile("nope", nil); err == nil || !strings.Contains(err.Error(), "built-ins are: apiserver-imbalance, apiserver-restart, bench-cache-150k") {
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
	// false is written too, now that the default is true.
	off, err := Load("t.yaml", []byte(base), []string{"cluster.kubeAPIAccess=false"})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(off.ResolvedYAML(), []byte("kubeAPIAccess: false")) {
		t.Fatalf("kubeAPIAccess: false not written:\n%s", off.ResolvedYAML())
	}
}

// TestNewKeyDefaults: the keys of cluster.apiserver, workloads, jobs and
// faults that a file leaves out get their documented defaults.
func TestNewKeyDefaults(t *testing.T) {
	doc := edit(t, "updates:", `  - name: batch
    job: {every: 10m, runFor: 2m}
    mounts: [{object: app-config}]
updates:`) + `faults:
  - {kind: apiserverRestart, at: [5m], downtime: 30s}
  - {kind: kubeletRestart, every: 20m}
  - {kind: nodeJoin, poissonPerHour: 2, nodes: 2}
  - {kind: nodeLeave, at: [50m], nodes: 10%}
`
	s, err := Load("t.yaml", []byte(doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	c := s.Cluster
	if !c.KubeAPIAccess || !c.ImagePullSecret || c.APIServer != defaultAPIServer {
		t.Errorf("cluster = %+v", c)
	}
	for _, w := range s.Workloads {
		if !w.AutomountServiceAccountToken || w.ImagePullSecrets != nil || w.TerminationGracePeriod != 30*time.Second {
			t.Errorf("workload %s = %+v", w.Name, w)
		}
	}
	if j := s.Workloads[1].Job; j == nil || !reflect.DeepEqual(*j, Job{Every: 10 * time.Minute, Parallelism: 1, RunFor: 2 * time.Minute}) {
		t.Errorf("job = %+v", j)
	}
	want := []Fault{
		{Kind: FaultAPIServerRestart, At: []time.Duration{5 * time.Minute}, Replica: ReplicaAll, Downtime: 30 * time.Second},
		{Kind: FaultKubeletRestart, Every: 20 * time.Minute, Downtime: 10 * time.Second, Nodes: NodeCount{Percent: 100}},
		{Kind: FaultNodeJoin, PoissonPerHour: 2, Nodes: NodeCount{N: 2}},
		{Kind: FaultNodeLeave, At: []time.Duration{50 * time.Minute}, Nodes: NodeCount{Percent: 10}},
	}
	if !reflect.DeepEqual(s.Faults, want) {
		t.Errorf("faults\n got: %+v\nwant: %+v", s.Faults, want)
	}
	// 2 replicas + 6 job arrivals × 1 pod.
	if n := s.ExpectedPods(); n != 8 {
		t.Errorf("ExpectedPods() = %v, want 8", n)
	}
}

// TestImplicitReferences: with kubeAPIAccess and imagePullSecret absent,
// every pod reads its namespace's kube-root-ca.crt through kube-api-access
// and its default-dockercfg pull secret, and requests tokens; with both off
// the model config is the one the scenario gave before either existed.
func TestImplicitReferences(t *testing.T) {
	s, err := Load("t.yaml", []byte(base), nil)
	if err != nil {
		t.Fatal(err)
	}
	on, err := s.ModelConfig(7)
	if err != nil {
		t.Fatal(err)
	}
	off, err := Load("t.yaml", []byte(base), []string{"cluster.kubeAPIAccess=false", "cluster.imagePullSecret=false"})
	if err != nil {
		t.Fatal(err)
	}
	old, err := off.ModelConfig(7)
	if err != nil {
		t.Fatal(err)
	}
	want := &model.Config{
		Seed: 7, Duration: time.Hour, Nodes: 3, SyncFrequency: time.Minute, Strategy: model.Watch, CacheTTLMode: model.TTLAuto,
		GetLatency: model.Dist{Kind: model.Exponential, A: 0.005}, WatchDelay: model.Dist{Kind: model.Exponential, A: 0.05},
		Replicas: 1, WatchCacheInit: 5 * time.Second, WatchCacheHistory: 75 * time.Second, KubeAPIQPS: 50, KubeAPIBurst: 100,
		KubeletRelease: model.Release{Minor: 37}, APIServerRelease: model.Release{Minor: 37},
		Objects:      []model.Object{{Kind: model.ConfigMap, Namespace: "default", Name: "app-config", SizeBytes: 1024}},
		ObjectGroups: []string{"app-config"},
		Workloads: []model.Workload{{Name: "web", Namespace: "default", Replicas: 2, GracePeriod: 30 * time.Second,
			Mounts: []model.Mount{{Objects: []int{0}, Select: model.SelectAll, As: model.Volume, Name: "app-config"}}}},
		Updates: []model.UpdateRule{{Targets: []int{0}, At: []time.Duration{10 * time.Minute}}},
		Bucket:  10 * time.Second,
	}
	if !reflect.DeepEqual(old, want) {
		t.Fatalf("off: model config\n got: %+v\nwant: %+v", old, want)
	}
	want.Objects = append(want.Objects,
		model.Object{Kind: model.ConfigMap, Namespace: "default", Name: "kube-root-ca.crt", SizeBytes: KubeRootCABytes, Group: 1},
		model.Object{Kind: model.Secret, Namespace: "default", Name: "default-dockercfg", SizeBytes: DefaultPullSecretBytes, Group: 2})
	want.ObjectGroups = append(want.ObjectGroups, "kube-root-ca.crt", "default-dockercfg")
	w := &want.Workloads[0]
	w.TokenRequests = true
	w.Mounts = append(w.Mounts,
		model.Mount{Objects: []int{2}, Select: model.SelectAll, As: model.PullSecret, Name: "default-dockercfg"},
		model.Mount{Objects: []int{1}, Select: model.SelectAll, As: model.Projected, Name: "kube-api-access", Token: true})
	if !reflect.DeepEqual(on, want) {
		t.Fatalf("on: model config\n got: %+v\nwant: %+v", on, want)
	}

	// Per workload: automountServiceAccountToken: false drops kube-api-access
	// and token requests; imagePullSecrets replaces the default ([]: none).
	doc := strings.Replace(edit(t, "updates:", `  - {name: own, replicas: 1, imagePullSecrets: [regcred], mounts: [{object: app-config}]}
  - {name: none, replicas: 1, imagePullSecrets: [], automountServiceAccountToken: false, mounts: [{object: app-config}]}
updates:`), "objects:\n", "objects:\n  - {kind: Secret, name: regcred, count: 2}\n", 1)
	s, err = Load("t.yaml", []byte(doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := s.ModelConfig(1)
	if err != nil {
		t.Fatal(err)
	}
	names := func(w model.Workload) (out []string) {
		for _, m := range w.Mounts {
			var objs []string
			for _, o := range m.Objects {
				objs = append(objs, cfg.Objects[o].Name)
			}
			out = append(out, m.As.String()+":"+m.Name+"="+strings.Join(objs, ","))
		}
		return out
	}
	for i, want := range [][]string{
		{"volume:app-config=app-config", "pullSecret:default-dockercfg=default-dockercfg", "projected:kube-api-access=kube-root-ca.crt"},
		{"volume:app-config=app-config", "pullSecret:regcred=regcred-0,regcred-1", "projected:kube-api-access=kube-root-ca.crt"},
		{"volume:app-config=app-config"},
	} {
		if got := names(cfg.Workloads[i]); !reflect.DeepEqual(got, want) {
			t.Errorf("workload %s mounts %q, want %q", cfg.Workloads[i].Name, got, want)
		}
		if tr := cfg.Workloads[i].TokenRequests; tr != (i < 2) {
			t.Errorf("workload %s: TokenRequests %v", cfg.Workloads[i].Name, tr)
		}
	}
	// imagePullSecrets: [] survives ResolvedYAML as [], and null means absent.
	s2, err := Load("r.yaml", s.ResolvedYAML(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := s2.Workloads[2].ImagePullSecrets; got == nil || len(got) != 0 {
		t.Errorf("after ResolvedYAML: imagePullSecrets %#v, want []", got)
	}
	s3, err := Load("t.yaml", []byte(doc), []string{"workloads.none.imagePullSecrets=null"})
	if err != nil || s3.Workloads[2].ImagePullSecrets != nil {
		t.Errorf("imagePullSecrets: null gave %#v, %v; want the default (nil)", s3.Workloads[2].ImagePullSecrets, err)
	}
}

// TestJobsAndFaults: jobs and faults survive ResolvedYAML and reach the
// model config field by field.
func TestJobsAndFaults(t *testing.T) {
	doc := strings.Replace(edit(t, "updates:", `  - name: batch
    job: {poissonPerMinute: 0.5, start: 10m, parallelism: 4, runFor: 3m}
    terminationGracePeriod: 0s
    mounts: [{object: app-config, as: env}]
  - name: cron
    job: {at: [0s, 30m], runFor: 1m}
    mounts: [{object: app-config}]
updates:`), "  nodes: 3\n", "  nodes: 3\n  apiserver: {replicas: 3, goawayChance: 0.01, watchCacheInit: 2s, watchCacheHistory: 2m}\n", 1) + `faults:
  - {kind: apiserverRestart, every: 20m, start: 5m, replica: 2, downtime: 1m}
  - {kind: apiserverRestart, at: [45m], downtime: 10s}
  - {kind: kubeletRestart, poissonPerHour: 1.5, nodes: 2, spread: 30s, downtime: 20s}
  - {kind: nodeJoin, at: [15m], nodes: 12.5%, spread: 1m}
  - {kind: nodeLeave, at: [40m, 41m], nodes: 1}
`
	s, err := Load("t.yaml", []byte(doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	y := s.ResolvedYAML()
	for _, line := range []string{
		"    replicas: 3\n    goawayChance: 0.01\n    watchCacheInit: 2s\n    watchCacheHistory: 2m\n    getLatency:",
		"    job: {poissonPerMinute: 0.5, start: 10m, parallelism: 4, runFor: 3m}\n    automountServiceAccountToken: true\n    terminationGracePeriod: 0s\n",
		"    job: {at: [0s, 30m], parallelism: 1, runFor: 1m}\n",
		"restarts", // absent: not written
		"faults:\n  - {kind: apiserverRestart, every: 20m, start: 5m, replica: 2, downtime: 1m}\n  - {kind: apiserverRestart, at: [45m], replica: all, downtime: 10s}\n" +
			"  - {kind: kubeletRestart, poissonPerHour: 1.5, start: 0s, nodes: 2, spread: 30s, downtime: 20s}\n  - {kind: nodeJoin, at: [15m], nodes: 12.5%, spread: 1m}\n" +
			"  - {kind: nodeLeave, at: [40m, 41m], nodes: 1, spread: 0s}\noutput:",
	} {
		if has := bytes.Contains(y, []byte(line)); has == (line == "restarts") {
			t.Errorf("ResolvedYAML has %q: %v\n%s", line, has, y)
		}
	}
	s2, err := Load("r.yaml", y, nil)
	if err != nil {
		t.Fatalf("resolved YAML does not load: %v\n%s", err, y)
	}
	s2.Source = s.Source
	assertEqual(t, s2, s)

	cfg, err := s.ModelConfig(1)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Replicas != 3 || cfg.GoawayChance != 0.01 || cfg.WatchCacheInit != 2*time.Second || cfg.WatchCacheHistory != 2*time.Minute {
		t.Errorf("apiserver: %d replicas, goaway %v, init %v, history %v", cfg.Replicas, cfg.GoawayChance, cfg.WatchCacheInit, cfg.WatchCacheHistory)
	}
	batch, cron := cfg.Workloads[1], cfg.Workloads[2]
	if !reflect.DeepEqual(*batch.Job, model.Job{Arrivals: model.Arrivals{Start: 10 * time.Minute, PoissonPerHour: 30}, Parallelism: 4, RunFor: 3 * time.Minute}) ||
		batch.GracePeriod != 0 || batch.Replicas != 0 || !batch.TokenRequests {
		t.Errorf("batch = %+v, job %+v", batch, *batch.Job)
	}
	if !reflect.DeepEqual(cron.Job.Arrivals.At, []time.Duration{0, 30 * time.Minute}) || cron.Job.Parallelism != 1 || cron.GracePeriod != 30*time.Second {
		t.Errorf("cron = %+v, job %+v", cron, *cron.Job)
	}
	want := []model.FaultRule{
		{Kind: model.APIServerRestart, Arrivals: model.Arrivals{Every: 20 * time.Minute, Start: 5 * time.Minute}, Replica: 2, Downtime: time.Minute},
		{Kind: model.APIServerRestart, Arrivals: model.Arrivals{At: []time.Duration{45 * time.Minute}}, Replica: -1, Downtime: 10 * time.Second},
		{Kind: model.KubeletRestart, Arrivals: model.Arrivals{PoissonPerHour: 1.5}, Downtime: 20 * time.Second, Nodes: model.Count{N: 2}, Spread: 30 * time.Second},
		{Kind: model.NodeJoin, Arrivals: model.Arrivals{At: []time.Duration{15 * time.Minute}}, Nodes: model.Count{Fraction: 0.125}, Spread: time.Minute},
		{Kind: model.NodeLeave, Arrivals: model.Arrivals{At: []time.Duration{40 * time.Minute, 41 * time.Minute}}, Nodes: model.Count{N: 1}},
	}
	if !reflect.DeepEqual(cfg.Faults, want) {
		t.Errorf("faults\n got: %+v\nwant: %+v", cfg.Faults, want)
	}
}

// TestSetNewKeys: --set and sweep paths reach the new keys, by name, by
// index and by [index].
func TestSetNewKeys(t *testing.T) {
	doc := base + "  - {name: batch, job: {every: 10m, runFor: 1m}, mounts: [{object: app-config}]}\n" +
		"faults:\n  - {kind: apiserverRestart, at: [5m], downtime: 30s}\n"
	doc = strings.Replace(doc, "updates:\n  - {object: app-config, at: [10m]}\n", "", 1) + "updates:\n  - {object: app-config, at: [10m]}\n"
	s, err := Load("t.yaml", []byte(doc), []string{
		"cluster.apiserver.replicas=3",
		"cluster.apiserver.goawayChance=0.02",
		"cluster.imagePullSecret=false",
		"faults[0].downtime=1m",
		"faults.0.replica=2",
		"workloads.web.terminationGracePeriod=0s",
		"workloads.web.imagePullSecrets=[]",
		"workloads.batch.job.runFor=5m",
		"workloads[1].job.parallelism=3",
		"faults=[{kind: apiserverRestart, at: [5m], downtime: 1m, replica: 2}, {kind: nodeJoin, every: 30m, nodes: 50%}]",
	})
	if err != nil {
		t.Fatal(err)
	}
	if a := s.Cluster.APIServer; a.Replicas != 3 || a.GoawayChance != 0.02 || s.Cluster.ImagePullSecret {
		t.Errorf("cluster = %+v", s.Cluster)
	}
	if w := s.Workloads[0]; w.TerminationGracePeriod != 0 || w.ImagePullSecrets == nil || len(w.ImagePullSecrets) != 0 {
		t.Errorf("web = %+v", w)
	}
	if j := s.Workloads[1].Job; j.RunFor != 5*time.Minute || j.Parallelism != 3 {
		t.Errorf("job = %+v", j)
	}
	if len(s.Faults) != 2 || s.Faults[0].Replica != 2 || s.Faults[0].Downtime != time.Minute || s.Faults[1].Nodes != (NodeCount{Percent: 50}) {
		t.Errorf("faults = %+v", s.Faults)
	}

	sweep := doc + "sweep:\n  cluster.apiserver.replicas: [1, 3]\n  faults[0].downtime: [10s, 1m]\n  workloads.batch.job.runFor: [1m, 9m]\nzip: true\n"
	s, err = Load("t.yaml", []byte(sweep), nil)
	if err != nil {
		t.Fatal(err)
	}
	pts, err := s.Points()
	if err != nil || len(pts) != 2 {
		t.Fatalf("Points() = %d, %v", len(pts), err)
	}
	p := pts[1].Scenario
	if p.Cluster.APIServer.Replicas != 3 || p.Faults[0].Downtime != time.Minute || p.Workloads[1].Job.RunFor != 9*time.Minute {
		t.Errorf("point 1 = %+v", p)
	}
	// A sweep value is checked against the rest of the scenario.
	bad := doc + "sweep:\n  faults.0.replica: [0, 1]\n"
	if _, err := Load("t.yaml", []byte(bad), nil); err == nil ||
		err.Error() != "sweep.faults.0.replica[1]: value 1 is invalid: faults[0].replica: no replica 1; cluster.apiserver.replicas is 1 (replicas 0..0) (t.yaml:20:25)" {
		t.Errorf("sweep of an unknown replica: %v", err)
	}
}

// TestBuiltinImplicitReferences: the scenarios whose findings are
// documented keep implicit references off; the rest, the bad-days studies
// among them, use the defaults.
func TestBuiltinImplicitReferences(t *testing.T) {
	on := map[string]bool{"quickstart": true, "reloader": true, "rollout": true,
		"apiserver-imbalance": true, "apiserver-restart": true, "node-upgrade": true, "scale-up": true, "saturation": true, "versions": true}
	for _, b := range Builtins() {
		s, err := LoadFile(b.Name, nil)
		if err != nil {
			t.Fatal(err)
		}
		if c := s.Cluster; c.KubeAPIAccess != on[b.Name] || c.ImagePullSecret != on[b.Name] {
			t.Errorf("%s: kubeAPIAccess %v, imagePullSecret %v; want %v", b.Name, c.KubeAPIAccess, c.ImagePullSecret, on[b.Name])
		}
	}
}

// TestFaultWalkLargeEvery: a period far beyond the run neither overflows
// nor counts an arrival.
func TestFaultWalkLargeEvery(t *testing.T) {
	doc := base + "faults:\n  - {kind: nodeLeave, every: 2562047h, start: 30m, nodes: 100%}\n"
	if _, err := Load("t.yaml", []byte(doc), nil); err != nil {
		t.Fatal(err)
	}
}

// wantDefaultCapacity is cluster.apiserver.capacity: {} with every default.
var wantDefaultCapacity = Capacity{
	Seats: 74, Queues: 64, HandSize: 6, QueueLengthLimit: 50, QueueWaitLimit: 15 * time.Second,
	ServiceTime: ServiceTime{
		GetEtcd:  Dist{Kind: DistLognormal, Median: 2 * time.Millisecond, Sigma: 1.5},
		GetCache: Dist{Kind: DistLognormal, Median: 300 * time.Microsecond, Sigma: 0.5},
		List:     Dist{Kind: DistLognormal, Median: 500 * time.Microsecond, Sigma: 0.5},
		Watch:    Dist{Kind: DistLognormal, Median: 500 * time.Microsecond, Sigma: 0.5},
		Create:   Dist{Kind: DistLognormal, Median: 3 * time.Millisecond, Sigma: 0.5},
	},
}

// TestCapacityDefaults: capacity: {} is upstream's system level; absent
// and null are unlimited; a background block gets its defaults.
func TestCapacityDefaults(t *testing.T) {
	for _, tt := range []struct {
		name, block string
		want        *Capacity
	}{
		{"absent", "", nil},
		{"null", "    capacity: null\n", nil},
		{"empty", "    capacity: {}\n", &wantDefaultCapacity},
		{"no value", "    capacity:\n", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			doc := edit(t, "  nodes: 3\n", "  nodes: 3\n  apiserver:\n"+tt.block)
			s, err := Load("t.yaml", []byte(doc), nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Cluster.APIServer.Capacity; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("capacity = %+v, want %+v", got, tt.want)
			}
			if k := s.Cluster.Kubelet; k.KubeAPIQPS != 50 || k.KubeAPIBurst != 100 {
				t.Errorf("kubelet = %+v, want kubeAPIQPS 50, kubeAPIBurst 100", k)
			}
		})
	}
	doc := edit(t, "  nodes: 3\n", "  nodes: 3\n  apiserver:\n    capacity: {background: {perSecond: 20}}\n")
	s, err := Load("t.yaml", []byte(doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := wantDefaultCapacity
	want.Background = &Background{PerSecond: 20, Flows: 100, Seats: 1, ServiceTime: Dist{Kind: DistLognormal, Median: 5 * time.Millisecond, Sigma: 1}}
	if got := s.Cluster.APIServer.Capacity; got == nil || !reflect.DeepEqual(*got, want) {
		t.Errorf("capacity = %+v, want %+v", got, want)
	}
}

// TestCapacityResolved: without a capacity block ResolvedYAML has none
// (only the two kubelet keys are new); with one it writes every key and
// loads back equal; the model config gets every field.
func TestCapacityResolved(t *testing.T) {
	s, err := Load("t.yaml", []byte(base), nil)
	if err != nil {
		t.Fatal(err)
	}
	if y := s.ResolvedYAML(); bytes.Contains(y, []byte("capacity")) || !bytes.Contains(y, []byte("    version: \"1.37\" # defaults: kubeAPIQPS: 50, kubeAPIBurst: 100\n")) {
		t.Errorf("ResolvedYAML without capacity:\n%s", y)
	}
	cfg, err := s.ModelConfig(1)
	if err != nil || cfg.Capacity != nil || cfg.KubeAPIQPS != 50 || cfg.KubeAPIBurst != 100 {
		t.Errorf("model config: capacity %+v, qps %v, burst %d, %v", cfg.Capacity, cfg.KubeAPIQPS, cfg.KubeAPIBurst, err)
	}

	doc := edit(t, "  nodes: 3\n", `  nodes: 3
  kubelet: {kubeAPIQPS: 2.5, kubeAPIBurst: 4}
  apiserver:
    replicas: 2
    capacity:
      seats: 10
      queues: 8
      handSize: 8
      queueLengthLimit: 3
      queueWaitLimit: 1.5s
      serviceTime:
        getEtcd: {distribution: constant, value: 4ms}
        list: {distribution: uniform, min: 0s, max: 1ms}
        watch: {sigma: 0}
        create: {distribution: exponential, mean: 2ms}
      background: {perSecond: 100, flows: 7, seats: 10, serviceTime: {median: 20ms}}
`)
	s, err = Load("t.yaml", []byte(doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	y := s.ResolvedYAML()
	want := `  kubelet:
    version: "1.37"
    syncFrequency: 1m
    changeDetectionStrategy: Watch
    cacheTTL: auto
    kubeAPIQPS: 2.5
    kubeAPIBurst: 4
  apiserver:
    # version: the kubelet's (1.37)
    replicas: 2
    goawayChance: 0.0
    watchCacheInit: 5s
    watchCacheHistory: 1m15s
    getLatency: {distribution: exponential, mean: 5ms}
    watchDelay: {distribution: exponential, mean: 50ms}
    capacity:
      seats: 10
      queues: 8
      handSize: 8
      queueLengthLimit: 3
      queueWaitLimit: 1.5s
      serviceTime:
        getEtcd: {distribution: constant, value: 4ms}
        getCache: {distribution: lognormal, median: 300µs, sigma: 0.5}
        list: {distribution: uniform, min: 0s, max: 1ms}
        watch: {distribution: lognormal, median: 500µs, sigma: 0.0}
        create: {distribution: exponential, mean: 2ms}
      background:
        perSecond: 100.0
        flows: 7
        seats: 10
        serviceTime: {distribution: lognormal, median: 20ms, sigma: 1.0}
objects:
`
	if !bytes.Contains(y, []byte(want)) {
		t.Errorf("ResolvedYAML\n%s\nwant it to contain\n%s", y, want)
	}
	s2, err := Load("t.yaml", y, nil)
	if err != nil {
		t.Fatalf("resolved YAML does not load: %v\n%s", err, y)
	}
	assertEqual(t, s2, s)

	cfg, err = s.ModelConfig(1)
	if err != nil {
		t.Fatal(err)
	}
	wantCfg := model.Capacity{
		Seats: 10, Queues: 8, HandSize: 8, QueueLengthLimit: 3, QueueWaitLimit: 1500 * time.Millisecond,
		ServiceGetEtcd:      model.Dist{Kind: model.Constant, A: 0.004},
		ServiceGetCache:     model.Dist{Kind: model.Lognormal, A: 0.0003, B: 0.5},
		ServiceList:         model.Dist{Kind: model.Uniform, A: 0, B: 0.001},
		ServiceWatch:        model.Dist{Kind: model.Lognormal, A: 0.0005, B: 0},
		ServiceCreate:       model.Dist{Kind: model.Exponential, A: 0.002},
		BackgroundPerSecond: 100, BackgroundFlows: 7, BackgroundSeats: 10,
		BackgroundService: model.Dist{Kind: model.Lognormal, A: 0.02, B: 1},
	}
	if cfg.Capacity == nil || !reflect.DeepEqual(*cfg.Capacity, wantCfg) || cfg.KubeAPIQPS != 2.5 || cfg.KubeAPIBurst != 4 {
		t.Errorf("model config: capacity %+v, qps %v, burst %d\nwant capacity %+v", cfg.Capacity, cfg.KubeAPIQPS, cfg.KubeAPIBurst, wantCfg)
	}
}

// TestSetCapacity: --set and sweeps reach the new keys; a path into a
// missing capacity block creates it with the other defaults, and a
// parameter of a default distribution keeps the default's kind.
func TestSetCapacity(t *testing.T) {
	s, err := Load("t.yaml", []byte(base), []string{"cluster.apiserver.capacity.seats=50", "cluster.kubelet.kubeAPIQPS=5"})
	if err != nil {
		t.Fatal(err)
	}
	want := wantDefaultCapacity
	want.Seats = 50
	if got := s.Cluster.APIServer.Capacity; got == nil || !reflect.DeepEqual(*got, want) || s.Cluster.Kubelet.KubeAPIQPS != 5 {
		t.Errorf("capacity = %+v, kubelet %+v", got, s.Cluster.Kubelet)
	}

	s, err = Load("t.yaml", []byte(base), []string{
		"cluster.apiserver.capacity.serviceTime.getEtcd.median=5ms",
		"cluster.apiserver.capacity.background.perSecond=10",
		"cluster.apiserver.capacity.background.serviceTime.sigma=0.25",
		"cluster.apiserver.getLatency.mean=1ms",
		"cluster.kubelet.kubeAPIQPS=0",
		"cluster.kubelet.kubeAPIBurst=0",
	})
	if err != nil {
		t.Fatal(err)
	}
	k := s.Cluster.APIServer.Capacity
	if k == nil || k.ServiceTime.GetEtcd != (Dist{Kind: DistLognormal, Median: 5 * time.Millisecond, Sigma: 1.5}) ||
		k.Background == nil || k.Background.ServiceTime != (Dist{Kind: DistLognormal, Median: 5 * time.Millisecond, Sigma: 0.25}) ||
		s.Cluster.APIServer.GetLatency != (Dist{Kind: DistExponential, Mean: time.Millisecond}) ||
		s.Cluster.Kubelet.KubeAPIQPS != 0 || s.Cluster.Kubelet.KubeAPIBurst != 0 {
		t.Errorf("capacity %+v, background %+v, apiserver %+v, kubelet %+v", k, k.Background, s.Cluster.APIServer, s.Cluster.Kubelet)
	}
	// A default's kind does not take another kind's parameters.
	if _, err := Load("t.yaml", []byte(base), []string{"cluster.apiserver.capacity.serviceTime.getEtcd.mean=5ms"}); err == nil ||
		err.Error() != "--set cluster.apiserver.capacity.serviceTime.getEtcd.mean=5ms: cluster.apiserver.capacity.serviceTime.getEtcd.mean: unknown key for distribution lognormal (the default; set distribution for another kind); allowed keys: distribution, median, sigma" {
		t.Errorf("mean of a lognormal: %v", err)
	}
	// null removes a block the file has.
	withBlock := edit(t, "  nodes: 3\n", "  nodes: 3\n  apiserver:\n    capacity: {seats: 10}\n")
	s, err = Load("t.yaml", []byte(withBlock), []string{"cluster.apiserver.capacity=null"})
	if err != nil || s.Cluster.APIServer.Capacity != nil {
		t.Errorf("capacity=null: %+v, %v", s, err)
	}

	sweep := base + "sweep:\n  cluster.apiserver.capacity.seats: [10, 100]\n  cluster.kubelet.kubeAPIQPS: [5, 50]\n  cluster.apiserver.capacity.serviceTime.getEtcd.median: [1ms, 4ms]\nzip: true\n"
	s, err = Load("t.yaml", []byte(sweep), nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Cluster.APIServer.Capacity != nil {
		t.Errorf("the base scenario has a capacity block: %+v", s.Cluster.APIServer.Capacity)
	}
	pts, err := s.Points()
	if err != nil || len(pts) != 2 {
		t.Fatalf("Points() = %d, %v", len(pts), err)
	}
	for i, seats := range []int{10, 100} {
		p := pts[i].Scenario
		k := p.Cluster.APIServer.Capacity
		if k == nil || k.Seats != seats || k.Queues != 64 || p.Cluster.Kubelet.KubeAPIQPS != []float64{5, 50}[i] ||
			k.ServiceTime.GetEtcd.Median != []time.Duration{time.Millisecond, 4 * time.Millisecond}[i] {
			t.Errorf("point %d: capacity %+v, kubelet %+v", i, k, p.Cluster.Kubelet)
		}
		cfg, err := p.ModelConfig(1)
		if err != nil || cfg.Capacity == nil || cfg.Capacity.Seats != seats {
			t.Errorf("point %d: model capacity %+v, %v", i, cfg.Capacity, err)
		}
	}
}
