package importer

import (
	"regexp"
	"strings"
	"testing"
)

// TestValidKeyMatchesTheAPIServersRule: validKey is the apiserver's
// ^[-._a-zA-Z0-9]{1,253}$.
func TestValidKeyMatchesTheAPIServersRule(t *testing.T) {
	re := regexp.MustCompile(`^[-._a-zA-Z0-9]{1,253}$`)
	keys := []string{"", "a", "app.properties", "A-b_c.9", "a b", "a/b", "ä", "key:1", "\x00", strings.Repeat("k", 253), strings.Repeat("k", 254), "..", "-"}
	for c := 0; c < 256; c++ {
		keys = append(keys, "x"+string(rune(c)))
	}
	for _, k := range keys {
		if got, want := validKey(k), re.MatchString(k); got != want {
			t.Errorf("validKey(%q) = %v, want %v", k, got, want)
		}
	}
}
