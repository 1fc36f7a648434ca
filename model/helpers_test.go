package model

import (
	"time"

	"cmsim/sim"
)

func simAt(d time.Duration) sim.Time { return sim.At(d) }
