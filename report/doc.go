// Package report writes cmsim's HTML report: one self-contained report.html
// with the plain-language reading of a run, the summary tables, the
// apiserver's priority level and request latency when the run had finite
// apiserver capacity, the faults and their recovery when the run had
// faults, every chart of [plots.All] as
// inline SVG with its caption, links to the output files and the scenario
// as run.
//
// [WriteDiff] writes diff.html in the same style and under the same
// contract: what changed between two outputs and every metric of each
// matched point (see package compare), with the charts of [DiffCharts].
//
// # Contract
//
//   - Self-contained: inline CSS and SVG only; no <script>, no external fonts,
//     images or style sheets. It reads the same from file:// as from a server.
//   - Printable: a print style sheet keeps each chart on one page and drops
//     backgrounds.
//   - Escaped: every text goes through html/template.
//   - Deterministic: the same Input gives the same bytes.
package report
