package scenarios

import (
	"strconv"
	"strings"
)

// Error is a scenario loading error. Its text has the form
//
//	<dotted.path>: <what is wrong and what is allowed> (<file>:<line>:<col>)
//
// or, when the offending value came from a --set argument,
//
//	--set <path=value>: <dotted.path>: <what is wrong>
type Error struct {
	File         string // the name passed to Load
	Line, Column int    // 1-based position in File; 0 when unknown
	Path         string // dotted path of the offending key, e.g. workloads[0].mounts[0].object; may be empty
	Msg          string // what is wrong and what is allowed
	Set          string // the --set argument (path=value) the value came from, if any
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Set != "" {
		b.WriteString("--set ")
		b.WriteString(e.Set)
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Set == "" && e.File != "" {
		b.WriteString(" (")
		b.WriteString(e.File)
		if e.Line > 0 {
			b.WriteString(":" + strconv.Itoa(e.Line))
			if e.Column > 0 {
				b.WriteString(":" + strconv.Itoa(e.Column))
			}
		}
		b.WriteString(")")
	}
	return b.String()
}

func itoa(i int) string { return strconv.Itoa(i) }
