package sim

import (
	"math"
	"time"
)

// Time is an instant of virtual time: nanoseconds since the start of a run.
// Spans between instants are time.Duration.
type Time int64

// MaxTime is the largest representable instant.
const MaxTime Time = math.MaxInt64

// Add returns t+d.
func (t Time) Add(d time.Duration) Time { return t + Time(d) }

// Sub returns the span t-u.
func (t Time) Sub(u Time) time.Duration { return time.Duration(t - u) }

// Seconds returns t in seconds since the start of the run.
func (t Time) Seconds() float64 { return float64(t) / 1e9 }

// String formats t as a duration since the start, e.g. "1m30.5s".
func (t Time) String() string { return time.Duration(t).String() }

// At converts a span since the start of the run to an instant.
func At(d time.Duration) Time { return Time(d) }
