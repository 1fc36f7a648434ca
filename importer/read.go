// Package importer turns Kubernetes manifests (and optionally a
// KubeletConfiguration and an apiserver audit log) into a cmsim scenario,
// and lints them: it reports what the kubelet will do with each ConfigMap and
// Secret reference. It decodes with the upstream API types, which stay in
// this package: sim, model and scenarios never see them.
package importer

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Input is one file's bytes and the name used in messages and provenance.
type Input struct {
	Name string
	Data []byte
}

// ReadPaths reads manifest paths: files, folders (recursively, the files
// ending in .yaml, .yml or .json, in lexical order) and "-" for stdin.
func ReadPaths(paths []string, stdin io.Reader) ([]Input, error) {
	var out []Input
	for _, p := range paths {
		if p == "-" {
			b, err := io.ReadAll(stdin)
			if err != nil {
				return nil, fmt.Errorf("reading stdin: %w", err)
			}
			out = append(out, Input{Name: "<stdin>", Data: b})
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			b, err := os.ReadFile(p)
			if err != nil {
				return nil, err
			}
			out = append(out, Input{Name: p, Data: b})
			continue
		}
		var files []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && isManifestName(path) {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("%s: no .yaml, .yml or .json files in this folder or below", p)
		}
		slices.Sort(files)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			out = append(out, Input{Name: f, Data: b})
		}
	}
	return out, nil
}

func isManifestName(p string) bool {
	ext := strings.ToLower(filepath.Ext(p))
	return ext == ".yaml" || ext == ".yml" || ext == ".json"
}

// doc is one Kubernetes object: a YAML document, or an item of a List.
type doc struct {
	file             string
	line, col        int        // the object's position
	node             *yaml.Node // the object's mapping
	apiVersion, kind string
	namespace, name  string
}

func (d *doc) where() string { return oneLine(fmt.Sprintf("%s:%d", d.file, d.line)) }

// ParseError is malformed YAML or JSON at a position.
type ParseError struct {
	File      string
	Line, Col int
	Msg       string
}

func (e *ParseError) Error() string {
	switch {
	case e.Line > 0 && e.Col > 0:
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// splitDocs parses a file's YAML (or JSON) documents and expands Lists into
// their items. Empty documents are skipped.
func splitDocs(in Input) (docs []*doc, err error) {
	defer func() {
		if r := recover(); r != nil {
			docs, err = nil, &ParseError{File: in.Name, Msg: fmt.Sprintf("invalid YAML: %v", r)}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(in.Data))
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			if errors.Is(err, io.EOF) {
				return docs, nil
			}
			return nil, yamlError(in.Name, err)
		}
		if n.Kind != yaml.DocumentNode || len(n.Content) != 1 {
			continue
		}
		top := n.Content[0]
		if top.Kind == yaml.ScalarNode && top.Tag == "!!null" {
			continue
		}
		if err := expand(in.Name, top, &docs); err != nil {
			return nil, err
		}
	}
}

func yamlError(file string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var line int
	if _, e := fmt.Sscanf(msg, "line %d:", &line); e == nil {
		_, msg, _ = strings.Cut(msg, ": ")
	}
	return &ParseError{File: file, Line: line, Msg: "invalid YAML: " + msg}
}

// expand appends the object n, or the items of a List, to docs.
func expand(file string, n *yaml.Node, docs *[]*doc) error {
	if n.Kind != yaml.MappingNode {
		return &ParseError{File: file, Line: n.Line, Col: n.Column, Msg: "expected a Kubernetes object (a mapping with apiVersion and kind), got a " + nodeKind(n)}
	}
	d := &doc{file: file, line: n.Line, col: n.Column, node: n}
	d.apiVersion = scalar(get(n, "apiVersion"))
	d.kind = scalar(get(n, "kind"))
	if d.apiVersion == "" || d.kind == "" {
		return &ParseError{File: file, Line: n.Line, Col: n.Column, Msg: "object without apiVersion and kind"}
	}
	md := get(n, "metadata")
	d.namespace, d.name = scalar(get(md, "namespace")), scalar(get(md, "name"))
	if strings.HasSuffix(d.kind, "List") {
		items := get(n, "items")
		if items == nil || items.Kind != yaml.SequenceNode {
			if items == nil || (items.Kind == yaml.ScalarNode && items.Tag == "!!null") {
				return nil
			}
			return &ParseError{File: file, Line: items.Line, Col: items.Column, Msg: d.kind + ".items must be a list"}
		}
		for _, it := range items.Content {
			if err := expand(file, it, docs); err != nil {
				return err
			}
		}
		return nil
	}
	*docs = append(*docs, d)
	return nil
}

func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "scalar " + fmt.Sprintf("%q", n.Value)
	}
	return "non-mapping"
}

// get returns the value of key in mapping n, or nil.
func get(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return ""
	}
	return n.Value
}

// locate returns the position of the node at a JSON field path such as
// spec.template.spec.containers[0].env[1].valueFrom, or of its deepest
// existing ancestor.
func locate(n *yaml.Node, path string) (line, col int) {
	line, col = n.Line, n.Column
	cur := n
	for _, seg := range splitFieldPath(path) {
		var next *yaml.Node
		var key *yaml.Node
		switch {
		case seg.index >= 0 && cur.Kind == yaml.SequenceNode && seg.index < len(cur.Content):
			next = cur.Content[seg.index]
		case seg.index < 0 && cur.Kind == yaml.MappingNode:
			for i := 0; i+1 < len(cur.Content); i += 2 {
				if cur.Content[i].Value == seg.key {
					key, next = cur.Content[i], cur.Content[i+1]
				}
			}
		}
		if next == nil {
			return line, col
		}
		if key != nil {
			line, col = key.Line, key.Column
		} else {
			line, col = next.Line, next.Column
		}
		cur = next
	}
	return line, col
}

type pathSeg struct {
	key   string
	index int // -1 for a key
}

func splitFieldPath(path string) []pathSeg {
	var out []pathSeg
	for _, part := range strings.Split(path, ".") {
		key, rest, _ := strings.Cut(part, "[")
		if key != "" {
			out = append(out, pathSeg{key: key, index: -1})
		}
		for rest != "" {
			num, after, _ := strings.Cut(rest, "]")
			i := 0
			for _, c := range num {
				if c < '0' || c > '9' {
					i = -1
					break
				}
				i = i*10 + int(c-'0')
			}
			if i < 0 {
				break
			}
			out = append(out, pathSeg{index: i})
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return out
}
