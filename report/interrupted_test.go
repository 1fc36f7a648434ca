package report

import (
	"strings"
	"testing"

	"cmsim/plots"
	"cmsim/plots/plotstest"
	"cmsim/results"
)

// TestInterruptedTablesKeepTheStrategy: only the Get points of a strategy
// sweep finished; the tables still say which strategy each row is.
func TestInterruptedTablesKeepTheStrategy(t *testing.T) {
	d := plotstest.Sweep()
	var kept []results.Point
	for _, pt := range d.Summary.Points {
		if plots.Strategy(&pt) == "Get" {
			kept = append(kept, pt)
		}
	}
	if len(kept) < 2 {
		t.Fatalf("the sweep has %d Get points", len(kept))
	}
	d.Summary.Points, d.Summary.Incomplete = kept, true
	in := input(d)
	in.Latency, in.Load = nil, nil
	lat, load := tables(in.Summary)
	for _, tb := range []table{lat, load} {
		if !strings.Contains(strings.Join(tb.Head, "|"), "|strategy|") {
			t.Errorf("table head %v lacks the strategy", tb.Head)
		}
		for _, row := range tb.Rows {
			if row[1].Text != "Get" {
				t.Errorf("row %v: strategy cell %q", row, row[1].Text)
			}
		}
	}
	if html := string(render(t, in)); !strings.Contains(html, "<th>strategy</th>") {
		t.Error("the report's tables lack the strategy column")
	}
}
