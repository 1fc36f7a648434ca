package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Load parses a scenario file's bytes, applies --set overrides (each
// "dotted.path=value"), fills defaults, validates everything including every
// sweep value, and returns the scenario. name is used in error messages,
// e.g. "scenario.yaml" or "builtin:quickstart". Errors are *Error.
func Load(name string, data []byte, sets []string) (*Scenario, error) {
	root, err := parse(name, data)
	if err != nil {
		return nil, err
	}
	if err := manifestOf(name, root); err != nil {
		return nil, err
	}
	src := &source{file: name, root: root, sets: slices.Clone(sets)}
	s, d, lerr := src.load(nil)
	if lerr != nil {
		return nil, lerr
	}
	if lerr := src.checkSweep(s, d); lerr != nil {
		return nil, lerr
	}
	return s, nil
}

// LoadFile loads the scenario file at arg. If there is no such file and arg
// has no '/' and no .yaml/.yml suffix, it loads the built-in scenario of that name.
func LoadFile(arg string, sets []string) (*Scenario, error) {
	data, err := os.ReadFile(arg)
	if err == nil {
		return Load(arg, data, sets)
	}
	if errors.Is(err, fs.ErrNotExist) && !strings.Contains(arg, "/") && !strings.HasSuffix(arg, ".yaml") && !strings.HasSuffix(arg, ".yml") {
		if b, ok := Builtin(arg); ok {
			return Load("builtin:"+arg, b, sets)
		}
		names := make([]string, 0)
		for _, b := range Builtins() {
			names = append(names, b.Name)
		}
		return nil, fmt.Errorf("%s: no such file or built-in scenario; built-ins are: %s", arg, strings.Join(names, ", "))
	}
	return nil, err
}

var reYAMLLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError converts a yaml.v3 parse error into an *Error with its line.
func syntaxError(file string, data []byte, err error) *Error {
	msg := err.Error()
	e := &Error{File: file}
	if m := reYAMLLine.FindStringSubmatch(msg); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		msg = m[2]
		// yaml.v3 reports a tab in indentation at the line of the token
		// before it, often the line above: point at the tab itself.
		if strings.Contains(msg, "tab character") {
			e.Line, e.Column = indentTab(data, e.Line)
		}
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	e.Msg = "invalid YAML: " + msg
	return e
}

// indentTab returns the line and column of the first tab in a line's
// indentation at or after line from (1-based), or from and 0 if none.
func indentTab(data []byte, from int) (line, column int) {
	for i, l := range strings.Split(string(data), "\n") {
		if i+1 < from {
			continue
		}
		indent := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		if c := strings.IndexByte(indent, '\t'); c >= 0 {
			return i + 1, c + 1
		}
	}
	return from, 0
}

// parse reads exactly one YAML document and returns its top node.
func parse(file string, data []byte) (root *yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			root, err = nil, &Error{File: file, Msg: fmt.Sprintf("invalid YAML: %v", r)}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{File: file, Line: 1, Column: 1, Msg: "empty scenario; expected a mapping with apiVersion, kind, name, duration, cluster, objects and workloads"}
		}
		return nil, syntaxError(file, data, err)
	}
	var more yaml.Node
	switch err := dec.Decode(&more); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, syntaxError(file, data, err)
	default:
		if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
			if err := manifestOf(file, doc.Content[0]); err != nil {
				return nil, err
			}
		}
		return nil, &Error{File: file, Line: more.Line, Column: more.Column, Msg: "a scenario file holds one YAML document; found a second one"}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, &Error{File: file, Line: 1, Column: 1, Msg: "empty scenario"}
	}
	return doc.Content[0], nil
}

// override is one sweep value to apply on top of the --set arguments.
type override struct {
	axis      string // sweep path
	segs      []string
	value     string
	tag       string
	line, col int // the sweep value's position
	keyLine   int // the sweep entry's key position
	keyCol    int
}

// load decodes a fresh copy of the source with its --set arguments and the
// given sweep overrides applied.
func (src *source) load(over []override) (*Scenario, *decoder, *Error) {
	root := copyTree(src.root, map[*yaml.Node]*yaml.Node{})
	canonicalKeys(root)
	d := &decoder{
		file:    src.file,
		origins: map[*yaml.Node]string{},
		nodes:   map[string]*yaml.Node{},
		keys:    map[string]*yaml.Node{},
	}
	if len(src.sets)+len(over) > 0 && root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		root.Kind, root.Tag, root.Value = yaml.MappingNode, "!!map", ""
	}
	if root.Kind == yaml.MappingNode {
		for _, arg := range src.sets {
			segs, val, err := parseSet(arg)
			if err == nil {
				walk(val, func(n *yaml.Node) { d.origins[n] = arg })
				err = setPath(root, segs, val, func(n *yaml.Node) { d.origins[n] = arg })
			}
			if err != nil {
				return nil, d, &Error{File: src.file, Set: arg, Msg: err.Error()}
			}
		}
		for _, o := range over {
			val := &yaml.Node{Kind: yaml.ScalarNode, Tag: o.tag, Value: o.value, Line: o.line, Column: o.col}
			err := setPath(root, o.segs, val, func(n *yaml.Node) { n.Line, n.Column = o.line, o.col })
			if err != nil {
				return nil, d, &Error{File: src.file, Line: o.keyLine, Column: o.keyCol, Path: "sweep." + o.axis, Msg: err.Error()}
			}
		}
	}
	count := 0
	walk(root, func(*yaml.Node) { count++ })
	d.budget = 10*count + 10000
	s := d.scenario(root)
	if d.err != nil {
		return nil, d, d.err
	}
	s.Source = src.file
	s.src = src
	return s, d, nil
}

// overrides returns the override for value i of axis a, positioned with the
// help of the decoder that decoded the sweep.
func axisOverride(a SweepAxis, i int, d *decoder) (override, error) {
	o := override{axis: a.Path, value: a.Values[i], tag: a.tags[i]}
	if k := d.keys["sweep."+a.Path]; k != nil {
		o.keyLine, o.keyCol = k.Line, k.Column
	}
	if v := d.nodes[index("sweep."+a.Path, i)]; v != nil {
		o.line, o.col = v.Line, v.Column
	}
	segs, err := splitPath(a.Path)
	o.segs = segs
	return o, err
}

// checkSweep validates the sweep of a loaded scenario: grid size, zip
// lengths, and every value of every axis applied alone.
func (src *source) checkSweep(s *Scenario, d *decoder) *Error {
	if len(s.Sweep) == 0 {
		return nil
	}
	at := func(path string, n *yaml.Node, format string, args ...any) *Error {
		e := &Error{File: src.file, Path: path, Msg: fmt.Sprintf(format, args...)}
		if n != nil {
			e.Line, e.Column = n.Line, n.Column
		}
		return e
	}
	if s.Zip {
		first := s.Sweep[0]
		for _, a := range s.Sweep[1:] {
			if len(a.Values) != len(first.Values) {
				return at("sweep."+a.Path, d.keys["sweep."+a.Path], "has %d values but sweep.%s has %d; with zip: true every axis needs the same number of values", len(a.Values), first.Path, len(first.Values))
			}
		}
	} else {
		n := 1
		for _, a := range s.Sweep {
			n *= len(a.Values)
			if n > PointsMax {
				return at("sweep", d.nodes["sweep"], "the grid has more than %d points; sweep fewer values or use zip: true", PointsMax)
			}
		}
	}
	for _, a := range s.Sweep {
		for i := range a.Values {
			o, err := axisOverride(a, i, d)
			if err != nil {
				return at("sweep."+a.Path, d.keys["sweep."+a.Path], "%s", err.Error())
			}
			if _, _, e := src.load([]override{o}); e != nil {
				if e.Path == "sweep."+a.Path && e.Set == "" && e.Line == o.keyLine {
					return e // the path does not resolve
				}
				return at(index("sweep."+a.Path, i), d.nodes[index("sweep."+a.Path, i)], "value %s is invalid: %s", a.Values[i], innerMsg(e))
			}
		}
	}
	return nil
}

// innerMsg is an error's text without its position.
func innerMsg(e *Error) string {
	if e.Path == "" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

// Points expands the sweep into the run's parameter points: the full grid in
// file order (first axis slowest), or the zipped axes with zip: true. Without
// a sweep there is one point with no parameters. Each point's Scenario is the
// base scenario re-loaded with that point's values applied and validated; its
// Sweep is empty and its Zip false.
func (s *Scenario) Points() ([]Point, error) {
	src := s.src
	if src == nil {
		root, err := parse(s.Source, s.ResolvedYAML())
		if err != nil {
			return nil, err
		}
		src = &source{file: s.Source, root: root}
	}
	if len(s.Sweep) == 0 {
		c := *s
		return []Point{{Index: 0, Scenario: &c}}, nil
	}
	// Positions of the sweep entries, for overrides and errors.
	_, d, lerr := src.load(nil)
	if lerr != nil {
		return nil, lerr
	}
	var combos [][]int
	if s.Zip {
		for i := range s.Sweep[0].Values {
			c := make([]int, len(s.Sweep))
			for k := range c {
				c[k] = i
			}
			combos = append(combos, c)
		}
	} else {
		n := 1
		for _, a := range s.Sweep {
			n *= len(a.Values)
			if n > PointsMax {
				return nil, &Error{File: src.file, Path: "sweep", Msg: fmt.Sprintf("the grid has more than %d points", PointsMax)}
			}
		}
		for p := 0; p < n; p++ {
			c := make([]int, len(s.Sweep))
			rest := p
			for k := len(s.Sweep) - 1; k >= 0; k-- {
				c[k] = rest % len(s.Sweep[k].Values)
				rest /= len(s.Sweep[k].Values)
			}
			combos = append(combos, c)
		}
	}
	points := make([]Point, 0, len(combos))
	for pi, c := range combos {
		over := make([]override, len(c))
		params := make([]Param, len(c))
		for k, i := range c {
			a := s.Sweep[k]
			if i >= len(a.Values) {
				return nil, &Error{File: src.file, Path: "sweep." + a.Path, Msg: "axes differ in length; zip: true needs the same number of values on every axis"}
			}
			o, err := axisOverride(a, i, d)
			if err != nil {
				return nil, &Error{File: src.file, Path: "sweep." + a.Path, Msg: err.Error()}
			}
			over[k] = o
			params[k] = Param{Path: a.Path, Value: a.Values[i]}
		}
		ps, _, e := src.load(over)
		if e != nil {
			var list []string
			for _, p := range params {
				list = append(list, p.String())
			}
			return nil, &Error{File: src.file, Line: e.Line, Column: e.Column, Path: "sweep", Msg: fmt.Sprintf("point %d (%s) is invalid: %s", pi, strings.Join(list, ", "), innerMsg(e))}
		}
		ps.Sweep, ps.Zip = nil, false
		points = append(points, Point{Index: pi, Params: params, Scenario: ps})
	}
	return points, nil
}
