package importer

import (
	"cmp"
	"fmt"
	"slices"
)

// Severity of a finding.
type Severity int

// Severities, least severe first.
const (
	Info Severity = iota
	Warning
	Error
)

func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	}
	return "info"
}

// Finding is one thing the kubelet (or the apiserver) will do with the
// manifests that the user should know about.
type Finding struct {
	File      string
	Line, Col int
	Severity  Severity
	Msg       string // what happens
	Fix       string // one line: what to do about it
}

// String renders "file:line:col: severity: msg (fix: ...)".
func (f Finding) String() string {
	s := fmt.Sprintf("%s:%d:%d: %s: %s", f.File, f.Line, f.Col, f.Severity, f.Msg)
	if f.Fix != "" {
		s += " (fix: " + f.Fix + ")"
	}
	return s
}

// findings collects findings; the same message at the same place is kept once.
type findings struct {
	list []Finding
	seen map[string]bool
}

func (fs *findings) add(d *doc, path string, sev Severity, fix, format string, args ...any) {
	line, col := d.line, d.col
	if path != "" {
		line, col = locate(d.node, path)
	}
	f := Finding{File: d.file, Line: line, Col: col, Severity: sev, Msg: fmt.Sprintf(format, args...), Fix: fix}
	if fs.seen == nil {
		fs.seen = map[string]bool{}
	}
	if k := f.String(); !fs.seen[k] {
		fs.seen[k] = true
		fs.list = append(fs.list, f)
	}
}

// sorted returns the findings by file, line and column; ties keep their order.
func (fs *findings) sorted() []Finding {
	out := slices.Clone(fs.list)
	slices.SortStableFunc(out, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
	return out
}

// Worst returns the highest severity among findings, and false if there are none.
func Worst(list []Finding) (Severity, bool) {
	if len(list) == 0 {
		return Info, false
	}
	w := Info
	for _, f := range list {
		w = max(w, f.Severity)
	}
	return w, true
}

// levenshtein is the edit distance between a and b.
func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// nearest returns the candidate closest to name within a third of its
// length (at least 2 edits), or "".
func nearest(name string, candidates []string) string {
	best, bestD := "", max(2, len(name)/3)+1
	for _, c := range candidates {
		if d := levenshtein(name, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}
