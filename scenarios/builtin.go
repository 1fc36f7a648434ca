package scenarios

import (
	"embed"
	"io/fs"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

//go:embed builtin/*.yaml
var builtinFS embed.FS

// BuiltinInfo names a built-in scenario and gives its one-line description.
type BuiltinInfo struct{ Name, Description string }

// DefaultBuiltin is the scenario used when none is named.
const DefaultBuiltin = "quickstart"

// Builtin returns the embedded YAML of the built-in scenario name.
func Builtin(name string) ([]byte, bool) {
	if name == "" || strings.ContainsAny(name, `/\.`) {
		return nil, false
	}
	b, err := builtinFS.ReadFile("builtin/" + name + ".yaml")
	return b, err == nil
}

// Builtins lists the built-in scenarios sorted by name, each with the
// description from its description key.
func Builtins() []BuiltinInfo {
	entries, _ := fs.ReadDir(builtinFS, "builtin")
	var out []BuiltinInfo
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".yaml")
		if !ok {
			continue
		}
		b, _ := builtinFS.ReadFile("builtin/" + e.Name())
		var head struct {
			Description string `yaml:"description"`
		}
		_ = yaml.Unmarshal(b, &head) // built-ins are tested to load
		out = append(out, BuiltinInfo{Name: name, Description: head.Description})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
