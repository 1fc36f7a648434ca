package scenarios

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// splitPath splits a --set/sweep path into segments. An index may also be
// written as in error messages, faults[0].downtime for faults.0.downtime.
// Under sweep, the rest of the path is one key (sweep keys are themselves
// dotted paths).
func splitPath(path string) ([]string, error) {
	if path == "" {
		return nil, errors.New("empty path")
	}
	if rest, ok := strings.CutPrefix(path, "sweep."); ok {
		if rest == "" {
			return nil, fmt.Errorf("path %q has an empty segment", path)
		}
		return []string{"sweep", rest}, nil
	}
	var segs []string
	for _, s := range strings.Split(path, ".") {
		// Peel trailing [i] items off the segment: a[0][1] is a, 0, 1.
		var items []string
		for strings.HasSuffix(s, "]") {
			open := strings.LastIndexByte(s, '[')
			if open < 0 {
				break
			}
			items = append(items, s[open+1:len(s)-1])
			s = s[:open]
		}
		segs = append(segs, s)
		for i := len(items) - 1; i >= 0; i-- {
			segs = append(segs, items[i])
		}
	}
	for _, s := range segs {
		if s == "" {
			return nil, fmt.Errorf("path %q has an empty segment", path)
		}
	}
	return canonicalSegs(segs), nil
}

// cloneNode returns a shallow copy of n (alias resolved) with its own Content
// slice, so that changing it does not change a node shared through an alias.
func cloneNode(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	c := *n
	c.Anchor = ""
	c.Content = append([]*yaml.Node(nil), n.Content...)
	return &c
}

// copyTree deep-copies a node tree, preserving sharing and alias targets.
func copyTree(n *yaml.Node, seen map[*yaml.Node]*yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	if c, ok := seen[n]; ok {
		return c
	}
	c := new(yaml.Node)
	*c = *n
	seen[n] = c
	if n.Alias != nil {
		c.Alias = copyTree(n.Alias, seen)
	}
	if n.Content != nil {
		c.Content = make([]*yaml.Node, len(n.Content))
		for i, ch := range n.Content {
			c.Content[i] = copyTree(ch, seen)
		}
	}
	return c
}

// display renders a path prefix for messages ("the top level" for none).
func display(segs []string) string {
	if len(segs) == 0 {
		return "the top level"
	}
	return strings.Join(segs, ".")
}

// setPath replaces (or creates) the node at the dotted path segs under root,
// a mapping node, with val. New nodes are passed to mark. It returns a
// message-only error when the path does not resolve.
func setPath(root *yaml.Node, segs []string, val *yaml.Node, mark func(*yaml.Node)) error {
	cur, sh := root, schemaRoot
	for i := 0; i < len(segs); i++ {
		seg, last, here := segs[i], i == len(segs)-1, segs[:i]
		if cur.Kind == yaml.ScalarNode && cur.Tag == "!!null" && sh != nil && (sh.kind == shapeMap || sh.kind == shapeFree) {
			// "kubelet:" with no value: treat it as an empty mapping.
			cur.Kind, cur.Tag, cur.Value, cur.Style = yaml.MappingNode, "!!map", "", 0
		}
		switch cur.Kind {
		case yaml.MappingNode:
			var child *shape
			if sh != nil && sh.kind == shapeMap {
				child = sh.fields[seg]
				if child == nil {
					return fmt.Errorf("unknown key %q under %s; allowed keys: %s", seg, display(here), strings.Join(sh.keys, ", "))
				}
			} else if sh != nil && sh.kind == shapeFree {
				child = leaf()
			}
			at := -1
			for k := 0; k+1 < len(cur.Content); k += 2 {
				if kn := cur.Content[k]; kn.Kind == yaml.ScalarNode && kn.Value == seg {
					at = k + 1
					break
				}
			}
			if at < 0 {
				if !last && child != nil && child.kind == shapeList {
					return fmt.Errorf("%s has no items, so %q cannot be addressed", display(segs[:i+1]), segs[i+1])
				}
				kn := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: seg}
				mark(kn)
				var vn *yaml.Node
				if last {
					vn = val
				} else {
					vn = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
					mark(vn)
				}
				cur.Content = append(cur.Content, kn, vn)
				if last {
					return nil
				}
				cur, sh = vn, child
				continue
			}
			if last {
				cur.Content[at] = val
				return nil
			}
			next := cloneNode(cur.Content[at])
			cur.Content[at] = next
			cur, sh = next, child
		case yaml.SequenceNode:
			at := -1
			if n, err := strconv.Atoi(seg); err == nil && strconv.Itoa(n) == seg {
				if n < 0 || n >= len(cur.Content) {
					return fmt.Errorf("index %d is out of range: %s has %d items", n, display(here), len(cur.Content))
				}
				at = n
			} else {
				var names []string
				for k, it := range cur.Content {
					for it.Kind == yaml.AliasNode && it.Alias != nil {
						it = it.Alias
					}
					if it.Kind != yaml.MappingNode {
						continue
					}
					for j := 0; j+1 < len(it.Content); j += 2 {
						if it.Content[j].Value == "name" && it.Content[j+1].Kind == yaml.ScalarNode {
							names = append(names, it.Content[j+1].Value)
							if it.Content[j+1].Value == seg && at < 0 {
								at = k
							}
						}
					}
				}
				if at < 0 {
					if len(names) == 0 {
						return fmt.Errorf("%s items have no name; address them by index 0..%d", display(here), len(cur.Content)-1)
					}
					return fmt.Errorf("no item named %q in %s; names are: %s", seg, display(here), strings.Join(names, ", "))
				}
			}
			if last {
				cur.Content[at] = val
				return nil
			}
			next := cloneNode(cur.Content[at])
			cur.Content[at] = next
			cur = next
			if sh != nil {
				sh = sh.elem
			}
		default:
			return fmt.Errorf("%s is %s, so %q cannot be set inside it", display(here), describe(cur), seg)
		}
	}
	return errors.New("empty path")
}

// parseSet splits a --set argument and parses its value as a YAML fragment.
func parseSet(arg string) (segs []string, val *yaml.Node, err error) {
	path, value, ok := strings.Cut(arg, "=")
	if !ok {
		return nil, nil, errors.New("expected PATH=VALUE, e.g. cluster.nodes=10")
	}
	if segs, err = splitPath(path); err != nil {
		return nil, nil, err
	}
	val, err = parseFragment(value)
	return segs, val, err
}

func parseFragment(value string) (*yaml.Node, error) {
	if strings.TrimSpace(value) == "" {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value}, nil
	}
	var doc yaml.Node
	if err := safeUnmarshal([]byte(value), &doc); err != nil {
		return nil, fmt.Errorf("value is not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value}, nil
	}
	return doc.Content[0], nil
}

// safeUnmarshal is yaml.Unmarshal that turns a parser panic into an error.
func safeUnmarshal(data []byte, out *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: cannot parse: %v", r)
		}
	}()
	return yaml.Unmarshal(data, out)
}

// walk calls f for n and every node below it (aliases are not followed).
func walk(n *yaml.Node, f func(*yaml.Node)) {
	f(n)
	for _, c := range n.Content {
		walk(c, f)
	}
}
