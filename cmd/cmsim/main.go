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

import "os"

func main() { os.Exit(cmsim(os.Args[1:], os.Stdout, os.Stderr)) }
