package scenarios

import (
	"os"
	"strings"
	"testing"
)

// TestDocExample checks that the complete example in docs/scenario.md loads
// and that its comments tell the truth about the sweep size.
func TestDocExample(t *testing.T) {
	md, err := os.ReadFile("../docs/scenario.md")
	if err != nil {
		t.Skip("docs/scenario.md not found:", err)
	}
	_, rest, ok := strings.Cut(string(md), "## Complete example\n\n```yaml\n")
	if !ok {
		t.Fatal("no complete example")
	}
	example, _, _ := strings.Cut(rest, "```")
	s, err := Load("docs/scenario.md", []byte(example), nil)
	if err != nil {
		t.Fatal(err)
	}
	pts, err := s.Points()
	if err != nil || len(pts) != 6 {
		t.Fatalf("Points() = %d points, %v; want 6", len(pts), err)
	}
	if n := s.Objects[1].ImmutableCount(); n != 20 {
		t.Errorf("settings: %d immutable members, want 20", n)
	}
}
