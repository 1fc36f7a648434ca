package sim

import (
	"math"
	"math/bits"
	"math/rand/v2"
)

// Rand is a small deterministic random source (PCG-DXSM from math/rand/v2)
// with the few draws the models need. cmsim owns these draws, rather than
// using rand.Rand's, so that outputs do not move with the standard library.
// A Rand must be used by one goroutine at a time.
type Rand struct {
	pcg rand.PCG
}

// NewRand returns a source seeded with (seed, stream).
func NewRand(seed, stream uint64) *Rand {
	r := &Rand{}
	r.pcg.Seed(seed, stream)
	return r
}

// Uint64 returns a uniform 64-bit value.
func (r *Rand) Uint64() uint64 { return r.pcg.Uint64() }

// Float64 returns a uniform value in [0, 1).
func (r *Rand) Float64() float64 {
	return float64(r.pcg.Uint64()>>11) * 0x1p-53
}

// IntN returns a uniform value in [0, n). It panics if n <= 0.
func (r *Rand) IntN(n int) int {
	if n <= 0 {
		panic("sim: IntN with n <= 0")
	}
	return int(r.Int64N(int64(n)))
}

// Int64N returns a uniform value in [0, n), the value IntN draws for the
// same n; for spans of virtual time, which overflow int on 32-bit
// platforms. It panics if n <= 0.
func (r *Rand) Int64N(n int64) int64 {
	if n <= 0 {
		panic("sim: Int64N with n <= 0")
	}
	// Lemire's nearly divisionless method, unbiased.
	un := uint64(n)
	hi, lo := bits.Mul64(r.pcg.Uint64(), un)
	if lo < un {
		thresh := -un % un
		for lo < thresh {
			hi, lo = bits.Mul64(r.pcg.Uint64(), un)
		}
	}
	return int64(hi)
}

// Exp returns an exponential value with mean 1.
func (r *Rand) Exp() float64 {
	return -math.Log1p(-r.Float64())
}

// Normal returns a standard normal value (Box-Muller, one value per call).
func (r *Rand) Normal() float64 {
	u1 := 1 - r.Float64() // (0, 1]
	u2 := r.Float64()
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}

// Streams derives independent named random streams from one seed.
type Streams struct {
	seed uint64
}

// NewStreams returns the streams of a run with the given seed.
func NewStreams(seed uint64) Streams { return Streams{seed: seed} }

// Seed returns the run's seed.
func (s Streams) Seed() uint64 { return s.seed }

// Stream returns the stream with the given name, e.g. "apiserver".
// The same (seed, name) always gives the same sequence.
func (s Streams) Stream(name string) *Rand {
	return NewRand(splitmix(s.seed^0x9e3779b97f4a7c15), fnv64(name))
}

// StreamN returns stream i of a family, e.g. ("node", 17), without
// formatting a name. Streams of different families and indexes are
// independent of each other and of named streams.
func (s Streams) StreamN(family string, i int) *Rand {
	return NewRand(splitmix(s.seed^0x9e3779b97f4a7c15), splitmix(fnv64(family)+uint64(i)+1))
}

// Derive returns a new seed from the run's seed and a list of integers, for
// seeding independent replications of a run.
func (s Streams) Derive(parts ...uint64) uint64 {
	h := splitmix(s.seed)
	for _, p := range parts {
		h = splitmix(h ^ p)
	}
	return h
}

func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
