package results

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// lookup returns the number at a dotted path of a decoded JSON object.
func lookup(m map[string]any, path string) (float64, bool) {
	var v any = m
	for _, k := range strings.Split(path, ".") {
		o, ok := v.(map[string]any)
		if !ok {
			return 0, false
		}
		v = o[k]
	}
	f, ok := v.(float64)
	return f, ok
}

// TestSummaryCSVMatchesJSON: every cell of the CSV is the number at its
// column's path in summary.json, and the ci95 columns those of ci95.
func TestSummaryCSVMatchesJSON(t *testing.T) {
	s := &Summary{Scenario: "x", Seed: 1}
	for p := 0; p < 2; p++ {
		pt := Point{Params: map[string]string{"b.param": strconv.Itoa(p), "a.param": "x"}, Replications: 3, CI95: &Metrics{}}
		for i, f := range pt.Metrics.Fields() {
			*f = float64(1000*p + i + 1)
		}
		for i, f := range pt.CI95.Fields() {
			*f = float64(i) / 8
		}
		pt.Metrics.Derived = Derived{Strategy: "Cache", Nodes: 300, SyncFrequencySeconds: 60, CacheTTLSeconds: 15, CacheTTLSource: "auto",
			CacheTTLMaxSeconds: 30, SyncWaitMaxSeconds: 90, LoopsSeconds: 1.2, LatencyBoundSeconds: 106.2 + float64(p)}
		s.Points = append(s.Points, pt)
	}
	var js, cs bytes.Buffer
	if err := WriteSummary(&js, s); err != nil {
		t.Fatal(err)
	}
	if err := WriteSummaryCSV(&cs, s); err != nil {
		t.Fatal(err)
	}
	var doc struct{ Points []map[string]any }
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&cs).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows, want a header and 2 points", len(rows))
	}
	head := rows[0]
	if strings.Join(head[:4], ",") != "point,a.param,b.param,replications" {
		t.Errorf("header starts %v", head[:4])
	}
	n, nCI := len(SummaryColumns()), len(CIColumns())
	if len(head) != 4+n+nCI || nCI != len(s.Points[0].Metrics.Fields()) {
		t.Errorf("%d columns for %d metrics and %d half-widths (Fields has %d)", len(head), n, nCI, len(s.Points[0].Metrics.Fields()))
	}
	for p, row := range rows[1:] {
		if row[0] != strconv.Itoa(p) || row[2] != strconv.Itoa(p) || row[3] != "3" {
			t.Errorf("point %d: %v", p, row[:4])
		}
		for c := 4; c < len(head); c++ {
			path, obj := head[c], doc.Points[p]
			if rest, ok := strings.CutPrefix(path, "ci95."); ok {
				path, obj = rest, obj["ci95"].(map[string]any)
			}
			want, ok := lookup(obj, path)
			got, err := strconv.ParseFloat(row[c], 64)
			if !ok || err != nil || got != want {
				t.Errorf("point %d column %s: %q, summary.json has %v (%v)", p, head[c], row[c], want, ok)
			}
		}
	}
}
