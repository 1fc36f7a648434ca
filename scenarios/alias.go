package scenarios

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// KubeletStrategyKey is the KubeletConfiguration's own name for
// cluster.kubelet.changeDetectionStrategy; the scenario format accepts both.
const KubeletStrategyKey = "configMapAndSecretChangeDetectionStrategy"

// strategyAliases are the names the kubelet's design and the classic
// write-ups use for two of the strategies.
var strategyAliases = map[string]string{"Simple": StrategyGet, "TTL": StrategyCache}

// canonicalSegs rewrites the alias key in a --set or sweep path
// (cluster.kubelet.configMapAndSecretChangeDetectionStrategy).
func canonicalSegs(segs []string) []string {
	if len(segs) == 3 && segs[0] == "cluster" && segs[1] == "kubelet" && segs[2] == KubeletStrategyKey {
		return []string{"cluster", "kubelet", "changeDetectionStrategy"}
	}
	return segs
}

// canonicalKeys renames the alias key in a scenario tree (a private copy),
// so that giving both spellings is a duplicate key.
func canonicalKeys(root *yaml.Node) {
	kubelet := child(child(root, "cluster"), "kubelet")
	if kubelet == nil || kubelet.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(kubelet.Content); i += 2 {
		if k := kubelet.Content[i]; k.Kind == yaml.ScalarNode && k.Value == KubeletStrategyKey {
			k.Value = "changeDetectionStrategy"
		}
	}
}

// child returns the value of key in mapping n, or nil.
func child(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// ErrManifest is wrapped by the error Load returns for a Kubernetes manifest
// given where a scenario was expected.
var ErrManifest = fmt.Errorf("a Kubernetes manifest, not a cmsim scenario")

// ManifestError is Load's error for a file that is a Kubernetes manifest.
type ManifestError struct {
	File, APIVersion, Kind string
}

func (e *ManifestError) Error() string {
	return fmt.Sprintf("%s is a Kubernetes manifest (%s %s), not a cmsim scenario (apiVersion %s); turn manifests into a scenario with 'cmsim import %s', or give them to 'cmsim run' and 'cmsim validate' as they are",
		e.File, e.APIVersion, e.Kind, APIVersion, e.File)
}

// Unwrap makes errors.Is(err, ErrManifest) true.
func (e *ManifestError) Unwrap() error { return ErrManifest }

// manifestOf returns a *ManifestError when the document looks like a
// Kubernetes object: string apiVersion and kind, the apiVersion not
// cmsim's, and a metadata mapping or a kind List.
func manifestOf(file string, root *yaml.Node) error {
	av, kind, md := child(root, "apiVersion"), child(root, "kind"), child(root, "metadata")
	if av == nil || kind == nil || av.Kind != yaml.ScalarNode || kind.Kind != yaml.ScalarNode || av.Value == APIVersion {
		return nil
	}
	if (md != nil && md.Kind == yaml.MappingNode) || kind.Value == "List" {
		return &ManifestError{File: file, APIVersion: av.Value, Kind: kind.Value}
	}
	return nil
}
