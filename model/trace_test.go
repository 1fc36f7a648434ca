package model

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden traces in testdata")

// TestTraceGolden runs tiny clusters with tracing on and compares the trace
// with testdata/trace-*.txt: a reviewable record of the model's steps (run
// go test ./model -update and read the diff; commit only what you understand).
func TestTraceGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    Strategy
		cold bool
	}{
		{"watch-warm", Watch, false},
		{"watch-cold", Watch, true},
		{"cache-cold", Cache, true},
		{"get-warm", Get, false},
		{"watch-restart", Watch, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := smallConfig(tc.s, 2, 3, Volume)
			cfg.ColdStart = tc.cold
			cfg.Duration = 3 * time.Minute
			cfg.CacheTTLMode, cfg.CacheTTL = TTLFixed, 30*time.Second
			cfg.Objects = append(cfg.Objects, Object{Kind: Secret, Namespace: "default", Name: "token", SizeBytes: 64, Immutable: true})
			cfg.Workloads = append(cfg.Workloads, Workload{Name: "job", Namespace: "default", Replicas: 1,
				Mounts: []Mount{{Objects: []int{0}, As: EnvFrom, Name: "app-config"}, {Objects: []int{1}, As: Volume, Name: "token"}}})
			cfg.Updates = []UpdateRule{{Targets: []int{0}, At: []time.Duration{time.Minute}}}
			if tc.name == "watch-restart" {
				cfg.Restarts = []RestartRule{{Workload: 1, At: []time.Duration{90 * time.Second}}}
			}
			cfg.Trace = true
			r := run(t, cfg)
			var b bytes.Buffer
			for _, e := range r.Trace {
				fmt.Fprintf(&b, "%11.6fs %s\n", e.At.Seconds(), e.Text)
			}
			path := filepath.Join("testdata", "trace-"+tc.name+".txt")
			if *update {
				if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test ./model -update writes it)", err)
			}
			if !bytes.Equal(b.Bytes(), want) {
				os.WriteFile(path+".got", b.Bytes(), 0o644)
				t.Errorf("trace differs from %s; see %s.got", path, path)
			}
		})
	}
}
