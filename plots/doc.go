// Package plots draws cmsim's charts with gonum.org/v1/plot.
//
// Every chart is a function from plain data to a *plot.Plot (or, for the
// apiserver-load page, a column of aligned plots). The package never opens a
// file: [Render] and [RenderPage] write SVG or PNG to an io.Writer given by the
// caller, and cmd decides where the bytes go.
//
// # Charts
//
//   - [LatencyCDF]: update-to-file latency CDF, one line per point, p50 and p99 marked.
//   - [LatencyHistogram]: latency histogram, overlaid outlines for several points.
//   - [LatencyOverTime]: per update, the spread (min, median, max) of consumer latencies.
//   - [APIServerLoad]: aligned panels of apiserver load over time for one run (five,
//     plus token requests, failures, per-replica watches and node and pod counts
//     when the run has them, and with finite apiserver capacity seats in use,
//     requests waiting, request latency, 429s and retries), with its faults marked.
//   - [MetricSweep]: one metric against the swept parameter ([SweepMetrics], and
//     [CapacityMetrics] with finite capacity).
//   - [Tradeoff]: latency p99 against total apiserver requests per second.
//   - [LatencyCDFDiff] and [APIServerLoadDiff]: the latency CDFs and the load
//     page of two outputs over each other, for 'cmsim diff'.
//
// [All] builds every chart that applies to a run's results, each with a file
// name and a caption, for cmd and the report.
//
// # Style
//
// A strategy (Get, Cache, Watch, read from a point's
// "cluster.kubelet.changeDetectionStrategy" parameter) keeps one colour in
// every chart ([StrategyColor]); other series take [Palette] in order. Time
// axes use [TimeTicks]: seconds under about three minutes, minutes beyond,
// hours past three hours.
//
// # Determinism
//
// The same data gives byte-identical SVG. Fonts are not embedded in SVG output.
//
// # Empty data
//
// Charts with no finite samples return a plot carrying a "no samples" note
// rather than an error; NaN and ±Inf samples (never-updated rows) are skipped.
package plots
