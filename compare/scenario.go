package compare

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// flatYAML is a scenario's leaves by dotted path (as --set names them,
// "cluster.kubelet.syncFrequency", "updates.0.at"), in document order.
type flatYAML struct {
	order  []string
	values map[string]string
}

// flattenYAML reads a resolved scenario. A sequence of scalars is one
// leaf, written in flow style ("[10m, 30m]").
func flattenYAML(b []byte) (*flatYAML, error) {
	f := &flatYAML{values: map[string]string{}}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	if doc.Kind == 0 {
		return f, nil // empty file
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("not a scenario: want a mapping at the top")
	}
	f.walk(doc.Content[0], "")
	return f, nil
}

func (f *flatYAML) add(path, v string) {
	if _, dup := f.values[path]; !dup {
		f.order = append(f.order, path)
	}
	f.values[path] = v
}

func (f *flatYAML) walk(n *yaml.Node, path string) {
	switch n.Kind {
	case yaml.AliasNode:
		f.walk(n.Alias, path)
	case yaml.MappingNode:
		if len(n.Content) == 0 {
			f.add(path, "{}")
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			f.walk(n.Content[i+1], join(path, n.Content[i].Value))
		}
	case yaml.SequenceNode:
		scalars := make([]string, 0, len(n.Content))
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				scalars = nil
				break
			}
			scalars = append(scalars, c.Value)
		}
		if scalars != nil {
			f.add(path, "["+strings.Join(scalars, ", ")+"]")
			return
		}
		for i, c := range n.Content {
			f.walk(c, join(path, strconv.Itoa(i)))
		}
	case yaml.ScalarNode:
		f.add(path, n.Value)
	}
}

// changes lists the leaves whose values differ, in a's order, then the
// leaves only b has.
func changes(a, b *flatYAML) []Change {
	out := []Change{}
	for _, p := range a.order {
		if vb, ok := b.values[p]; !ok || vb != a.values[p] {
			out = append(out, Change{Path: p, A: a.values[p], B: vb})
		}
	}
	for _, p := range b.order {
		if _, ok := a.values[p]; !ok {
			out = append(out, Change{Path: p, B: b.values[p]})
		}
	}
	return out
}
