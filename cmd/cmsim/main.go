// Command cmsim simulates how long Kubernetes pods take to see ConfigMap and
// Secret updates, and what keeping them fresh costs the apiserver.
//
// Usage:
//
//	cmsim                          run the built-in quickstart scenario into ./cmsim-out
//	cmsim run FILE|BUILTIN [flags] run a scenario
//	cmsim diff A B                 compare two output folders
//	cmsim validate FILE|BUILTIN    check a scenario and print it resolved
//	cmsim scenarios                list the built-in scenarios
//	cmsim plot DIR                 re-render charts and report from an output folder
//	cmsim import PATH... [-o FILE] turn Kubernetes manifests into a scenario
//	cmsim lint PATH...             say what the kubelet will do with manifests
//	cmsim version                  print the version
//	cmsim help [COMMAND|TOPIC]     show help; topics: scenario, output
package main

import (
	"os"

	"cmsim/internal/hugepages"
)

func main() {
	if simulatesOrDraws(os.Args[1:]) {
		// The heap's first 64 MB (one arena) on huge pages: a run's
		// smaller arrays, which do not ask for them, land there. See
		// docs/performance.md (fresh memory).
		hugepages.AdviseHeap(64 << 20)
	}
	os.Exit(cmsim(os.Args[1:], os.Stdout, os.Stderr))
}

// simulatesOrDraws says whether a command line runs a simulation or draws
// charts: the commands whose memory is worth huge pages.
func simulatesOrDraws(args []string) bool {
	if len(args) == 0 {
		return true // the quickstart run
	}
	switch args[0] {
	case "run", "plan", "merge", "plot", "diff":
		return true
	}
	return false
}
