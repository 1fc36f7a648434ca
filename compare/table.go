package compare

import (
	"fmt"
	"math"
)

// Table is a matched point's metrics formatted for a table: Head and one
// row of cells per metric (see [Format]); Hidden counts the metrics left
// out for being zero in both outputs.
type Table struct {
	Head   []string
	Rows   [][]string
	Hidden int
}

// Table formats the point's rows; with all, metrics zero in both outputs
// are kept. The ± columns (95% half-widths) appear when a side has them.
func (p *PointDiff) Table(all bool) Table {
	ci := false
	for _, r := range p.Rows {
		ci = ci || !r.CI95A.NaN() || !r.CI95B.NaN()
	}
	t := Table{Head: []string{"metric", "A", "B", "B - A", "change", "95% CIs"}}
	if ci {
		t.Head = []string{"metric", "A", "± A", "B", "± B", "B - A", "change", "95% CIs"}
	}
	for _, r := range p.Rows {
		if !all && r.Zero() {
			t.Hidden++
			continue
		}
		m := r.Metric
		row := []string{m, Format(m, float64(r.A))}
		if ci {
			row = append(row, formatCI(m, r.CI95A, r.A))
		}
		row = append(row, Format(m, float64(r.B)))
		if ci {
			row = append(row, formatCI(m, r.CI95B, r.B))
		}
		t.Rows = append(t.Rows, append(row, FormatDelta(m, float64(r.Delta)), FormatPct(float64(r.DeltaPct)), r.Verdict))
	}
	return t
}

// Summary counts the point's differences in a sentence without its
// full stop: "3 of 70 metrics differ: 1 with separate 95% CIs, ...".
func (p *PointDiff) Summary() string {
	count := map[string]int{}
	for _, r := range p.Rows {
		count[r.Verdict]++
	}
	differ := len(p.Rows) - count[Same]
	s := fmt.Sprintf("%d of %d metrics differ", differ, len(p.Rows))
	if differ > 0 {
		s += fmt.Sprintf(": %d with separate 95%% CIs, %d overlapping, %d without a CI", count[Separate], count[Overlap], count[NoCI])
		if n := count[OnlyA] + count[OnlyB]; n > 0 {
			s += fmt.Sprintf(", %d on one side only", n)
		}
	}
	return s
}

// OneReplication reports whether a side has a single replication, so that
// no difference of this point can be judged against noise.
func (p *PointDiff) OneReplication() bool { return p.ReplicationsA < 2 || p.ReplicationsB < 2 }

// OneReplicationNote explains verdicts without a CI.
const OneReplicationNote = "one replication on a side: its confidence intervals are unknown, so differences are not judged (no CI); run with replications: 3 or more"

// formatCI formats a half-width; one below a billionth of its value is
// rounding in the mean over replications, shown as 0.
func formatCI(name string, ci, v Num) string {
	if !ci.NaN() && float64(ci) <= 1e-9*math.Abs(float64(v)) {
		ci = 0
	}
	return Format(name, float64(ci))
}
