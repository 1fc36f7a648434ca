// Package compare computes the difference between two cmsim outputs: what
// changed in their scenarios, and every summary metric of each pair of
// matched points, with whether their 95% confidence intervals separate.
//
// # Metrics
//
// A point's metrics are found by walking its summary.json entry (every
// number, at any depth), not from a fixed list, so that a field added to
// summary.json is compared without changes here. A metric is named by its
// dotted JSON path, with two groups shortened as 'cmsim plan' names them:
// latency_seconds is "latency" and never_updated is "never" (latency.p99,
// never.env, apiserver.get_per_sec, apiserver.request_latency.GET.p99,
// kubelet.syncs_per_sec, faults.count). Array elements are indexed
// (fault_events[0].relists), or keyed by their name when they have one.
//
// # Matching
//
// Points are matched by the parameters that vary between the points of
// either output (the swept ones). Parameters that are the same for every
// point of an output, such as a syncFrequency changed with --set, are not
// matched on: that difference shows in the scenario changes. A point whose
// swept values the other output lacks is listed as unmatched.
//
// # Verdicts
//
// For each metric: "same" when A and B are equal; with both confidence
// half-widths known (two or more replications), "separate" when the
// intervals do not overlap and "overlap" when they do; otherwise "no CI".
//
// The package reads and writes no files; cmd does.
package compare
