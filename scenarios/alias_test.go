package scenarios

import (
	"errors"
	"strings"
	"testing"
)

func TestStrategyAliases(t *testing.T) {
	for _, c := range []struct {
		name, file string
		sets       []string
		want       string
	}{
		{"kubelet key", edit(t, "  nodes: 3\n", "  nodes: 3\n  kubelet: {configMapAndSecretChangeDetectionStrategy: Cache}\n"), nil, StrategyCache},
		{"Simple is Get", edit(t, "  nodes: 3\n", "  nodes: 3\n  kubelet: {changeDetectionStrategy: Simple}\n"), nil, StrategyGet},
		{"TTL is Cache", edit(t, "  nodes: 3\n", "  nodes: 3\n  kubelet: {configMapAndSecretChangeDetectionStrategy: TTL}\n"), nil, StrategyCache},
		{"set kubelet key", base, []string{"cluster.kubelet.configMapAndSecretChangeDetectionStrategy=Get"}, StrategyGet},
		{"set alias value", base, []string{"cluster.kubelet.changeDetectionStrategy=TTL"}, StrategyCache},
	} {
		s, err := Load("t.yaml", []byte(c.file), c.sets)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got := s.Cluster.Kubelet.ChangeDetectionStrategy; got != c.want {
			t.Errorf("%s: strategy %q, want %q", c.name, got, c.want)
		}
		if !strings.Contains(string(s.ResolvedYAML()), "changeDetectionStrategy: "+c.want) {
			t.Errorf("%s: resolved YAML does not say changeDetectionStrategy: %s", c.name, c.want)
		}
	}
	both := edit(t, "  nodes: 3\n", "  nodes: 3\n  kubelet:\n    changeDetectionStrategy: Get\n    configMapAndSecretChangeDetectionStrategy: Cache\n")
	_, err := Load("t.yaml", []byte(both), nil)
	if err == nil || err.Error() != "cluster.kubelet.changeDetectionStrategy: duplicate key; first defined at line 8 (t.yaml:9:5)" {
		t.Errorf("both spellings: got %v", err)
	}
	_, err = Load("t.yaml", []byte(base), []string{"cluster.kubelet.configMapAndSecretChangeDetectionStrategy=Sometimes"})
	if err == nil || !strings.Contains(err.Error(), `"Sometimes" is not one of Get, Cache, Watch`) {
		t.Errorf("bad value under the kubelet key: got %v", err)
	}
}

func TestManifestIsNotAScenario(t *testing.T) {
	deploy := "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n"
	for name, data := range map[string]string{
		"one document":  deploy,
		"two documents": deploy + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
		"list":          "apiVersion: v1\nkind: List\nitems: []\n",
	} {
		_, err := Load("deploy.yaml", []byte(data), nil)
		if !errors.Is(err, ErrManifest) {
			t.Errorf("%s: got %v, want a manifest error", name, err)
			continue
		}
		if !strings.Contains(err.Error(), "Kubernetes manifest") || !strings.Contains(err.Error(), "cmsim import deploy.yaml") {
			t.Errorf("%s: %v does not point to cmsim import", name, err)
		}
	}
	// A scenario with a wrong apiVersion and no metadata is still a scenario error.
	_, err := Load("t.yaml", []byte(strings.Replace(base, "cmsim/v1", "cmsim/v2", 1)), nil)
	if errors.Is(err, ErrManifest) {
		t.Errorf("wrong scenario apiVersion reported as a manifest: %v", err)
	}
}

func TestEmptyMounts(t *testing.T) {
	empty := edit(t, "    mounts:\n      - {object: app-config}\n", "    mounts: []\n")
	s, err := Load("t.yaml", []byte(empty), nil)
	if err != nil {
		t.Fatalf("mounts: [] with kube-api-access: %v", err)
	}
	if refs := s.implicitRefs(s.Workloads[0]); refs != 2 {
		t.Errorf("implicit references %d, want 2 (kube-api-access, default pull secret)", refs)
	}
	_, err = Load("t.yaml", []byte(empty), []string{"cluster.kubeAPIAccess=false", "cluster.imagePullSecret=false"})
	if err == nil || !strings.Contains(err.Error(), "workloads[0].mounts: must list at least one mount") {
		t.Errorf("mounts: [] without other references: got %v", err)
	}
}
