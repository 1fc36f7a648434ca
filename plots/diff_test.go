package plots

import (
	"strings"
	"testing"

	"cmsim/plots/plotstest"
)

// TestDiffGolden pins the overlaid CDF and load page of two points of the
// sweep fixture, drawn as if they were two outputs.
func TestDiffGolden(t *testing.T) {
	d := plotstest.Sweep()
	series := LatencySeries(&d.Summary, d.Digests())
	p, err := LatencyCDFDiff("latency CDF, A against B", "A", "B", []SeriesPair{{Label: "x", Strategy: series[0].Strategy, A: series[0].Latency, B: series[1].Latency}})
	if err != nil {
		t.Fatal(err)
	}
	cdf := svgOf(t, Chart{Plot: p, Width: DefaultWidth, Height: DefaultHeight})
	checkGolden(t, "diff_latency_cdf", []byte(cdf))
	for _, want := range []string{"A, x: p50", "B, x: p50"} {
		if !strings.Contains(cdf, want) {
			t.Errorf("the CDF's legend lacks %q", want)
		}
	}
	page, err := APIServerLoadDiff("load, A against B", "A", "B", LoadOf(d.Load, 0, 0), LoadOf(d.Load, 1, 0), 0)
	if err != nil {
		t.Fatal(err)
	}
	load := svgOf(t, Chart{Page: page, Width: DefaultWidth, Height: LoadPageHeight(len(page))})
	checkGolden(t, "diff_apiserver_load", []byte(load))
	for _, want := range []string{"A WATCH", "B WATCH", "A events", "B bookmarks"} {
		if !strings.Contains(load, want) {
			t.Errorf("the load page's legends lack %q", want)
		}
	}
	// One side without rows: the other's lines alone, not an error.
	if page, err = APIServerLoadDiff("load", "A", "B", nil, LoadOf(d.Load, 1, 0), 0); err != nil || len(page) < 5 {
		t.Errorf("one side empty: %d panels, %v", len(page), err)
	}
	if page, err = APIServerLoadDiff("load", "A", "B", nil, nil, 0); err != nil || len(page) != 1 {
		t.Errorf("both sides empty: %d panels, %v; want the no-samples note", len(page), err)
	}
}
