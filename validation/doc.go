// Package validation reproduces published figures about kubelet ConfigMap
// and Secret propagation with cmsim and writes them side by side with
// cmsim's own as docs/validation.md.
//
// [Generate] runs each figure's workload through scenarios and model as
// 'cmsim run' does (replications on independent seeds, 95% confidence
// intervals over replications), compares it with the figure and gives a
// verdict. Runs are deterministic, so the document is too; its test
// regenerates it and fails when a verdict (or, beyond a tolerance, a
// number) differs from the committed file. `go test ./validation -update`
// rewrites the file.
//
// The analytic side of the latency rows ([ResyncInterval], [Latency]) is
// renewal theory applied to the resync cycle model/kubelet.go implements.
package validation
