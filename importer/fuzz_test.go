package importer

import (
	"os"
	"testing"

	"cmsim/scenarios"
)

// FuzzImport: no input panics the importer or the linter, and every
// accepted input yields a scenario that loads.
func FuzzImport(f *testing.F) {
	for _, p := range []string{"testdata/list.yaml", "testdata/lint.yaml", "../examples/shop/manifests/batch.json", "../examples/shop/manifests/api.yaml"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(cm + deploy))
	f.Add([]byte("apiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: Secret, metadata: {name: \"a.b\"}, stringData: {k: v}}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		in := []Input{{Name: "f.yaml", Data: data}}
		if _, err := Lint(in); err != nil && bug(err) {
			t.Fatal(err)
		}
		r, err := Import(in, Options{})
		if err != nil {
			if bug(err) {
				t.Fatalf("accepted input gave an invalid scenario: %v", err)
			}
			return
		}
		if _, err := scenarios.Load("f.yaml", r.YAML, nil); err != nil {
			t.Fatalf("imported scenario does not load: %v\n%s", err, r.YAML)
		}
	})
}
