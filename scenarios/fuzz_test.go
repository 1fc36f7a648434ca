package scenarios

import (
	"errors"
	"reflect"
	"testing"
)

// FuzzLoad checks that Load never panics, that every error is an *Error, and
// that an accepted scenario's ResolvedYAML loads back to an equal Scenario.
// Run it with: go test -fuzz=FuzzLoad -fuzztime=30s ./scenarios/
func FuzzLoad(f *testing.F) {
	for _, b := range Builtins() {
		data, _ := Builtin(b.Name)
		f.Add(data, "")
		f.Add(data, "cluster.kubelet.changeDetectionStrategy=Cache")
	}
	f.Add([]byte(base), "workloads.web.replicas=100")
	f.Add([]byte(base), "updates.0.at=[5m,10m]")
	f.Add([]byte(base), "cluster.kubelet.cacheTTL=30s")
	f.Add([]byte(base), "faults=[{kind: nodeLeave, every: 20m, nodes: 50%}, {kind: apiserverRestart, at: [1m], replica: all, downtime: 5s}]")
	f.Add([]byte(base), "workloads[0]={name: j, job: {poissonPerMinute: 2, start: 5m, parallelism: 3, runFor: 1m}, imagePullSecrets: [], mounts: [{object: app-config}]}")
	f.Add([]byte(base+"faults:\n  - {kind: kubeletRestart, poissonPerHour: 2, nodes: 2, spread: 1m}\n  - {kind: nodeJoin, at: [5m], nodes: 1%}\n"), "cluster.apiserver.replicas=3")
	f.Add([]byte(base), "cluster.apiserver.capacity.seats=50")
	f.Add([]byte(base), "cluster.apiserver.capacity={queues: 8, handSize: 8, serviceTime: {list: {median: 1ms}}, background: {perSecond: 50, seats: 2}}")
	f.Add([]byte(base), "cluster.kubelet={kubeAPIQPS: 0.5, kubeAPIBurst: 1}")
	f.Add([]byte(base+"sweep:\n  cluster.apiserver.capacity.serviceTime.getEtcd.median: [1ms, 0s]\n"), "cluster.apiserver.capacity=null")
	f.Add([]byte(base+"sweep:\n  cluster.nodes: [1, 2]\n  seed: [3, 4]\nzip: true\n"), "")
	f.Add([]byte(base+"x: &a [*a]\n"), "")
	f.Add([]byte("objects: &a [*a]\n"), "objects.0.name=x")
	f.Add([]byte("a: &a {b: *a}\ncluster: *a\n"), "cluster.b.b.b=1")
	f.Add([]byte("apiVersion: cmsim/v1\n\tkind: x"), "")
	f.Add([]byte("{"), "a=")
	f.Add([]byte(""), "name=x")
	f.Add([]byte("---\n---\n"), "")
	f.Add([]byte("!!binary x: y"), "")
	f.Add([]byte("cluster: {nodes: 0x10}\nseed: -1\n"), "cluster.nodes=1e3")
	f.Fuzz(func(t *testing.T, data []byte, set string) {
		var sets []string
		if set != "" {
			sets = []string{set}
		}
		s, err := Load("fuzz.yaml", data, sets)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not *Error: %v", err, err)
			}
			_ = err.Error()
			return
		}
		y := s.ResolvedYAML()
		s2, err := Load("fuzz.yaml", y, nil)
		if err != nil {
			t.Fatalf("resolved YAML does not load: %v\n%s", err, y)
		}
		a, b := *s, *s2
		a.src, b.src = nil, nil
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("round trip changed the scenario\n%+v\n%+v\n%s", a, b, y)
		}
		// Whatever the loader accepts, the model accepts.
		if _, err := s.ModelConfig(1); err != nil {
			t.Fatalf("loaded scenario is not a valid model config: %v\n%s", err, y)
		}
		n := 1
		for _, ax := range s.Sweep {
			n *= len(ax.Values)
		}
		if n <= 64 {
			if _, err := s.Points(); err != nil {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("Points error %T is not *Error: %v", err, err)
				}
			}
		}
	})
}
