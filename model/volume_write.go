package model

// SourceChanged is the model's AtomicWriter rule for one source of a
// volume: a remount that read version read of a source whose files hold
// version seen (-1: nothing written yet) rewrites the volume. Every
// accepted write of an object changes its data, so a newer version is new
// content, which AtomicWriter.Write swaps in with one ..data rename; the
// same version is the same content, which it leaves alone. A read never
// returns a version older than the files' (the managers' stores only move
// forward), so the model never writes one. The oracle module checks this
// rule against the upstream AtomicWriter.
func SourceChanged(seen, read int32) bool { return read > seen }
