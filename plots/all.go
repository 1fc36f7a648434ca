package plots

import (
	"fmt"
	"io"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"cmsim/results"
)

// Chart is one chart of a run, ready to render: either a single Plot or a
// Page of aligned plots.
type Chart struct {
	Name    string // file base name without extension, e.g. "latency_cdf"
	Caption string // one or two sentences for a report
	Plot    *plot.Plot
	Page    [][]*plot.Plot
	Width   vg.Length
	Height  vg.Length
}

// Render writes the chart to out as "svg" or "png" at its default size.
func (c Chart) Render(format string, out io.Writer) error {
	if c.Page != nil {
		return RenderPage(c.Page, format, c.Width, c.Height, out)
	}
	return Render(c.Plot, format, c.Width, c.Height, out)
}

// MaxLoadPages bounds the apiserver-load pages of [All]: with more points
// than this, only point 0 gets one.
const MaxLoadPages = 6

// All builds every chart that applies to a run: latency CDF, histogram and
// latency over time, one apiserver-load page per point (replication 0; only
// point 0 past MaxLoadPages points) and, when the summary holds several
// points that differ by a parameter, one sweep chart per [SweepMetrics] entry
// and the trade-off chart, and with finite apiserver capacity one per
// [CapacityMetrics] entry that differs between points. lat[i] digests the
// latency rows of point i (see [results.LatencyDigest]); lat and load may
// be nil.
func All(s *results.Summary, lat []results.LatencyDigest, load []results.LoadRow) ([]Chart, error) {
	if s == nil {
		return nil, fmt.Errorf("plots: nil summary")
	}
	var out []Chart
	add := func(name, caption string, p *plot.Plot, err error) error {
		if err != nil {
			return fmt.Errorf("plots: %s: %v", name, err)
		}
		out = append(out, Chart{Name: name, Caption: caption, Plot: p, Width: DefaultWidth, Height: DefaultHeight})
		return nil
	}
	series := LatencySeries(s, lat)
	p, err := LatencyCDF(s.Scenario+": update-to-file latency CDF", series)
	if err := add("latency_cdf", "Cumulative share of (update, consumer) pairs that saw the update within a given time, all replications pooled; dots mark p50 and p99. Pairs that never update (env vars, subPath, immutable) are not counted.", p, err); err != nil {
		return nil, err
	}
	p, err = LatencyHistogram(s.Scenario+": update-to-file latency distribution", series)
	if err := add("latency_histogram", "Share of observed (update, consumer) pairs per latency bin, all replications pooled.", p, err); err != nil {
		return nil, err
	}
	spread := SpreadSeriesOf(s, lat)
	title := s.Scenario + ": latency of each update (replication 0)"
	caption := "For each update (x: when the apiserver committed it), the latency of its fastest and slowest consumer (bar) and the median (dot); long bars are stragglers."
	if len(spread) > 0 && spread[0].BinSeconds > 0 {
		w := FormatSeconds(spread[0].BinSeconds)
		title = s.Scenario + ": latency of updates, per " + w + " (replication 0)"
		caption = "Updates pooled per " + w + " of write time (there are too many to draw one by one): for each bin, the fastest and slowest (update, consumer) pair (bar) and the median (dot)."
	}
	p, err = LatencyOverTime(title, spread)
	if err := add("latency_over_time", caption, p, err); err != nil {
		return nil, err
	}
	labels := PointLabels(s)
	n := len(s.Points)
	if n > MaxLoadPages {
		n = 1
	}
	for i := range n {
		name, title := "apiserver_load", s.Scenario+": apiserver load (replication 0)"
		if len(s.Points) > 1 {
			name = fmt.Sprintf("apiserver_load_p%d", i)
			title = s.Scenario + ": apiserver load, " + labels[i] + " (replication 0)"
		}
		rows := LoadOf(load, i, 0)
		limit := SeatLimit(&s.Points[i], rows)
		page, err := APIServerLoad(title, Strategy(&s.Points[i]), rows, s.Points[i].FaultEvents, limit)
		if err != nil {
			return nil, fmt.Errorf("plots: %s: %v", name, err)
		}
		out = append(out, Chart{
			Name:    name,
			Caption: loadCaption(labels[i], rows, s.Points[i].FaultEvents, limit),
			Page:    page, Width: DefaultWidth, Height: LoadPageHeight(len(page)),
		})
	}
	if _, ok := SweepOf(s.Points); ok && len(s.Points) > 1 {
		for _, m := range SweepMetrics {
			p, err := MetricSweep(s.Scenario+": "+m.Name, m, s.Points)
			cap := m.Name + " of each point against the swept parameter (mean over replications"
			if hasCI(s) {
				cap += ", bars: 95% confidence interval"
			}
			if err := add("sweep_"+m.Key, cap+").", p, err); err != nil {
				return nil, err
			}
		}
		if capacityRun(s.Points) {
			for _, m := range CapacityMetrics {
				if !varies(m, s.Points) {
					continue
				}
				p, err := MetricSweep(s.Scenario+": "+m.Name, m, s.Points)
				cap := m.Name + " of each point against the swept parameter (mean over replications"
				if hasCI(s) {
					cap += ", bars: 95% confidence interval"
				}
				if err := add("sweep_"+m.Key, cap+")."+m.Note, p, err); err != nil {
					return nil, err
				}
			}
		}
		p, err := Tradeoff(s.Scenario+": latency p99 against apiserver requests", s.Points, labels)
		if err := add("tradeoff", "Each point's latency p99 against the total apiserver requests per second its kubelets made (GET + LIST + WATCH): lower left is better.", p, err); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// loadCaption describes an apiserver-load page, naming the panels and
// marks that only some runs have.
func loadCaption(label string, rows []results.LoadRow, faults []results.FaultEvent, seatLimit float64) string {
	c := "Kubelet requests for ConfigMaps and Secrets seen by the apiserver over time, for " + label + ", replication 0: GETs (served by etcd or the watch cache), LISTs, WATCH requests, open watches and watch events sent (bookmarks apart)."
	var extra []string
	panels := loadPanels(rows, seatLimit)
	for _, p := range panels {
		switch p.ylabel {
		case tokenPanel.ylabel:
			extra = append(extra, "the kubelets' TokenRequests (POST serviceaccounts/token)")
		case seatsPanel.ylabel:
			s := "the seats in use in the kubelets' priority level (API Priority and Fairness, summed over replicas; mean and most per bucket"
			if p.limit > 0 {
				s += "; the wide grey line: its seats on every replica"
			}
			extra = append(extra, s+")")
		case waitingPanel.ylabel:
			extra = append(extra, "the requests waiting in its queues")
		case latencyPanel.ylabel:
			extra = append(extra, "request latency, from the kubelet's request to its response (client throttling, queueing and service; mean and slowest of the requests answered in each bucket)")
		case rejectPanel.ylabel:
			extra = append(extra, "429s (all, and those of priority and fairness: its queues full or the wait too long) and client-go's retries")
		case "failures/s":
			if hasCapacity(rows) {
				// Its 429s are in their own panel.
				var parts []string
				for _, s := range p.series {
					switch s.name {
					case "refused":
						parts = append(parts, "refused: no apiserver replica answered")
					case "410 Gone":
						parts = append(parts, "410 Gone: a watch too old to resume, so its reflector relists")
					}
				}
				extra = append(extra, "failed requests ("+strings.Join(parts, "; ")+")")
				continue
			}
			extra = append(extra, "failed requests (refused: no apiserver replica answered; 429: a restarted replica's watch cache initialising, or priority and fairness; 410 Gone: a watch too old to resume, so its reflector relists)")
		case mountPanel.ylabel:
			extra = append(extra, "failed volume mounts")
		case "watches per replica":
			extra = append(extra, "each apiserver replica's mean open watches")
		case nodesPanel.ylabel:
			extra = append(extra, "the nodes")
		case podsPanel.ylabel:
			extra = append(extra, "the pods")
		}
	}
	if len(extra) > 0 {
		c += " Also: " + strings.Join(extra, "; ") + "."
	}
	if len(faultSpans(faults)) > 0 {
		c += " Each fault is a thin line at its start and a light band until its disruption ended, coloured by kind (named in the top panel)."
	}
	return c
}

func hasCI(s *results.Summary) bool {
	for _, pt := range s.Points {
		if pt.CI95 != nil {
			return true
		}
	}
	return false
}
