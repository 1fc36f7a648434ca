package model

import (
	"fmt"
	"math"
	"time"

	"cmsim/sim"
)

// Strategy is the kubelet's configMapAndSecretChangeDetectionStrategy.
type Strategy uint8

// The three strategies, named as in the kubelet configuration.
const (
	Get   Strategy = iota // NewSimpleConfigMapManager: every read is a GET served from etcd
	Cache                 // NewCachingConfigMapManager: a per-node TTL object store
	Watch                 // NewWatchingConfigMapManager: a per-node, per-object reflector
)

func (s Strategy) String() string {
	switch s {
	case Get:
		return "Get"
	case Cache:
		return "Cache"
	case Watch:
		return "Watch"
	}
	return fmt.Sprintf("Strategy(%d)", uint8(s))
}

// ParseStrategy parses "Get", "Cache" or "Watch".
func ParseStrategy(s string) (Strategy, error) {
	switch s {
	case "Get":
		return Get, nil
	case "Cache":
		return Cache, nil
	case "Watch":
		return Watch, nil
	}
	return 0, fmt.Errorf("unknown change detection strategy %q (want Get, Cache or Watch)", s)
}

// ConsumerKind is how a pod consumes an object.
type ConsumerKind uint8

// Consumer kinds. Volume and Projected consumers see updates at the next
// remount; SubPath and Env consumers never do while the container runs.
const (
	Volume    ConsumerKind = iota // a configMap/secret volume (whole or with items)
	Projected                     // a projected volume with one or more sources
	SubPath                       // a volumeMount with subPath into a configMap/secret volume
	Env                           // env valueFrom configMapKeyRef/secretKeyRef
	EnvFrom                       // envFrom configMapRef/secretRef
)

var consumerKindNames = [...]string{"volume", "projected", "subPath", "env", "envFrom"}

func (k ConsumerKind) String() string {
	if int(k) < len(consumerKindNames) {
		return consumerKindNames[k]
	}
	return fmt.Sprintf("ConsumerKind(%d)", uint8(k))
}

// ParseConsumerKind parses the scenario's `as` values.
func ParseConsumerKind(s string) (ConsumerKind, error) {
	for i, n := range consumerKindNames {
		if n == s {
			return ConsumerKind(i), nil
		}
	}
	return 0, fmt.Errorf("unknown consumer kind %q", s)
}

// isVolume reports whether the consumer is backed by a kubelet volume that the
// volume manager remounts on every pod sync.
func (k ConsumerKind) isVolume() bool { return k <= SubPath }

// ObjectKind is ConfigMap or Secret.
type ObjectKind uint8

// Object kinds.
const (
	ConfigMap ObjectKind = iota
	Secret
)

func (k ObjectKind) String() string {
	if k == Secret {
		return "Secret"
	}
	return "ConfigMap"
}

// Resource returns the API resource name ("configmaps" or "secrets").
func (k ObjectKind) Resource() string {
	if k == Secret {
		return "secrets"
	}
	return "configmaps"
}

// DistKind selects a delay distribution.
type DistKind uint8

// Delay distributions.
const (
	Constant    DistKind = iota // A
	Uniform                     // [A, B)
	Exponential                 // mean A
	Lognormal                   // median A, shape sigma B
)

// Dist is a delay distribution; A and B are in seconds except Lognormal's
// sigma.
type Dist struct {
	Kind DistKind
	A, B float64
}

// Sample draws one delay.
func (d Dist) Sample(r *sim.Rand) time.Duration {
	var s float64
	switch d.Kind {
	case Constant:
		s = d.A
	case Uniform:
		s = d.A + (d.B-d.A)*r.Float64()
	case Exponential:
		s = d.A * r.Exp()
	case Lognormal:
		s = d.A * math.Exp(d.B*r.Normal())
	}
	return time.Duration(s * 1e9)
}

// Mean returns the distribution's mean in seconds.
func (d Dist) Mean() float64 {
	switch d.Kind {
	case Uniform:
		return (d.A + d.B) / 2
	case Lognormal:
		return d.A * math.Exp(d.B*d.B/2)
	}
	return d.A
}

// CacheTTLMode says where the Cache strategy's TTL comes from.
type CacheTTLMode uint8

// TTL sources.
const (
	TTLAuto   CacheTTLMode = iota // the TTL controller's node annotation, by cluster size
	TTLAbsent                     // no annotation: the kubelet's defaultTTL of 1 minute
	TTLFixed                      // an explicit annotation value
)

// Object is one ConfigMap or Secret.
type Object struct {
	Kind      ObjectKind
	Namespace string
	Name      string
	SizeBytes int
	Immutable bool
}

// Select says which members of an object group a pod mounts.
type Select uint8

// Member selection.
const (
	SelectAll     Select = iota // every member
	SelectRandom                // one member chosen at random per pod
	SelectByIndex               // member i mod N for the pod's index i
)

// Mount is one way a workload's pods consume a list of objects (a group's
// members, or one object).
type Mount struct {
	Objects []int // indexes into Config.Objects
	Select  Select
	As      ConsumerKind
	Name    string // the scenario's object entry name, for consumer names
}

// Workload is a set of identical pods.
type Workload struct {
	Name        string
	Namespace   string
	Replicas    int // spread round-robin over the nodes; or
	PodsPerNode int // that many on every node
	Mounts      []Mount
}

// UpdateRule generates writes to one object, or to a random member of a group.
type UpdateRule struct {
	Targets          []int // object indexes
	At               []time.Duration
	Every            time.Duration
	Start            time.Duration
	PoissonPerMinute float64
}

// RestartRule rolls a workload's pods, as `kubectl rollout restart` does: at
// each arrival every pod is replaced by a new one (a new pod UID, on the same
// node), pod i of n at arrival + Spread × i / n. The new pod registers its
// references before the old one unregisters (maxSurge), mounts its volumes
// and starts its containers, which read env and subPath afresh.
type RestartRule struct {
	Workload int
	At       []time.Duration
	Every    time.Duration
	Start    time.Duration
	Spread   time.Duration
}

// Config is everything a run needs. Durations are virtual time.
type Config struct {
	Seed      uint64
	Duration  time.Duration
	Nodes     int
	ColdStart bool // pods are created at t=0 instead of running in steady state

	SyncFrequency time.Duration // kubelet syncFrequency (resync base interval)
	Strategy      Strategy
	CacheTTLMode  CacheTTLMode
	CacheTTL      time.Duration // with TTLFixed

	GetLatency Dist // apiserver GET and LIST response time
	WatchDelay Dist // commit to watch-event delivery at the kubelet

	Objects   []Object
	Workloads []Workload
	Updates   []UpdateRule
	Restarts  []RestartRule

	Bucket time.Duration // load time-series resolution
	// EventBudget bounds each partition's events (0: derived from its size).
	EventBudget uint64
	// Workers is how many goroutines simulate partitions at once (0 or 1:
	// one). Results do not depend on it.
	Workers int
	// Trace records every step of the run in Result.Trace (small clusters
	// only: it costs memory for every event).
	Trace bool
}

// Validate checks invariants the scenario loader should already guarantee;
// an error here is a bug in the caller, reported rather than panicking.
func (c *Config) Validate() error {
	switch {
	case c.Duration <= 0:
		return fmt.Errorf("duration must be > 0")
	case c.Nodes <= 0:
		return fmt.Errorf("nodes must be > 0")
	case c.SyncFrequency <= 0:
		return fmt.Errorf("syncFrequency must be > 0")
	case c.Bucket <= 0:
		return fmt.Errorf("bucket must be > 0")
	case len(c.Objects) == 0:
		return fmt.Errorf("no objects")
	}
	for i, w := range c.Workloads {
		if (w.Replicas > 0) == (w.PodsPerNode > 0) {
			return fmt.Errorf("workload %d: exactly one of replicas and podsPerNode must be > 0", i)
		}
		for j, m := range w.Mounts {
			if len(m.Objects) == 0 {
				return fmt.Errorf("workload %d mount %d: no objects", i, j)
			}
			for _, o := range m.Objects {
				if o < 0 || o >= len(c.Objects) {
					return fmt.Errorf("workload %d mount %d: object %d out of range", i, j, o)
				}
			}
		}
	}
	for i, u := range c.Updates {
		if len(u.Targets) == 0 {
			return fmt.Errorf("update %d: no targets", i)
		}
	}
	for i, r := range c.Restarts {
		if r.Workload < 0 || r.Workload >= len(c.Workloads) {
			return fmt.Errorf("restart %d: workload %d out of range", i, r.Workload)
		}
		if len(r.At) == 0 && r.Every <= 0 {
			return fmt.Errorf("restart %d: no arrivals", i)
		}
	}
	return nil
}
