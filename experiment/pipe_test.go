package experiment

import (
	"errors"
	"testing"

	"cmsim/model"
	"cmsim/results"
)

// TestPipeRows: rows come through in order, all of them, and a failing
// writer stops the pipe with its error (without hanging the producer).
func TestPipeRows(t *testing.T) {
	s := load(t, "bench-watch-15k")
	cfg, err := s.ModelConfig(1)
	if err != nil {
		t.Fatal(err)
	}
	c, err := model.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Run()
	if err != nil {
		t.Fatal(err)
	}
	var want []results.LatencyRow
	if err := r.EachLatencyRow(0, 0, func(row *results.LatencyRow) error { want = append(want, *row); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(want) < 2*4096 {
		t.Fatalf("%d rows: too few to cross batches", len(want))
	}
	i := 0
	err = pipeRows(r, Job{}, func(row *results.LatencyRow) error {
		if row.Update != want[i].Update || row.Pod != want[i].Pod || row.Consumer != want[i].Consumer || row.ObservedAtSeconds != want[i].ObservedAtSeconds {
			t.Fatalf("row %d: %+v, want %+v", i, *row, want[i])
		}
		i++
		return nil
	})
	if err != nil || i != len(want) {
		t.Fatalf("err %v, %d rows of %d", err, i, len(want))
	}
	boom := errors.New("disk full")
	n := 0
	err = pipeRows(r, Job{}, func(*results.LatencyRow) error {
		if n++; n == 5000 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) || n != 5000 {
		t.Fatalf("err %v after %d rows, want %v after 5000", err, n, boom)
	}
}
