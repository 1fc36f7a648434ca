package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlanExplainsACacheTTLFloor: under Cache at 800 nodes the TTL
// controller's 30 s TTL puts a floor under latency, so no syncFrequency
// meets p99 <= 30 s; plan says so in whole sentences, names the TTL and
// the best value, and writes the reason into plan.json.
func TestPlanExplainsACacheTTLFloor(t *testing.T) {
	out := t.TempDir()
	stdout, stderr, code := cli(t, "plan", "quickstart",
		"--set", "cluster.kubelet.changeDetectionStrategy=Cache", "--set", "cluster.nodes=800", "--set", "workloads.web.replicas=100",
		"--set", "duration=15m", "--set", "updates.0.at=[10m]",
		"--param", "cluster.kubelet.syncFrequency", "--min", "5s", "--max", "5m",
		"--objective", "latency.p99<=30s", "--out", out, "--plots", "none", "-q")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	for _, want := range []string{
		"answer: none. No value of syncFrequency in [5s, 5m] is expected to meet latency.p99 <= 30s: syncFrequency = 5s does not, and the search assumes that larger values do no better.",
		"The best value tried, syncFrequency = 5s, gave latency.p99 = ",
		"The Cache TTL sets the floor: the TTL controller sets it to 30 s for 800 nodes, and a kubelet serves its cached copy that long before it reads the object again.",
		"a pair can wait 31.2 s whatever syncFrequency is.",
		"the expected bound on a running pod's latency is 38.7 s = 1.5 × syncFrequency (7.5 s) + Cache TTL (30 s) + sync tick and volume loops (1.2 s).",
		"shorten the TTL (cluster.kubelet.cacheTTL) or use the Watch strategy",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	for _, line := range strings.Split(stdout, "\n") {
		if strings.HasPrefix(line, "answer:") && !strings.HasSuffix(line, ".") {
			t.Errorf("the answer does not end a sentence: %q", line)
		}
	}
	var pf struct {
		Found  bool
		Reason string
	}
	b, err := os.ReadFile(filepath.Join(out, "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &pf); err != nil {
		t.Fatal(err)
	}
	if pf.Found || !strings.Contains(pf.Reason, "The Cache TTL sets the floor") {
		t.Errorf("plan.json: found %v, reason %q", pf.Found, pf.Reason)
	}
}
