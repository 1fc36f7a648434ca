package scenarios

import (
	"strings"
	"testing"
)

// TestKubeletVersion: cluster.kubelet.version picks the release (1.30 as
// written, not the number 1.3), sets the apiserver's by default, and the
// release's kubeAPIQPS defaults unless they are set.
func TestKubeletVersion(t *testing.T) {
	for _, tc := range []struct {
		sets               []string
		kubelet, apiserver string
		qps                float64
		burst              int
	}{
		{nil, "1.37", "1.37", 50, 100},
		{[]string{"cluster.kubelet.version=1.30"}, "1.30", "1.30", 50, 100},
		{[]string{"cluster.kubelet.version=v1.26.3"}, "1.26", "1.26", 5, 10},
		{[]string{"cluster.kubelet.version=1.26", "cluster.kubelet.kubeAPIQPS=20"}, "1.26", "1.26", 20, 10},
		{[]string{"cluster.kubelet.version=1.28", "cluster.apiserver.version=1.31"}, "1.28", "1.31", 50, 100},
	} {
		s, err := Load("t.yaml", []byte(base), tc.sets)
		if err != nil {
			t.Fatalf("%v: %v", tc.sets, err)
		}
		k, a := s.Cluster.Kubelet, s.Cluster.APIServerVersion()
		if k.Version != tc.kubelet || a != tc.apiserver || k.KubeAPIQPS != tc.qps || k.KubeAPIBurst != tc.burst {
			t.Errorf("%v: kubelet %s apiserver %s qps %v burst %d, want %s %s %v %d", tc.sets, k.Version, a, k.KubeAPIQPS, k.KubeAPIBurst, tc.kubelet, tc.apiserver, tc.qps, tc.burst)
		}
		cfg, err := s.ModelConfig(1)
		if err != nil || cfg.KubeletRelease.String() != tc.kubelet || cfg.APIServerRelease.String() != tc.apiserver {
			t.Errorf("%v: model config %+v, %v", tc.sets, cfg, err)
		}
		// The resolved scenario records both and loads to the same.
		s2, err := Load("r.yaml", s.ResolvedYAML(), nil)
		if err != nil || s2.Cluster.Kubelet != k || s2.Cluster.APIServer != s.Cluster.APIServer {
			t.Errorf("%v: resolved scenario reloads as %+v, %v", tc.sets, s2.Cluster, err)
		}
	}
}

func TestKubeletVersionErrors(t *testing.T) {
	for _, tc := range []struct {
		set, msg string
	}{
		{"cluster.kubelet.version=1.25", "cluster.kubelet.version: release 1.25 is not modelled; cmsim models 1.26 to 1.37"},
		{"cluster.kubelet.version=1.40", "cmsim models 1.26 to 1.37"},
		{"cluster.kubelet.version=latest", `"latest" is not a Kubernetes release; write it as 1.MINOR`},
		{"cluster.apiserver.version=1.33", "cluster.apiserver.version: kubelet 1.37 is newer than apiserver 1.33"},
	} {
		_, err := Load("t.yaml", []byte(base), []string{tc.set})
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: error %v, want it to contain %q", tc.set, err, tc.msg)
		}
	}
	doc := base + "sweep:\n  cluster.kubelet.version: [1.30, 1.31, \"1.28\"]\n"
	s, err := Load("t.yaml", []byte(doc), []string{"cluster.kubelet.version=1.30", "cluster.apiserver.version=1.31"})
	if err != nil {
		t.Fatal(err)
	}
	pts, err := s.Points()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range pts {
		got = append(got, p.Scenario.Cluster.Kubelet.Version+"/"+p.Scenario.Cluster.APIServerVersion())
	}
	if strings.Join(got, " ") != "1.30/1.31 1.31/1.31 1.28/1.31" {
		t.Errorf("sweep points %v", got)
	}
}
