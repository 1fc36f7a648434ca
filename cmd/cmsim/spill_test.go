package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"cmsim/experiment"
	"cmsim/results"
)

// TestSpillAssemblesLatencies: latencies.csv assembled from the runs'
// spilled rows is byte for byte the file written from rows in memory, also
// after an unfinished point (the later points' rows renumbered, and a
// parameter column only it had dropped), and the
// spill leaves nothing behind.
func TestSpillAssemblesLatencies(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	st := &stager{dir: dir}
	params := []map[string]string{{"p": "0", "r": "only point 0 has r"}, {"p": "1"}, {"p": "2", "q": "x"}}
	const reps = 2
	sp := newLatencySpill(st, params)
	rowsOf := func(j int) []results.LatencyRow {
		var rows []results.LatencyRow
		for u := 1; u <= 3; u++ {
			rows = append(rows, results.LatencyRow{Point: j / reps, Replication: j % reps, Update: u, Object: "default/cfg, \"quoted\"",
				WrittenAtSeconds: float64(u) * 1.5, Pod: "default/app-1", Node: "node-0", Consumer: "cfg", ConsumerKind: "volume",
				ObservedAtSeconds: float64(u)*1.5 + float64(j), LatencySeconds: float64(j) + 0.1234567})
		}
		return rows
	}
	for _, j := range []int{5, 0, 2, 3, 4} { // job 1 never finished: point 0 is not summarized
		w, err := sp.Open(j)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rowsOf(j) {
			if err := w.Write(&r); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	sp.close()
	if _, err := sp.Open(1); err == nil {
		t.Error("a closed spill took rows")
	}
	for _, planPoints := range [][]int{{1, 2}, {0, 1, 2}} {
		sm := &experiment.Summarized{Summary: &results.Summary{}, PlanPoints: planPoints}
		var want bytes.Buffer
		var summaryParams []map[string]string
		for _, pi := range planPoints {
			sm.Summary.Points = append(sm.Summary.Points, results.Point{Params: params[pi]})
			summaryParams = append(summaryParams, params[pi])
		}
		lw, err := results.NewLatencyWriter(&want, summaryParams)
		if err != nil {
			t.Fatal(err)
		}
		for k, pi := range planPoints {
			for r := range reps {
				for _, row := range rowsOf(pi*reps + r) {
					if pi*reps+r == 1 {
						continue // no rows spilled
					}
					row.Point = k
					if err := lw.Write(&row); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		if err := lw.Flush(); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := sp.writeLatencies(&got, sm, reps); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("points %v: assembled latencies.csv differs:\n%s\nwant:\n%s", planPoints, got.Bytes(), want.Bytes())
		}
	}
	if err := st.file("latencies.csv", func(w io.Writer) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := st.finish(nil); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != "latencies.csv" && e.Name() != manifestName {
			t.Errorf("%s left in the output folder", e.Name())
		}
	}
}
