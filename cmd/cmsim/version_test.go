package main

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
)

func TestVersionText(t *testing.T) {
	stamped := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "cmsim", Version: "v0.0.0-20261129195137-1680ac66bea0+dirty"},
		Settings: []debug.BuildSetting{{Key: "GOOS", Value: "linux"}, {Key: "GOARCH", Value: "amd64"},
			{Key: "vcs.revision", Value: "1680ac66bea0adc2cbb234013bdd5cffae9be54a"}, {Key: "vcs.time", Value: "2026-11-29T19:51:37Z"}, {Key: "vcs.modified", Value: "true"}}}
	bare := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "cmsim"}}
	for _, tt := range []struct {
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{stamped, true, "cmsim v0.0.0-20261129195137-1680ac66bea0+dirty\nrevision 1680ac66bea0adc2cbb234013bdd5cffae9be54a (2026-11-29T19:51:37Z), modified\ngo1.26.8 linux/amd64\n"},
		{bare, true, "cmsim (devel)\nrevision unknown (built with -buildvcs=false, or not in a git clone)\ngo1.26.8\n"},
		{nil, false, "cmsim (no build information)\n"},
	} {
		if got := versionText(tt.bi, tt.ok); got != tt.want {
			t.Errorf("versionText:\n%s\nwant\n%s", got, tt.want)
		}
	}
}

// TestHelpTopics: 'cmsim help scenario' and 'help output' print the
// references in docs/, byte for byte.
func TestHelpTopics(t *testing.T) {
	for topic, file := range map[string]string{"scenario": "scenario.md", "output": "output.md"} {
		want, err := os.ReadFile(filepath.Join("..", "..", "docs", file))
		if err != nil {
			t.Fatal(err)
		}
		stdout, stderr, code := cli(t, "help", topic)
		if code != 0 || stdout != string(want) || stderr != "" {
			t.Errorf("help %s: exit %d, stdout is not docs/%s (%d bytes, want %d), stderr %q", topic, code, file, len(stdout), len(want), stderr)
		}
	}
}
