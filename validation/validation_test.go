package validation

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/validation.md")

const docPath = "../docs/validation.md"

// TestValidationTable regenerates docs/validation.md and compares it with
// the committed file: a verdict or any wording that differs fails, and so
// does a number that moved by more than the tolerance.
func TestValidationTable(t *testing.T) {
	got, err := Generate(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(docPath, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatalf("%v (go test ./validation -update writes it)", err)
	}
	if diffs := compareLines(string(want), got); len(diffs) > 0 {
		t.Fatalf("docs/validation.md is out of date; if the change is intended, run go test ./validation -update and commit it:\n%s", strings.Join(diffs, "\n"))
	}
	// Every row has a verdict, and a disagreement is news: list them.
	for _, line := range strings.Split(got, "\n") {
		if strings.HasPrefix(line, "| ") && strings.Contains(line, "**disagrees") {
			t.Logf("row disagrees: %.120s", line)
		}
	}
}

// TestUpstreamTTLQuote checks the quoted TTL controller table against the
// upstream source when the module cache holds it.
func TestUpstreamTTLQuote(t *testing.T) {
	mod := os.Getenv("GOMODCACHE")
	if mod == "" {
		home, _ := os.UserHomeDir()
		mod = filepath.Join(home, "go", "pkg", "mod")
	}
	src, err := os.ReadFile(filepath.Join(mod, "k8s.io", "kubernetes@v1.37.2", "pkg", "controller", "ttl", "ttl_controller.go"))
	if err != nil {
		t.Skipf("upstream source not in the module cache: %v", err)
	}
	for _, line := range []string{
		"{sizeMin: 0, sizeMax: 100, ttlSeconds: 0},",
		"{sizeMin: 90, sizeMax: 500, ttlSeconds: 15},",
		"{sizeMin: 450, sizeMax: 1000, ttlSeconds: 30},",
		"{sizeMin: 900, sizeMax: 2000, ttlSeconds: 60},",
		"{sizeMin: 1800, sizeMax: math.MaxInt32, ttlSeconds: 300},",
		"if ttlc.nodeCount > ttlBoundaries[ttlc.boundaryStep].sizeMax {",
		"if ttlc.nodeCount < ttlBoundaries[ttlc.boundaryStep].sizeMin {",
	} {
		if !strings.Contains(string(src), line) {
			t.Errorf("upstream ttl_controller.go no longer has %q", line)
		}
	}
}

// A verdict flip must fail the comparison even when no number moves; an
// estimate may move within its intervals, a half-width by a factor 3.
func TestCompareLines(t *testing.T) {
	want := "| 1 | x | 38.28 ± 0.12 s; delay 0.04 ± 0.12 s | **agrees** |\nnote 75.5 s"
	for _, c := range []struct {
		got  string
		fail bool
	}{
		{want, false},
		{"| 1 | x | 39.50 ± 0.12 s; delay 0.04 ± 0.12 s | **agrees** |\nnote 75.5 s", false}, // within 5%
		{"| 1 | x | 41.00 ± 0.12 s; delay 0.04 ± 0.12 s | **agrees** |\nnote 75.5 s", true},
		{"| 1 | x | 38.28 ± 0.12 s; delay -0.15 ± 0.12 s | **agrees** |\nnote 75.5 s", false}, // within the intervals
		{"| 1 | x | 38.28 ± 0.12 s; delay 0.40 ± 0.12 s | **agrees** |\nnote 75.5 s", true},
		{"| 1 | x | 38.28 ± 0.30 s; delay 0.04 ± 0.12 s | **agrees** |\nnote 75.5 s", false},
		{"| 1 | x | 38.28 ± 2.00 s; delay 0.04 ± 0.12 s | **agrees** |\nnote 75.5 s", true},
		{"| 1 | x | 38.28 ± 0.12 s; delay 0.04 ± 0.12 s | **disagrees** |\nnote 75.5 s", true},
		{"| 1 | x | 38.28 ± 0.12 s; delay 0.04 ± 0.12 s | **agrees** |\nnote 80.0 s", true},
		{"| 1 | x | 38.28 ± 0.12 s; delay 0.04 ± 0.12 s | **agrees** |\nnote 75.6 s", false}, // two units of the last digit
		{want + "\n", true},
	} {
		if d := compareLines(want, c.got); (len(d) > 0) != c.fail {
			t.Errorf("compare(%q): %v, want failure %v", c.got, d, c.fail)
		}
	}
}

// The table must not depend on how many runs are simulated at once.
func TestRunScenarioIndependentOfWorkers(t *testing.T) {
	y := fmt.Sprintf(rateYAML, 2, "1.30", "Watch")
	one, err := runScenario(context.Background(), "one", y, []string{"duration=10m"}, false, 1)
	if err != nil {
		t.Fatal(err)
	}
	two, err := runScenario(context.Background(), "two", y, []string{"duration=10m"}, false, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(one, two) {
		t.Fatal("runs with 1 and 2 workers differ")
	}
	if reflect.DeepEqual(one[0].Metrics, one[1].Metrics) {
		t.Fatal("two replications gave identical metrics: their seeds are not independent")
	}
}
