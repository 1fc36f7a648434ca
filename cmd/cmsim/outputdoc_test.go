package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"cmsim/results"
)

// docFields returns the first cells (in backquotes) of the tables in
// docs/output.md's section "## title", with {a,b} alternatives expanded.
func docFields(t *testing.T, doc, title string) map[string]bool {
	t.Helper()
	_, sec, ok := strings.Cut(doc, "\n## "+title+"\n")
	if !ok {
		t.Fatalf("docs/output.md has no section %q", title)
	}
	sec, _, _ = strings.Cut(sec, "\n## ")
	fields := map[string]bool{}
	cell := regexp.MustCompile("^\\| `([^`]+)` \\|")
	for _, line := range strings.Split(sec, "\n") {
		if m := cell.FindStringSubmatch(line); m != nil {
			for _, f := range expandBraces(m[1]) {
				fields[f] = true
			}
		}
	}
	return fields
}

// expandBraces expands every {a,b,...} in s.
func expandBraces(s string) []string {
	i := strings.IndexByte(s, '{')
	j := strings.IndexByte(s, '}')
	if i < 0 || j < i || !strings.Contains(s[i:j], ",") {
		return []string{s}
	}
	var out []string
	for _, alt := range strings.Split(s[i+1:j], ",") {
		out = append(out, expandBraces(s[:i]+alt+s[j+1:])...)
	}
	return out
}

// typePaths returns the JSON path of every field of t (leaves and the
// objects on the way), arrays as "[]"; maps and ci95 (which mirrors the
// metrics) are leaves.
func typePaths(t reflect.Type, prefix string, all, leaves map[string]bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if sf.Anonymous {
			typePaths(sf.Type, prefix, all, leaves)
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		path := prefix + name
		ft := sf.Type
		if ft.Kind() == reflect.Slice {
			path += "[]"
			ft = ft.Elem()
		}
		all[path] = true
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && name != "ci95" {
			typePaths(ft, path+".", all, leaves)
		} else {
			leaves[path] = true
		}
	}
}

// jsonPaths returns the path of every leaf of a decoded JSON document;
// params is a leaf, and ci95's fields are mapped to the metrics they mirror.
func jsonPaths(v any, path string, out map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		if strings.HasSuffix(path, ".params") {
			out[path] = true
			return
		}
		for k, x := range v {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if p == "points[].ci95" {
				out[p] = true
				jsonPaths(x, "points[]", out)
				continue
			}
			jsonPaths(x, p, out)
		}
	case []any:
		for _, x := range v {
			jsonPaths(x, path+"[]", out)
		}
	default:
		out[path] = true
	}
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestOutputReference checks docs/output.md against real output: every
// field of summary.json (by its type and in a run with faults and
// replications), of the --format csv header and every column of
// latencies.csv and load.csv is documented, and every documented one
// exists.
func TestOutputReference(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "output.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	dir := t.TempDir()
	stdout, stderr, code := cli(t, "run", "apiserver-imbalance", "--set", "cluster.nodes=10", "--set", "duration=1h",
		"--replications", "2", "--plots", "none", "-q", "--format", "json", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}

	documented := docFields(t, doc, "summary.json")
	all, required := map[string]bool{}, map[string]bool{}
	typePaths(reflect.TypeOf(results.Summary{}), "", all, required)
	var real any
	if err := json.Unmarshal([]byte(stdout), &real); err != nil {
		t.Fatal(err)
	}
	realPaths := map[string]bool{}
	jsonPaths(real, "", realPaths)
	for _, p := range []string{"points[].ci95", "points[].fault_events[].recovery_seconds", "points[].replications"} {
		if !realPaths[p] {
			t.Fatalf("the test's run lacks %s: it no longer covers every field", p)
		}
	}
	for p := range realPaths {
		required[p] = true
	}
	for _, p := range sortedKeys(required) {
		if !documented[p] {
			t.Errorf("summary.json field %s is not in docs/output.md", p)
		}
	}
	for _, p := range sortedKeys(documented) {
		if !all[p] && !realPaths[p] {
			t.Errorf("docs/output.md documents summary.json field %s, which does not exist", p)
		}
	}

	for _, file := range []string{"latencies.csv", "load.csv"} {
		fh, err := os.Open(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		header, err := csv.NewReader(fh).Read()
		fh.Close()
		if err != nil {
			t.Fatal(err)
		}
		documented := docFields(t, doc, file)
		found := map[string]bool{}
		if file == "latencies.csv" {
			// The point's parameters follow the fixed columns, named after
			// the scenario's swept paths: the doc gives their rule as {PARAM}.
			if len(header) > len(results.LatencyHeader) {
				found["{PARAM}"] = documented["{PARAM}"]
				if !documented["{PARAM}"] {
					t.Errorf("docs/output.md does not document latencies.csv's parameter columns as {PARAM}")
				}
			}
			header = header[:min(len(header), len(results.LatencyHeader))]
		}
		for _, col := range header {
			pattern := regexp.MustCompile(`\d+$`).ReplaceAllString(col, "{N}")
			switch {
			case documented[col]:
				found[col] = true
			case pattern != col && documented[pattern]:
				found[pattern] = true
			default:
				t.Errorf("%s column %s is not in docs/output.md", file, col)
			}
		}
		for _, f := range sortedKeys(documented) {
			if !found[f] {
				t.Errorf("docs/output.md documents %s column %s, which the run did not write", file, f)
			}
		}
	}

	// --format csv: every metric column is a documented point field.
	stdout, stderr, code = cli(t, "run", "quickstart", "--replications", "2", "--plots", "none", "-q", "--format", "csv", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	rows, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("--format csv: %v, %d rows", err, len(rows))
	}
	var sum results.Summary
	if b, err := os.ReadFile(filepath.Join(dir, "summary.json")); err != nil || json.Unmarshal(b, &sum) != nil {
		t.Fatalf("summary.json: %v", err)
	}
	for _, col := range rows[0] {
		if _, param := sum.Points[0].Params[col]; param || col == "point" || col == "replications" {
			continue
		}
		if f := "points[]." + strings.TrimPrefix(col, "ci95."); !documented[f] {
			t.Errorf("--format csv column %s is not documented (as %s)", col, f)
		}
	}

}
