package scenarios

import (
	"math"
	"time"

	"gopkg.in/yaml.v3"
)

// APIVersion is the only accepted value of a scenario's apiVersion key.
const APIVersion = "cmsim/v1"

// Limits enforced by the loader. They are exported so that other packages can
// quote them; changing one changes the accepted scenario language.
const (
	DurationMax     = 30 * 24 * time.Hour // duration <= 30 days
	NodesMax        = 100000              // cluster.nodes
	CountMax        = 1000000             // objects[].count
	ObjectsMax      = 2000000             // objects, summed over every entry's count
	PodsMax         = 10000000            // pods, summed over every workload
	SourcesMax      = 50000000            // (pod, object) references, summed over every mount
	UpdatesMax      = 10000000            // expected writes of one update rule over the run
	PairsMax        = 50000000            // expected (update, consumer) pairs: one latency sample each
	SizeBytesMax    = 1 << 20             // objects[].sizeBytes: 1 MiB, the apiserver's object size limit
	ParallelismMax  = 100000              // workloads[].job.parallelism
	ReplicasMax     = 100                 // cluster.apiserver.replicas
	GoawayChanceMax = 0.02                // cluster.apiserver.goawayChance, as upstream --goaway-chance
	FaultsMax       = 100000              // expected fault arrivals, summed over every fault rule
	SeatsMax        = 100000              // cluster.apiserver.capacity.seats
	QueuesMax       = 1024                // cluster.apiserver.capacity.queues
	HandSizeMax     = 15                  // cluster.apiserver.capacity.handSize (and <= queues)
	QueueLengthMax  = 10000               // cluster.apiserver.capacity.queueLengthLimit
	FlowsMax        = 1000000             // cluster.apiserver.capacity.background.flows
	BackgroundMax   = 100000000           // expected background requests over the run
	ReplicationsMax = 1000                // replications
	BucketMin       = time.Second         // output.bucket
	BucketsMax      = 100000              // duration / output.bucket
	PointsMax       = 10000               // sweep grid size
	SweepAxesMax    = 32                  // number of sweep axes
)

// Scenario is one fully loaded, defaulted and validated scenario file.
type Scenario struct {
	Source       string        // the name passed to Load ("scenario.yaml", "builtin:quickstart")
	APIVersion   string        // always "cmsim/v1"
	Kind         string        // always "Scenario"
	Name         string        // [a-z0-9-]+, at most 63 characters
	Description  string        // free text, optional
	Seed         uint64        // master seed; default 1
	Duration     time.Duration // simulated time span; > 0, <= 30 days
	Cluster      Cluster       // nodes, kubelet and apiserver settings
	Objects      []Object      // ConfigMaps and Secrets; at least one entry
	Workloads    []Workload    // pods and what they mount; at least one entry
	Updates      []Update      // object update streams; may be empty
	Restarts     []Restart     // rolling restarts of workloads; may be empty
	Faults       []Fault       // apiserver and kubelet restarts, node churn; may be empty
	Output       Output        // output resolution
	Replications int           // independent runs per parameter point; default 1, 1..1000
	Sweep        []SweepAxis   // parameter axes, in file order; empty means a single point
	Zip          bool          // true: axes are paired up (same length) instead of a full grid

	src *source // what Points needs to re-load the scenario with overrides
}

// source is the pristine input of a Load: the parsed document and the --set
// arguments, so Points can re-apply them together with sweep values.
type source struct {
	file string
	root *yaml.Node // the document's top node; never mutated
	sets []string
}

// Cluster describes the simulated cluster.
type Cluster struct {
	Nodes   int     // number of nodes (kubelets); required, 1..100000
	Start   string  // "warm" (default: pods long running at t=0) or "cold" (all pods created at t=0)
	Kubelet Kubelet // kubelet configuration, the same on every node
	// KubeAPIAccess gives every pod whose workload automounts its token the
	// kube-api-access projected volume that service-account admission adds,
	// whose configMap source is its namespace's kube-root-ca.crt, and its
	// token requests (key: kubeAPIAccess; default true).
	KubeAPIAccess bool
	// ImagePullSecret gives every namespace's default ServiceAccount the pull
	// secret default-dockercfg, which pods of workloads without their own
	// imagePullSecrets list (key: imagePullSecret; default true).
	ImagePullSecret bool
	APIServer       APIServer // apiserver replicas and latencies (YAML key: apiserver)
}

// DefaultPullSecret is the name of the implicit pull secret that
// cluster.imagePullSecret adds to every namespace with pods that use it.
const DefaultPullSecret = "default-dockercfg"

// DefaultPullSecretBytes is the size of a default-dockercfg Secret: one
// registry's .dockercfg credentials with the object's metadata.
const DefaultPullSecretBytes = 2048

// Start modes of Cluster.Start.
const (
	StartWarm = "warm"
	StartCold = "cold"
)

// Kubelet holds the kubelet settings that matter for ConfigMap/Secret propagation.
// The defaults are the real kubelet's defaults.
type Kubelet struct {
	Version                 string        // Kubernetes release, 1.MINOR; default the newest modelled (model.NewestRelease)
	SyncFrequency           time.Duration // periodic pod resync; default 1m, > 0
	ChangeDetectionStrategy string        // Get | Cache | Watch (exact case); default Watch
	CacheTTL                CacheTTL      // TTL used by the Cache strategy; default auto
	KubeAPIQPS              float64       // client-side rate limit; default 50 (5 up to 1.26), >= 0 (0: no limit)
	KubeAPIBurst            int           // client-side burst; default 100 (10 up to 1.26), >= 0; >= 1 when KubeAPIQPS > 0

	// qpsDefault and burstDefault say KubeAPIQPS and KubeAPIBurst are the
	// release's defaults, so that a resolved scenario leaves them to follow
	// a sweep of the version.
	qpsDefault, burstDefault bool
}

// Change detection strategies (kubelet configMapAndSecretChangeDetectionStrategy).
const (
	StrategyGet   = "Get"
	StrategyCache = "Cache"
	StrategyWatch = "Watch"
)

// CacheTTL is the Cache strategy's object TTL, i.e. the node's
// node.alpha.kubernetes.io/ttl annotation.
type CacheTTL struct {
	Mode string        // "auto" | "absent" | "fixed"
	TTL  time.Duration // the annotation value when Mode is "fixed"; >= 0
}

// CacheTTL modes.
const (
	TTLAuto   = "auto"   // the TTL controller sets the annotation from the cluster size (0/15/30/60/300 s)
	TTLAbsent = "absent" // no annotation: the kubelet uses its default of 60s
	TTLFixed  = "fixed"  // an explicit annotation value
)

// KubeletDefaultTTL is the TTL the kubelet uses when the node has no TTL annotation.
const KubeletDefaultTTL = 60 * time.Second

// APIServer holds the apiserver's replicas, their settings and latency
// distributions.
type APIServer struct {
	Version           string        // Kubernetes release, 1.MINOR; "" (the default): the kubelet's, see Cluster.APIServerVersion
	Replicas          int           // behind one load balancer; default 1, 1..100
	GoawayChance      float64       // --goaway-chance; default 0, 0..0.02
	WatchCacheInit    time.Duration // a restarted replica's watch cache initialisation; default 5s, >= 0
	WatchCacheHistory time.Duration // how far back the watch cache keeps events; default 75s, > 0
	GetLatency        Dist          // GET round trip seen by the kubelet; default exponential, mean 5ms
	WatchDelay        Dist          // write commit to watch event delivery; default exponential, mean 50ms
	Capacity          *Capacity     // each replica's priority level for the kubelets; nil: unlimited
}

// Capacity is one apiserver replica's API Priority and Fairness priority
// level "system", which the kubelets' requests go to. The defaults are
// upstream's bootstrap configuration of that level.
type Capacity struct {
	Seats            int           // concurrency limit; default 74, 1..100000
	Queues           int           // default 64, 1..1024
	HandSize         int           // queues dealt to each flow; default 6, 1..min(queues, 15)
	QueueLengthLimit int           // requests per queue; default 50, 1..10000
	QueueWaitLimit   time.Duration // a request queued longer gets 429; default 15s, > 0
	ServiceTime      ServiceTime   // how long each kind of request holds its seat
	Background       *Background   // other clients sharing the seats; nil: none
}

// ServiceTime holds the time a request holds its seat, by verb and serving
// path. Every one has a positive mean.
type ServiceTime struct {
	GetEtcd  Dist // GET served from etcd; default lognormal, median 2ms, sigma 1.5
	GetCache Dist // GET served from the watch cache; default lognormal, median 0.3ms, sigma 0.5
	List     Dist // default lognormal, median 0.5ms, sigma 0.5
	Watch    Dist // only while it sends its initial events; default lognormal, median 0.5ms, sigma 0.5
	Create   Dist // a TokenRequest; default lognormal, median 3ms, sigma 0.5
}

// Background is the load from the rest of the cluster on the same priority
// level: Poisson arrivals spread uniformly over Flows clients.
type Background struct {
	PerSecond   float64 // arrival rate; required, > 0
	Flows       int     // default 100, 1..1000000
	Seats       int     // seats each request takes; default 1, 1..Capacity.Seats
	ServiceTime Dist    // default lognormal, median 5ms, sigma 1; positive mean
}

// Dist is a delay distribution. Only the fields of its Kind are meaningful:
// constant: Value; uniform: Min, Max; exponential: Mean; lognormal: Median, Sigma.
type Dist struct {
	Kind                          string // constant | uniform | exponential | lognormal
	Value, Min, Max, Mean, Median time.Duration
	Sigma                         float64 // lognormal shape, >= 0
}

// Distribution kinds.
const (
	DistConstant    = "constant"
	DistUniform     = "uniform"
	DistExponential = "exponential"
	DistLognormal   = "lognormal"
)

// Object is one ConfigMap or Secret entry, or a group of Count identical ones.
type Object struct {
	Kind              string  // ConfigMap | Secret
	Namespace         string  // DNS label; default "default"
	Name              string  // unique among all object entries; members of a group are Name-0 .. Name-(Count-1)
	Count             int     // default 1, 1..1000000
	SizeBytes         int     // default 1024, 1..1048576
	Immutable         bool    // every member is immutable
	ImmutableFraction float64 // 0..1: the first round(f*Count) members are immutable
}

// Object kinds.
const (
	KindConfigMap = "ConfigMap"
	KindSecret    = "Secret"
)

// ImmutableCount returns how many members of the object entry are immutable:
// all of them when Immutable, else round(ImmutableFraction*Count).
func (o Object) ImmutableCount() int {
	if o.Immutable {
		return o.Count
	}
	n := int(o.ImmutableFraction*float64(o.Count) + 0.5)
	return min(max(n, 0), o.Count)
}

// MemberName returns the name of member i of the object entry: Name itself
// when Count is 1, Name-i otherwise.
func (o Object) MemberName(i int) string {
	if o.Count == 1 {
		return o.Name
	}
	return o.Name + "-" + itoa(i)
}

// Workload is a set of pods mounting objects.
type Workload struct {
	Name        string // DNS label, unique among workloads
	Namespace   string // DNS label; default "default"
	Replicas    int    // pods spread round-robin over nodes; exactly one of Replicas, PodsPerNode and Job is set
	PodsPerNode int    // pods on every node
	Job         *Job   // short-lived pods created over the run
	// AutomountServiceAccountToken false keeps the pods without the
	// kube-api-access volume and token requests; default true.
	AutomountServiceAccountToken bool
	// ImagePullSecrets are Secret object entry names; nil: the namespace's
	// default-dockercfg if cluster.imagePullSecret, else none; empty: none.
	ImagePullSecrets       []string
	TerminationGracePeriod time.Duration // a deleted pod keeps its references this long; default 30s, >= 0
	Mounts                 []Mount       // at least one
}

// Pods returns the workload's number of pods on a cluster of the given size
// at the start; a Job's pods come later, Parallelism at each arrival (see
// [Scenario.ExpectedPods] for every pod over the run).
func (w Workload) Pods(nodes int) int {
	switch {
	case w.PodsPerNode > 0:
		return w.PodsPerNode * nodes
	case w.Job != nil:
		return w.Job.Parallelism
	}
	return w.Replicas
}

// Job makes a workload's pods short-lived, as a Job's or CronJob's are: at
// each arrival Parallelism pods are created, and each is deleted RunFor
// later. Exactly one of At, Every and PoissonPerMinute is set.
type Job struct {
	At               []time.Duration // listed times, each in [0, duration]
	Every            time.Duration   // periodic: Start+Every, Start+2*Every, ...
	Start            time.Duration   // with Every or PoissonPerMinute; default 0
	PoissonPerMinute float64         // Poisson arrivals with this rate per minute
	Parallelism      int             // pods per arrival; default 1, 1..100000
	RunFor           time.Duration   // each pod's lifetime; required, > 0
}

// Mount is one reference from a workload's pods to an object entry.
type Mount struct {
	Object string   // an object entry name, in the workload's namespace
	Select string   // all (default) | random-one | by-index: which members of a group each pod uses
	As     string   // volume (default) | projected | subPath | env | envFrom
	Items  []string // optional keys (volume, projected only); recorded, propagation is per volume
}

// Mount selections.
const (
	SelectAll       = "all"        // every member of the group
	SelectRandomOne = "random-one" // one member per pod, chosen at random
	SelectByIndex   = "by-index"   // member (pod index mod Count)
)

// Mount kinds.
const (
	AsVolume    = "volume"
	AsProjected = "projected"
	AsSubPath   = "subPath"
	AsEnv       = "env"
	AsEnvFrom   = "envFrom"
)

// Update is a stream of writes to an object entry. Exactly one of At, Every
// and PoissonPerMinute is set. On a group, each arrival updates one random member.
type Update struct {
	Object           string          // an object entry name
	At               []time.Duration // listed times, each in [0, duration]
	Every            time.Duration   // periodic: arrivals at Start+Every, Start+2*Every, ...
	Start            time.Duration   // no periodic/Poisson arrival before this; default 0
	PoissonPerMinute float64         // Poisson arrivals with this rate per minute
}

// Restart rolls a workload's pods (kubectl rollout restart) at listed times
// or periodically: at each arrival pod i of n is replaced at
// arrival + Spread*i/n. Exactly one of At and Every is set.
type Restart struct {
	Workload string          // a workload name
	At       []time.Duration // listed times, each in [0, duration]
	Every    time.Duration   // periodic: Start+Every, Start+2*Every, ...
	Start    time.Duration   // with Every; default 0
	Spread   time.Duration   // the rollout's length; default 0 (every pod at once)
}

// Fault is a scheduled fault or churn input: at each arrival it takes an
// apiserver replica or kubelets down, or adds or removes nodes. Exactly one
// of At, Every and PoissonPerHour is set. Only the fields of its Kind are
// meaningful (see docs/scenario.md).
type Fault struct {
	Kind           string          // apiserverRestart | kubeletRestart | nodeJoin | nodeLeave
	At             []time.Duration // listed times, each in [0, duration]
	Every          time.Duration   // periodic: Start+Every, Start+2*Every, ...
	Start          time.Duration   // with Every or PoissonPerHour; default 0
	PoissonPerHour float64         // Poisson arrivals with this rate per hour
	Replica        int             // apiserverRestart: the replica, or ReplicaAll (the default)
	Downtime       time.Duration   // apiserverRestart (required), kubeletRestart (default 10s); > 0
	Nodes          NodeCount       // kubeletRestart (default 100%), nodeJoin, nodeLeave (required)
	Spread         time.Duration   // kubeletRestart, nodeJoin, nodeLeave: the targets act over this window; default 0
}

// Fault kinds.
const (
	FaultAPIServerRestart = "apiserverRestart"
	FaultKubeletRestart   = "kubeletRestart"
	FaultNodeJoin         = "nodeJoin"
	FaultNodeLeave        = "nodeLeave"
)

// ReplicaAll is Fault.Replica when an apiserverRestart takes every replica
// down at once (YAML: replica: all).
const ReplicaAll = -1

// NodeCount is a number of nodes: N, or Percent of the nodes at that moment.
// Exactly one is > 0.
type NodeCount struct {
	N       int     // >= 1
	Percent float64 // in (0, 100]
}

// Of returns how many of current nodes the count means: N, or
// round(Percent × current / 100), half up.
func (c NodeCount) Of(current int) int {
	if c.Percent == 0 {
		return c.N
	}
	return int(math.Floor(c.Percent/100*float64(current) + 0.5))
}

// Output controls the resolution of recorded time series.
type Output struct {
	Bucket time.Duration // time-series bucket width; default 10s, >= 1s, duration/bucket <= 100000
}

// SweepAxis is one sweep entry: a --set style path and the values it takes.
type SweepAxis struct {
	Path   string
	Values []string // YAML scalar text of each value

	tags []string // each value's YAML tag (e.g. !!str for a quoted "1"), so re-applying it is exact
}

// Point is one parameter point of a sweep.
type Point struct {
	Index    int       // 0-based position in the grid
	Params   []Param   // path=value, in axis order; empty without a sweep
	Scenario *Scenario // the base scenario with Params applied, validated; its Sweep is empty
}

// Param is one path=value of a Point.
type Param struct{ Path, Value string }

// String returns "path=value".
func (p Param) String() string { return p.Path + "=" + p.Value }

// APIServerVersion is the apiserver's release: cluster.apiserver.version,
// or the kubelet's when that is not set.
func (c Cluster) APIServerVersion() string {
	if c.APIServer.Version == "" {
		return c.Kubelet.Version
	}
	return c.APIServer.Version
}
