package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"cmsim/plots"
	"cmsim/report"
	"cmsim/results"
)

// printByWorkload prints, when some point has several workloads, a table
// of each point's workloads, then names every workload whose consumers
// never see some updates, with the fix.
func printByWorkload(w io.Writer, s *results.Summary) {
	several := false
	for _, p := range s.Points {
		several = several || len(p.ByWorkload) > 1
	}
	if several {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		keys := paramKeys(s)
		var hdr []string
		for _, k := range keys {
			hdr = append(hdr, shortParam(k))
		}
		hdr = append(hdr, "workload", "pairs", "p50 s", "p99 s", "max s", "never env/subPath/immut", "own GET/s", "own WATCH/s")
		fmt.Fprintln(tw, strings.Join(hdr, "\t")+"\t")
		for _, p := range s.Points {
			for _, g := range p.ByWorkload {
				var row []string
				for _, k := range keys {
					row = append(row, p.Params[k])
				}
				l, n := g.LatencySeconds, g.NeverUpdated
				lat := func(v float64) string {
					if l.Count == 0 {
						return "-"
					}
					return sec(v)
				}
				row = append(row, g.Name, plots.Count(l.Count), lat(l.P50), lat(l.P99), lat(l.Max),
					plots.Count(n.Env)+"/"+plots.Count(n.SubPath)+"/"+plots.Count(n.Immutable),
					rate(g.Requests.GetPerSec), rate(g.Requests.WatchRequestsPerSec))
				fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
			}
		}
		tw.Flush()
		fmt.Fprintln(w, "own: requests for the object groups only that workload references; those of shared groups are in summary.json's by_object")
	}
	for _, line := range report.StaleWorkloads(s) {
		fmt.Fprintln(w, "note: "+line)
	}
}
