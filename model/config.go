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
	// PullSecret is an imagePullSecrets entry: getPullSecretsForPod reads it
	// through the secret manager on every sync. It holds no files, so it
	// observes nothing.
	PullSecret
)

var consumerKindNames = [...]string{"volume", "projected", "subPath", "env", "envFrom", "pullSecret"}

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

// readEverySync reports whether every pod sync reads the consumer's objects:
// volumes are remounted, pull secrets fetched.
func (k ConsumerKind) readEverySync() bool { return k <= SubPath || k == PullSecret }

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
	// Group indexes Config.ObjectGroups: the scenario entry the object
	// belongs to, for per-group results.
	Group int32
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
	// Token marks the projected volume that also holds the pod's
	// service-account token (kube-api-access): its mounts call the token
	// manager.
	Token bool
}

// Workload is a set of identical pods.
type Workload struct {
	Name        string
	Namespace   string
	Replicas    int  // spread round-robin over the nodes at the start; or
	PodsPerNode int  // that many on every node (a DaemonSet's pods: bound to their node); or
	Job         *Job // short-lived pods that arrive over the run
	Mounts      []Mount
	// TokenRequests: the pods have the kube-api-access projected volume, so
	// the kubelet's token manager POSTs serviceaccounts/token at pod start
	// and when 80% of the token's 3607 s have passed.
	TokenRequests bool
	// GracePeriod is how long a deleted pod keeps its references before
	// UnregisterPod (terminationGracePeriodSeconds; the containers stop and
	// the volumes are torn down first).
	GracePeriod time.Duration
}

// Job makes a workload's pods short-lived: at each arrival Parallelism pods
// are created (placed by the scheduler) and each is deleted RunFor later, as
// a Job's or CronJob's pods are.
type Job struct {
	Arrivals    Arrivals
	Parallelism int
	RunFor      time.Duration
}

// Arrivals are the instants of a scheduled input: listed times, periodic
// from Start, or Poisson from Start. Exactly one of At, Every and
// PoissonPerHour is set.
type Arrivals struct {
	At             []time.Duration
	Every          time.Duration
	Start          time.Duration
	PoissonPerHour float64
}

// Count is a number of nodes (or pods): N when Fraction is 0, else
// round(Fraction × the current number).
type Count struct {
	N        int
	Fraction float64
}

// FaultKind is what a fault does.
type FaultKind uint8

// Fault kinds.
const (
	// APIServerRestart takes one replica (or all) away for Downtime; it then
	// re-initialises its watch cache for WatchCacheInit, answering 429
	// meanwhile.
	APIServerRestart FaultKind = iota
	// KubeletRestart restarts the kubelets of Nodes nodes, spread evenly
	// over Spread; each is down for Downtime and starts with empty managers.
	KubeletRestart
	// NodeJoin adds Nodes new, empty nodes over Spread.
	NodeJoin
	// NodeLeave drains and removes Nodes nodes over Spread; their
	// Deployment pods are re-created on the other nodes.
	NodeLeave
)

var faultKindNames = [...]string{"apiserverRestart", "kubeletRestart", "nodeJoin", "nodeLeave"}

func (k FaultKind) String() string {
	if int(k) < len(faultKindNames) {
		return faultKindNames[k]
	}
	return fmt.Sprintf("FaultKind(%d)", uint8(k))
}

// FaultRule is a scheduled fault or churn input: at each arrival it acts on
// its targets.
type FaultRule struct {
	Kind     FaultKind
	Arrivals Arrivals
	// Replica is the apiserver replica an APIServerRestart takes down; -1:
	// every replica at once.
	Replica  int
	Downtime time.Duration // APIServerRestart, KubeletRestart
	Nodes    Count         // KubeletRestart, NodeJoin, NodeLeave
	Spread   time.Duration // KubeletRestart, NodeJoin, NodeLeave: the targets act evenly over this window
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

// Capacity is an apiserver replica's API Priority and Fairness priority
// level for the kubelets (upstream's "system" level): seats, queues with
// shuffle sharding, and the time each request holds a seat.
type Capacity struct {
	Seats            int           // the level's concurrency limit
	Queues           int           // queues of the level
	HandSize         int           // queues dealt to each flow by shuffle sharding
	QueueLengthLimit int           // requests a queue holds before new ones are rejected with 429
	QueueWaitLimit   time.Duration // a request queued longer is rejected with 429
	// Service times: how long a request holds its seat, by verb and
	// serving path. A WATCH holds it only while it sends its initial events.
	ServiceGetEtcd, ServiceGetCache, ServiceList, ServiceWatch, ServiceCreate Dist
	// Background requests from other clients of the level: Poisson
	// arrivals spread uniformly over BackgroundFlows flows, each taking
	// BackgroundSeats seats for a BackgroundService draw.
	BackgroundPerSecond float64
	BackgroundFlows     int
	BackgroundSeats     int
	BackgroundService   Dist
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

	// ObjectGroups names the object groups (the scenario's object
	// entries, then the implicit objects by name) that Object.Group
	// indexes. Empty: every object is its own group.
	ObjectGroups []string

	GetLatency Dist // apiserver GET and LIST response time
	WatchDelay Dist // commit to watch-event delivery at the kubelet

	// Replicas is the number of apiserver replicas (0 means 1); each
	// kubelet's connection goes to one, chosen by the load balancer.
	Replicas int
	// GoawayChance is the apiserver's --goaway-chance: the probability that
	// a (non-WATCH) request's response closes its HTTP/2 connection, so the
	// client's next request reconnects through the load balancer.
	GoawayChance float64
	// WatchCacheInit is how long a restarted replica takes to initialise its
	// watch cache (a LIST from etcd), answering 429 to requests that need it.
	WatchCacheInit time.Duration
	// WatchCacheHistory is how far back a replica's watch cache keeps
	// events: a WATCH from an older resourceVersion gets 410 Gone (0 means
	// DefaultEventFreshDuration, 75 s).
	WatchCacheHistory time.Duration
	// Faults are apiserver restarts, kubelet restarts and node churn.
	Faults []FaultRule
	// Capacity is each apiserver replica's priority-and-fairness capacity
	// for the kubelets' priority level; nil: unlimited (every request is
	// served at once).
	Capacity *Capacity
	// KubeAPIQPS and KubeAPIBurst are each kubelet's client-side token
	// bucket (kubeAPIQPS, kubeAPIBurst) for every request but a WATCH's
	// first attempt; 0 QPS: no limit.
	KubeAPIQPS   float64
	KubeAPIBurst int
	// KubeletRelease and APIServerRelease select the version-dependent
	// behaviours of the version table (Behaviours); the zero Release means
	// NewestRelease.
	KubeletRelease   Release
	APIServerRelease Release

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
	if c.Replicas < 0 {
		return fmt.Errorf("replicas must be >= 1 (0 means 1)")
	}
	if len(c.ObjectGroups) > 0 {
		for i := range c.Objects {
			if g := c.Objects[i].Group; g < 0 || int(g) >= len(c.ObjectGroups) {
				return fmt.Errorf("object %d: group %d is not one of the %d object groups", i, g, len(c.ObjectGroups))
			}
		}
	}
	if c.GoawayChance < 0 || c.GoawayChance > 1 {
		return fmt.Errorf("goawayChance must be in [0, 1]")
	}
	if c.WatchCacheInit < 0 || c.WatchCacheHistory < 0 {
		return fmt.Errorf("watchCacheInit and watchCacheHistory must be >= 0")
	}
	for i, w := range c.Workloads {
		kinds := 0
		for _, set := range []bool{w.Replicas > 0, w.PodsPerNode > 0, w.Job != nil} {
			if set {
				kinds++
			}
		}
		if kinds != 1 {
			return fmt.Errorf("workload %d: exactly one of replicas, podsPerNode and job must be set", i)
		}
		if j := w.Job; j != nil {
			if j.Parallelism < 1 || j.RunFor <= 0 {
				return fmt.Errorf("workload %d: job needs parallelism >= 1 and runFor > 0", i)
			}
			if err := j.Arrivals.validate(); err != nil {
				return fmt.Errorf("workload %d: job: %v", i, err)
			}
		}
		if w.GracePeriod < 0 {
			return fmt.Errorf("workload %d: gracePeriod must be >= 0", i)
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
	for _, r := range []Release{c.KubeletRelease, c.APIServerRelease} {
		if r.Minor != 0 && (r.Minor < OldestRelease.Minor || r.Minor > NewestRelease.Minor) {
			return fmt.Errorf("release %s is not modelled; cmsim models %s to %s", r, OldestRelease, NewestRelease)
		}
	}
	if err := CheckSkew(c.kubeletRelease(), c.apiserverRelease()); err != nil {
		return err
	}
	if c.KubeAPIQPS < 0 || c.KubeAPIBurst < 0 || (c.KubeAPIQPS > 0 && c.KubeAPIBurst < 1) {
		return fmt.Errorf("kubeAPIQPS must be >= 0 and kubeAPIBurst >= 1 when it is set")
	}
	if k := c.Capacity; k != nil {
		switch {
		case k.Seats < 1:
			return fmt.Errorf("capacity: seats must be >= 1")
		case k.Queues < 1 || k.HandSize < 1 || k.HandSize > k.Queues || k.HandSize > 15:
			return fmt.Errorf("capacity: need 1 <= handSize <= queues and handSize <= 15")
		case k.QueueLengthLimit < 1 || k.QueueWaitLimit <= 0:
			return fmt.Errorf("capacity: queueLengthLimit and queueWaitLimit must be > 0")
		case k.BackgroundPerSecond < 0 || (k.BackgroundPerSecond > 0 && (k.BackgroundFlows < 1 || k.BackgroundSeats < 1 || k.BackgroundSeats > k.Seats)):
			return fmt.Errorf("capacity: background needs flows >= 1 and 1 <= seats <= the level's seats")
		}
		for _, d := range []Dist{k.ServiceGetEtcd, k.ServiceGetCache, k.ServiceList, k.ServiceWatch, k.ServiceCreate} {
			if d.Mean() <= 0 {
				return fmt.Errorf("capacity: service times must have a positive mean")
			}
		}
		if k.BackgroundPerSecond > 0 && k.BackgroundService.Mean() <= 0 {
			return fmt.Errorf("capacity: the background service time must have a positive mean")
		}
	}
	for i, f := range c.Faults {
		if err := f.Arrivals.validate(); err != nil {
			return fmt.Errorf("fault %d: %v", i, err)
		}
		switch f.Kind {
		case APIServerRestart:
			if f.Replica < -1 || f.Replica >= max(c.Replicas, 1) {
				return fmt.Errorf("fault %d: replica %d out of range", i, f.Replica)
			}
			if f.Downtime <= 0 {
				return fmt.Errorf("fault %d: downtime must be > 0", i)
			}
		case KubeletRestart, NodeJoin, NodeLeave:
			if f.Kind == KubeletRestart && f.Downtime <= 0 {
				return fmt.Errorf("fault %d: downtime must be > 0", i)
			}
			if (f.Nodes.N > 0) == (f.Nodes.Fraction > 0) || f.Nodes.N < 0 || f.Nodes.Fraction > 1 {
				return fmt.Errorf("fault %d: nodes must be a count >= 1 or a fraction in (0, 1]", i)
			}
			if f.Spread < 0 {
				return fmt.Errorf("fault %d: spread must be >= 0", i)
			}
		default:
			return fmt.Errorf("fault %d: unknown kind %d", i, f.Kind)
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

// validate checks that exactly one kind of arrival is set.
func (a *Arrivals) validate() error {
	kinds := 0
	for _, set := range []bool{len(a.At) > 0, a.Every > 0, a.PoissonPerHour > 0} {
		if set {
			kinds++
		}
	}
	if kinds != 1 || a.Every < 0 || a.PoissonPerHour < 0 || a.Start < 0 {
		return fmt.Errorf("exactly one of at, every and a Poisson rate must be set")
	}
	return nil
}
