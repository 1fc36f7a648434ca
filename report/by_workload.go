package report

import (
	"fmt"
	"slices"
	"strings"

	"cmsim/plots"
	"cmsim/results"
)

// StaleWorkloads names, in one sentence each, the workloads whose
// consumers never see some updates, why, and the fix: a directory mount,
// or a restart on change. Over several points a workload is named once,
// with the point where it missed the most updates.
func StaleWorkloads(s *results.Summary) []string {
	type worst struct {
		point int
		g     results.Group
		in    int // points where it missed some
	}
	var order []string
	by := map[string]*worst{}
	for i := range s.Points {
		for _, g := range s.Points[i].ByWorkload {
			n := neverOf(&g.NeverUpdated)
			if n == 0 {
				continue
			}
			w, ok := by[g.Name]
			if !ok {
				w = &worst{point: i, g: g}
				by[g.Name] = w
				order = append(order, g.Name)
			} else if n > neverOf(&w.g.NeverUpdated) {
				w.point, w.g = i, g
			}
			w.in++
		}
	}
	labels := plots.PointLabels(s)
	var out []string
	for _, name := range order {
		w := by[name]
		n := &w.g.NeverUpdated
		total := neverOf(n)
		var b strings.Builder
		pairs := "(update, consumer) pairs"
		if reps := s.Points[w.point].Replications; reps > 1 {
			pairs += fmt.Sprintf(" (a mean of %d replications)", reps)
		}
		if w.g.LatencySeconds.Count == 0 {
			fmt.Fprintf(&b, "Workload %s never sees an update: all %s of its %s", name, plots.Count(total), pairs)
		} else {
			fmt.Fprintf(&b, "Workload %s misses updates: %s of its %s", name, plots.Count(total), pairs)
		}
		var why []string
		if n.Env > 0 {
			why = append(why, fmt.Sprintf("%s read the object as environment variables, set when the container starts", plots.Count(n.Env)))
		}
		if n.SubPath > 0 {
			why = append(why, fmt.Sprintf("%s mount it with subPath, which the kubelet never refreshes", plots.Count(n.SubPath)))
		}
		if n.Immutable > 0 {
			why = append(why, fmt.Sprintf("%s are writes to an immutable object, which the apiserver refuses", plots.Count(n.Immutable)))
		}
		fmt.Fprintf(&b, " never update (%s)", strings.Join(why, "; "))
		if len(s.Points) > 1 {
			if w.in == len(s.Points) {
				fmt.Fprintf(&b, ", in every point (most at %s)", labels[w.point])
			} else {
				fmt.Fprintf(&b, ", in %d of %d points (most at %s)", w.in, len(s.Points), labels[w.point])
			}
		}
		b.WriteString(". Fix: ")
		var fixes []string
		if n.Env > 0 || n.SubPath > 0 {
			fixes = append(fixes, "mount the object as a directory volume (no subPath) and read the files, which the kubelet refreshes, or restart the pods on change (a rolling restart after each update, as a reloader does: see the reloader built-in study, cmsim run reloader)")
		}
		if n.Immutable > 0 {
			fixes = append(fixes, "publish a change to an immutable object as a new object and roll the workload onto it")
		}
		b.WriteString(strings.Join(fixes, "; ") + ".")
		out = append(out, b.String())
	}
	return out
}

func neverOf(n *results.Never) float64 { return n.Env + n.SubPath + n.Immutable }

// groupTables builds the by-workload and by-object-group tables: one row
// per point and group, with the latency, the pairs that never update and
// the requests attributable to the group. It returns nothing for a run
// that has no groups (a summary written before they existed).
func groupTables(s *results.Summary) []pointTable {
	keys := labelKeys(s)
	if len(s.Points) == 1 {
		keys = nil // one point: its parameters are in the summary table
	}
	var out []pointTable
	for _, by := range []struct {
		label, col string
		get        func(*results.Metrics) []results.Group
		note       string
	}{
		{"By workload", "workload", func(m *results.Metrics) []results.Group { return m.ByWorkload },
			"A workload's requests are those for the object groups only it references; requests for objects it shares with other workloads (listed) are not split, because the kubelet's Cache items and Watch reflectors are per node and object, shared by every pod on the node that uses the object. Token requests are not included."},
		{"By object group", "object group", func(m *results.Metrics) []results.Group { return m.ByObject },
			"An object group is one entry of the scenario's objects (its members pooled), or an implicit object (kube-root-ca.crt, the default pull secret) over every namespace. Requests are every GET, LIST and WATCH for the group's objects that reached an apiserver replica, and the watch events sent."},
	} {
		if !slices.ContainsFunc(s.Points, func(pt results.Point) bool { return len(by.get(&pt.Metrics)) > 0 }) {
			continue
		}
		t := table{Compact: true}
		t.Head = append(paramHead(s, keys), by.col, "pairs", "p50", "p99", "max", "never (env / subPath / immutable)", "GET/s", "LIST/s", "WATCH/s", "events/s")
		shared := false
		for i := range s.Points {
			pt := &s.Points[i]
			groups := by.get(&pt.Metrics)
			var cis []results.Group
			if pt.CI95 != nil {
				cis = by.get(pt.CI95)
			}
			for j := range groups {
				g := &groups[j]
				var ci *results.Group
				if j < len(cis) {
					ci = &cis[j]
				}
				gc := func(f func(*results.Group) float64, format func(float64) string) cell {
					if f == nil {
						return cell{Text: "–"}
					}
					t := format(f(g))
					if ci != nil {
						if c := f(ci); finite(c) && c > 0 {
							t += " ± " + format(c)
						}
					}
					return cell{Text: t}
				}
				lat := func(f func(*results.Latency) float64) cell {
					if g.LatencySeconds.Count == 0 {
						return cell{Text: "–"}
					}
					return gc(func(x *results.Group) float64 { return f(&x.LatencySeconds) }, plots.FormatSeconds)
				}
				name := g.Name
				if len(g.SharedObjects) > 0 {
					name += " (shares " + strings.Join(g.SharedObjects, ", ") + ")"
					shared = true
				}
				n := &g.NeverUpdated
				row := append(paramCells(s, i, keys), cell{Text: name, Param: true},
					cell{Text: plots.FormatRate(g.LatencySeconds.Count)},
					lat(func(l *results.Latency) float64 { return l.P50 }),
					lat(func(l *results.Latency) float64 { return l.P99 }),
					lat(func(l *results.Latency) float64 { return l.Max }),
					cell{Text: plots.FormatRate(n.Env) + " / " + plots.FormatRate(n.SubPath) + " / " + plots.FormatRate(n.Immutable)},
					gc(func(x *results.Group) float64 { return x.Requests.GetPerSec }, plots.FormatRate),
					gc(func(x *results.Group) float64 { return x.Requests.ListPerSec }, plots.FormatRate),
					gc(func(x *results.Group) float64 { return x.Requests.WatchRequestsPerSec }, plots.FormatRate),
					gc(func(x *results.Group) float64 { return x.Requests.WatchEventsPerSec }, plots.FormatRate),
				)
				t.Rows = append(t.Rows, row)
			}
		}
		note := by.note
		if by.col == "workload" && !shared {
			note = "A workload's requests are those for the object groups only it references (here, every group it uses). Token requests are not included."
		}
		out = append(out, pointTable{Label: by.label, Table: t, Note: note})
	}
	return out
}

// derivedTable shows, per point, the values its settings imply: the Cache
// TTL in force and the expected latency bound, term by term.
func derivedTable(s *results.Summary) *table {
	if !slices.ContainsFunc(s.Points, func(pt results.Point) bool { return pt.Derived.Strategy != "" }) {
		return nil
	}
	keys := labelKeys(s)
	t := &table{Compact: true}
	strategyCol := !slices.Contains(keys, plots.StrategyParam)
	t.Head = paramHead(s, keys)
	if strategyCol {
		t.Head = append(t.Head, "strategy")
	}
	t.Head = append(t.Head, "Cache TTL", "1.5 × syncFrequency", "tick + loops", "expected bound", "measured max")
	for i := range s.Points {
		pt := &s.Points[i]
		d := &pt.Derived
		ttl := secs(d.CacheTTLSeconds) + " (" + d.CacheTTLSource + ")"
		if d.CacheTTLMaxSeconds > d.CacheTTLSeconds {
			ttl += ", up to " + secs(d.CacheTTLMaxSeconds)
		}
		if d.Strategy != "Cache" {
			ttl += ", unused"
		}
		measured := "–"
		if pt.LatencySeconds.Count > 0 {
			measured = plots.FormatSeconds(pt.LatencySeconds.Max)
		}
		row := paramCells(s, i, keys)
		if strategyCol {
			row = append(row, cell{Text: d.Strategy, Param: true})
		}
		t.Rows = append(t.Rows, append(row, cell{Text: ttl}, cell{Text: secs(d.SyncWaitMaxSeconds)},
			cell{Text: secs(d.LoopsSeconds)}, cell{Text: secs(d.LatencyBoundSeconds)}, cell{Text: measured}))
	}
	return t
}
