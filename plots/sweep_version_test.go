package plots

import (
	"testing"

	"cmsim/results"
)

// TestSweepOfVersion: a swept Kubernetes release is drawn as categories in
// sweep order, so 1.30 neither becomes 1.3 nor sits on a numeric axis.
func TestSweepOfVersion(t *testing.T) {
	var pts []results.Point
	for _, v := range []string{"1.28", "1.30", "1.31"} {
		pts = append(pts, results.Point{Params: map[string]string{"cluster.kubelet.version": v, StrategyParam: "Cache"}})
		pts = append(pts, results.Point{Params: map[string]string{"cluster.kubelet.version": v, StrategyParam: "Watch"}})
	}
	s, ok := SweepOf(pts)
	if !ok || s.X != "cluster.kubelet.version" || s.Numeric {
		t.Fatalf("SweepOf = %+v, %v; want the version as categories", s, ok)
	}
}
