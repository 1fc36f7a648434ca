package oracle

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	volumeutil "k8s.io/kubernetes/pkg/volume/util"

	"cmsim/model"
)

// writer is an upstream AtomicWriter on a temporary folder, with a way to
// tell whether a Write swapped the ..data link.
type writer struct {
	t   *testing.T
	dir string
	w   *volumeutil.AtomicWriter
}

func newWriter(t *testing.T) *writer {
	dir := t.TempDir()
	w, err := volumeutil.NewAtomicWriter(dir, "oracle")
	if err != nil {
		t.Fatal(err)
	}
	return &writer{t: t, dir: dir, w: w}
}

// write writes payload and reports whether the files changed (the ..data
// symlink points to a new timestamped folder).
func (w *writer) write(payload map[string]volumeutil.FileProjection) bool {
	before, _ := os.Readlink(filepath.Join(w.dir, "..data"))
	if err := w.w.Write(payload, nil); err != nil {
		w.t.Fatal(err)
	}
	after, err := os.Readlink(filepath.Join(w.dir, "..data"))
	if err != nil {
		w.t.Fatal(err)
	}
	return before != after
}

// payload is a projected volume's files for the given source versions: each
// version of an object has its own data (a scenario's write changes it).
func payload(versions []int32) map[string]volumeutil.FileProjection {
	p := map[string]volumeutil.FileProjection{}
	for s, v := range versions {
		p[fmt.Sprintf("cm-%d/key", s)] = volumeutil.FileProjection{Data: fmt.Appendf(nil, "cm-%d data v%d", s, v), Mode: 0o644}
		p[fmt.Sprintf("cm-%d/static", s)] = volumeutil.FileProjection{Data: []byte("unchanged"), Mode: 0o644}
	}
	return p
}

// TestAtomicWriterAgainstUpstream remounts volumes of one to three sources
// with the versions a kubelet's manager returns (never older than the
// files': the stores only move forward; often unchanged) and requires the
// upstream AtomicWriter to swap the files exactly when cmsim counts a
// volume write.
func TestAtomicWriterAgainstUpstream(t *testing.T) {
	writes, skips := 0, 0
	for seq := range 40 {
		rng := rand.New(rand.NewPCG(uint64(seq), 3))
		sources := 1 + rng.IntN(3)
		w := newWriter(t)
		seen := make([]int32, sources)
		for s := range seen {
			seen[s] = -1 // nothing written yet
		}
		read := make([]int32, sources)
		for step := range 25 {
			for s := range read {
				if rng.IntN(3) == 0 {
					read[s] += int32(1 + rng.IntN(2))
				}
			}
			want := false
			for s := range read {
				if model.SourceChanged(seen[s], read[s]) {
					want = true
				}
			}
			got := w.write(payload(read))
			if got != want {
				t.Fatalf("sequence %d step %d: files hold %v, remount read %v: upstream wrote %v, cmsim %v", seq, step, seen, read, got, want)
			}
			if got {
				writes++
				copy(seen, read)
			} else {
				skips++
			}
		}
	}
	if writes < 200 || skips < 200 {
		t.Fatalf("%d writes and %d skips: too few of one", writes, skips)
	}
}

// TestAtomicWriterDepartures pins the cases where upstream and cmsim would
// differ, none of which cmsim's inputs produce: they are documented in
// docs/fidelity.md. If upstream changes, this test says so.
func TestAtomicWriterDepartures(t *testing.T) {
	// A write that leaves the projected data as it was (a label or
	// annotation change, or a key the volume's items do not select) bumps
	// the version: cmsim would count a volume write, AtomicWriter swaps
	// nothing. cmsim's updates always change the data.
	w := newWriter(t)
	p := payload([]int32{1})
	if !w.write(p) {
		t.Fatal("first write wrote nothing")
	}
	if w.write(p) {
		t.Fatal("upstream rewrote an unchanged payload")
	}
	if !model.SourceChanged(1, 2) {
		t.Fatal("cmsim no longer counts a newer version as a write")
	}
	// An older version than the files' is old content: upstream writes it
	// back; cmsim never reads one (its stores only move forward) and would
	// not write it.
	if !w.write(payload([]int32{0})) {
		t.Fatal("upstream did not write older content")
	}
	if model.SourceChanged(1, 0) {
		t.Fatal("cmsim writes an older version")
	}
}
