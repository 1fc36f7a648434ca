package sim

// Keyed is a counter-based random stream: each draw is a hash of the
// stream's key and the draw's own coordinates (say a pod and an instant),
// so a draw does not depend on how many draws came before it or in which
// order they were taken. A model that skips events can then take the same
// draws as one that runs them.
type Keyed struct {
	key uint64
}

// Keyed returns the counter-based stream with the given name. The same
// (seed, name) always gives the same draws; streams of different names and
// seeds are independent.
func (s Streams) Keyed(name string) Keyed {
	return Keyed{key: splitmix(splitmix(s.seed^0x5851f42d4c957f2d) ^ fnv64(name))}
}

// Uint64 returns the draw at coordinates (a, b): two rounds of splitmix64's
// finalizer, so that every bit of a and b reaches every bit of the result.
func (k Keyed) Uint64(a, b uint64) uint64 {
	return splitmix(splitmix(k.key^a) ^ b)
}

// Float64 returns the draw at (a, b) as a uniform value in [0, 1).
func (k Keyed) Float64(a, b uint64) float64 { return k.Row(a).Float64(b) }

// Row returns the draws whose first coordinate is a, for a loop that takes
// many of them: Row(a).Float64(b) is Float64(a, b).
func (k Keyed) Row(a uint64) KeyedRow { return KeyedRow{key: splitmix(k.key ^ a)} }

// KeyedRow is one row of a keyed stream: the draws that share their first
// coordinate.
type KeyedRow struct {
	key uint64
}

// Float64 returns the row's draw at b as a uniform value in [0, 1).
func (r KeyedRow) Float64(b uint64) float64 {
	return float64(splitmix(r.key^b)>>11) * 0x1p-53
}
