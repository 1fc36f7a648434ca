package importer

import (
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"cmsim/scenarios"
)

// TestMutatedManifests is a deterministic complement to FuzzImport, which
// runs few inputs per second here (coverage over the Kubernetes types):
// byte-level and scalar-level mutations of the test manifests never panic
// the linter or the importer, and every accepted one loads.
func TestMutatedManifests(t *testing.T) {
	var seeds [][]byte
	for _, p := range []string{"testdata/list.yaml", "testdata/lint.yaml", "../examples/shop/manifests/batch.json", "../examples/shop/manifests/api.yaml", "../examples/shop/manifests/config.yaml"} {
		b, _ := os.ReadFile(p)
		seeds = append(seeds, b)
	}
	r := rand.New(rand.NewPCG(1, 2))
	toks := []string{"0", "-1", "99999999", "true", "null", "[]", "{}", "\"\"", "a.b", "List", "x\ny", "*/0 * * * *", "@every 1ns", "kube-root-ca.crt", "default-dockercfg", "ConfigMap", "Secret"}
	accepted := 0
	for range 400 {
		b := []byte(string(seeds[r.IntN(len(seeds))]))
		for k := 0; k < 1+r.IntN(4); k++ {
			if len(b) == 0 {
				break
			}
			p := r.IntN(len(b))
			switch r.IntN(3) {
			case 0:
				q := min(len(b), p+r.IntN(20))
				b = append(b[:p], b[q:]...)
			case 1:
				b = append(b[:p], append([]byte(toks[r.IntN(len(toks))]), b[p:]...)...)
			case 2:
				// replace a scalar after ': '
				s := string(b)
				idx := strings.Index(s[p:], ": ")
				if idx >= 0 {
					j := p + idx + 2
					e := strings.IndexAny(s[j:], "\n,}")
					if e >= 0 {
						s = s[:j] + toks[r.IntN(len(toks))] + s[j+e:]
					}
				}
				b = []byte(s)
			}
		}
		in := []Input{{Name: "f.yaml", Data: b}}
		Lint(in)
		res, err := Import(in, Options{})
		if err != nil {
			if bug(err) {
				t.Fatalf("%v\n---\n%s", err, b)
			}
			continue
		}
		accepted++
		if _, err := scenarios.Load("f.yaml", res.YAML, nil); err != nil {
			t.Fatalf("%v", err)
		}
	}
	if accepted == 0 {
		t.Error("no mutated input was accepted; the test checks nothing")
	}
}

// bug tells an importer bug from input the importer rightly refuses: a
// scenario that does not load for a reason other than a size limit.
func bug(err error) bool {
	return strings.Contains(err.Error(), "does not load") && !strings.Contains(err.Error(), "allowed")
}
