package plots

import (
	"math"
	"slices"
	"strconv"
	"testing"

	"cmsim/results"
)

func TestPlusMinus(t *testing.T) {
	twoDecimals := func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
	for _, tt := range []struct {
		v, ci  float64
		format func(float64) string
		want   string
	}{
		{0.11, 1e-17, FormatRate, "0.11 ± 0"}, // the noise of a sum, not a spread
		{0.11, 0.034, FormatRate, "0.11 ± 0.03"},
		{0.75, 0.0059, FormatRate, "0.75 ± 0.01"},
		{6911.3, 12.4, FormatRate, "6,911 ± 12"},
		{41.86, 0.52, FormatSeconds, "42 s ± 1 s"},
		{41.86, 0.3, FormatSeconds, "42 s ± 0"},
		{4.2, 0.37, FormatSeconds, "4.2 s ± 0.4 s"},
		{41.86, 0.52, twoDecimals, "41.86 ± 0.52"},
		{41.86, 1e-17, twoDecimals, "41.86 ± 0"},
		{0, 0.3, FormatRate, "0 ± 0.3"},
		{3.5, 0, FormatRate, "3.5"},
		{3.5, math.NaN(), FormatRate, "3.5"},
	} {
		if got := PlusMinus(tt.v, tt.ci, tt.format); got != tt.want {
			t.Errorf("PlusMinus(%v, %v) = %q, want %q", tt.v, tt.ci, got, tt.want)
		}
	}
}

func TestCountAndMeanOf(t *testing.T) {
	if got := Count(6911.3); got != "6,911" {
		t.Errorf("Count(6911.3) = %q", got)
	}
	if got := Count(18.5); got != "19" {
		t.Errorf("Count(18.5) = %q", got)
	}
	if MeanOf(1) != "" || MeanOf(3) != " (mean of 3)" {
		t.Errorf("MeanOf: %q, %q", MeanOf(1), MeanOf(3))
	}
}

// TestLabelParamsAfterAnInterruptedRun: the Get points of a strategy ×
// syncFrequency sweep finished and the others did not; the strategy and the
// swept parameter still label them.
func TestLabelParamsAfterAnInterruptedRun(t *testing.T) {
	pt := func(strategy, sync, swept string) results.Point {
		return results.Point{Params: map[string]string{StrategyParam: strategy, "cluster.kubelet.syncFrequency": sync,
			"cluster.nodes": "10", "objects.0.sizeBytes": swept}}
	}
	s := &results.Summary{Points: []results.Point{pt("Get", "30s", "1024"), pt("Get", "1m", "1024")}}
	if got := LabelParams(s); !slices.Equal(got, []string{"cluster.kubelet.syncFrequency"}) {
		t.Errorf("complete run: %v", got)
	}
	s.Incomplete = true
	want := []string{StrategyParam, "cluster.kubelet.syncFrequency", "objects.0.sizeBytes"}
	if got := LabelParams(s); !slices.Equal(got, want) {
		t.Errorf("interrupted run: %v, want %v", got, want)
	}
	if got := PointLabels(s); got[0] != "Get, syncFrequency=30s, sizeBytes=1024" {
		t.Errorf("interrupted run's label: %q", got[0])
	}
}
