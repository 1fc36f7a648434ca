// Package scenarios loads cmsim scenario files: YAML documents (apiVersion
// cmsim/v1, kind Scenario) that describe a cluster, its ConfigMaps and
// Secrets, the workloads that mount them, the update streams, the faults,
// and optionally a parameter sweep. The full key reference is docs/scenario.md.
//
// # Loading
//
// [Load] parses the bytes into a yaml.Node tree, applies the --set overrides
// to the tree, decodes it strictly (unknown keys, wrong types and duplicate
// keys are errors), fills defaults and validates. Every sweep value is
// validated too, by loading the scenario with that value applied.
// [LoadFile] reads a file or, failing that, a built-in by name ([Builtin],
// [Builtins]).
//
// # Errors
//
// Load returns the first problem as an [*Error], whose text names the dotted
// path and the file position:
//
//	cluster.nodes: must be > 0 (allowed: 1..100000) (scenario.yaml:4:10)
//	--set cluster.nodez=3: unknown key "nodez" under cluster; allowed keys: nodes, start, kubeAPIAccess, imagePullSecret, kubelet, apiserver
//
// # Paths
//
// --set and sweep paths are dotted: mapping keys by name, list items by
// index (updates.0.every or updates[0].every) or by their name field
// (workloads.web.replicas).
// Missing intermediate mappings are created. The value is a YAML fragment.
//
// # Determinism
//
// Nothing here reads the clock or a random source. [Scenario.Points] expands
// the sweep in file order (first axis slowest) and [Scenario.ResolvedYAML] is
// canonical, so the same file and --set arguments always give the same
// points and the same bytes.
package scenarios
