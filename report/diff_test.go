package report

import (
	"bytes"
	"strings"
	"testing"

	"cmsim/compare"
	"cmsim/plots/plotstest"
)

// diffHTML compares the sweep fixture (six points, three replications)
// with a copy whose Get points' p99 doubled, and renders diff.html.
func diffHTML(t *testing.T) (*compare.Diff, []byte) {
	t.Helper()
	a, b := plotstest.Sweep(), plotstest.Sweep()
	for i := range b.Summary.Points {
		if b.Summary.Points[i].Params[plotstest.StratKey] == "Get" {
			b.Summary.Points[i].LatencySeconds.P99 *= 2
		}
	}
	d, err := compare.Compare(compare.Output{Dir: "a", Summary: &a.Summary, ScenarioYAML: []byte(scenarioYAML)},
		compare.Output{Dir: "b", Summary: &b.Summary, ScenarioYAML: []byte(strings.Replace(scenarioYAML, "seed: 7", "seed: 8", 1))})
	if err != nil {
		t.Fatal(err)
	}
	charts, err := DiffCharts(d, DiffSide{&a.Summary, a.Digests(), a.Load}, DiffSide{&b.Summary, b.Digests(), b.Load})
	if err != nil {
		t.Fatal(err)
	}
	// Six points: one CDF each past four, load pages for all six.
	if len(charts) != 12 {
		t.Errorf("%d charts, want 6 CDFs and 6 load pages", len(charts))
	}
	var out bytes.Buffer
	if err := WriteDiff(&out, DiffInput{Diff: d, Charts: charts, Links: []string{"diff.json"}}); err != nil {
		t.Fatal(err)
	}
	return d, out.Bytes()
}

func TestDiffHTML(t *testing.T) {
	d, b := diffHTML(t)
	html := string(b)
	if len(d.Points) != 6 {
		t.Fatalf("%d matched points, want 6", len(d.Points))
	}
	for _, p := range d.Points {
		if !strings.Contains(html, "<h3>"+p.Label+"</h3>") {
			t.Errorf("no section for %s", p.Label)
		}
	}
	// The doubled p99 of Get separates; the other points are the same.
	for _, want := range []string{"<td class=\"param\">latency.p99</td>", "separate", "Get, nodes=10", "0 of "} {
		if !strings.Contains(html, want) {
			t.Errorf("diff.html lacks %q", want)
		}
	}
	if strings.Contains(strings.ToLower(html), "<script") || externalRef.FindString(html) != "" {
		t.Error("diff.html is not self-contained")
	}
	if strings.Count(html, "<svg ") != 12 || !strings.Contains(html, "@media print") {
		t.Error("diff.html lacks its charts or the report's style")
	}
	if err := WriteDiff(&bytes.Buffer{}, DiffInput{}); err == nil {
		t.Error("no diff accepted")
	}
	if err := WriteDiff(&bytes.Buffer{}, DiffInput{Diff: d, Links: []string{"/etc/passwd"}}); err == nil {
		t.Error("absolute link accepted")
	}
}

// TestDiffNoMatch: outputs without a common point give a page that says
// so, and no charts.
func TestDiffNoMatch(t *testing.T) {
	a, b := plotstest.Sweep(), plotstest.Sweep()
	for i := range b.Summary.Points {
		b.Summary.Points[i].Params[plotstest.NodesKey] = "7"
	}
	d, err := compare.Compare(compare.Output{Dir: "a", Summary: &a.Summary}, compare.Output{Dir: "b", Summary: &b.Summary})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Points) != 0 || len(d.UnmatchedA) != 6 || len(d.UnmatchedB) != 6 {
		t.Fatalf("%d matched, %d and %d unmatched; want 0, 6 and 6", len(d.Points), len(d.UnmatchedA), len(d.UnmatchedB))
	}
	charts, err := DiffCharts(d, DiffSide{Summary: &a.Summary}, DiffSide{Summary: &b.Summary})
	if err != nil || len(charts) != 0 {
		t.Fatalf("%d charts, %v; want none", len(charts), err)
	}
	var out bytes.Buffer
	if err := WriteDiff(&out, DiffInput{Diff: d}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "only in B: point 0, Get, nodes=7") || !strings.Contains(out.String(), "No point of A matches") {
		t.Errorf("diff.html does not list the unmatched points:\n%s", out.String())
	}
}
