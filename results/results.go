// Package results defines cmsim's output data: the summary, the latency samples
// and the apiserver-load time series, with their JSON and CSV codecs.
//
// It is the contract between a run (cmd/cmsim run), the charts (plots) and the
// report: everything a chart or report needs can be read back from an output
// folder without simulating again. The codecs work on io.Reader and io.Writer;
// only cmd opens files.
package results

// Summary is summary.json: one entry in Points per parameter point.
type Summary struct {
	Scenario string `json:"scenario"`
	Seed     uint64 `json:"seed"`
	// Incomplete is true when the run was interrupted and Points holds only
	// the points that finished.
	Incomplete bool    `json:"incomplete,omitempty"`
	Points     []Point `json:"points"`
}

// Point is one parameter point of a run: its parameters, the metrics (the mean
// over replications) and, with two or more replications, the 95% confidence
// half-widths of every metric.
type Point struct {
	// Params are the resolved parameters that define this point, keyed by
	// their dotted scenario path (the same paths as --set).
	Params       map[string]string `json:"params"`
	Replications int               `json:"replications,omitempty"`
	Metrics
	CI95 *Metrics `json:"ci95,omitempty"`
}

// Metrics are the headline figures of one point.
type Metrics struct {
	LatencySeconds Latency   `json:"latency_seconds"`
	NeverUpdated   Never     `json:"never_updated"`
	APIServer      APIServer `json:"apiserver"`
	Kubelet        Kubelet   `json:"kubelet"`
	Faults         Faults    `json:"faults"`
	// FaultEvents has one entry per fault or churn arrival, in time order;
	// with replications, the mean of each figure when every replication
	// had the same arrivals, else the first replication's.
	FaultEvents []FaultEvent `json:"fault_events,omitempty"`
	// ByWorkload and ByObject split the latency, never-updated and
	// request figures by workload and by object group (see Group), in
	// the scenario's order.
	ByWorkload []Group `json:"by_workload,omitempty"`
	ByObject   []Group `json:"by_object,omitempty"`
	// Derived holds the values the point's settings imply (the Cache TTL
	// in force, the expected latency bound); zero, and left out, in ci95.
	Derived Derived `json:"derived,omitzero"`
}

// Faults summarises the run's faults and churn.
type Faults struct {
	Count float64 `json:"count"`
	// RecoverySecondsMax is the longest recovery of any fault (see
	// FaultEvent); -1 when some fault had not recovered when the run ended.
	RecoverySecondsMax float64 `json:"recovery_seconds_max"`
	WatchesDropped     float64 `json:"watches_dropped"`
	Relists            float64 `json:"relists"`
}

// FaultEvent is one fault or churn arrival and what it did.
type FaultEvent struct {
	Kind       string  `json:"kind"` // apiserverRestart, kubeletRestart, nodeJoin, nodeLeave
	AtSeconds  float64 `json:"at_seconds"`
	EndSeconds float64 `json:"end_seconds"` // when its last target's disruption ended (downtime, watch cache initialisation, spread)
	Target     string  `json:"target"`      // "replica 0", "all replicas", "50 nodes"
	// WatchesDropped counts the watches it ended; Relists the LISTs their
	// reflectors then made; MountFailures the failed volume mounts in its
	// wake.
	WatchesDropped float64 `json:"watches_dropped"`
	Relists        float64 `json:"relists"`
	MountFailures  float64 `json:"mount_failures"`
	// RewatchSeconds: from the fault until every watch it dropped was open
	// again (0 when it dropped none). MountRecoverySeconds: until every
	// failed mount succeeded. ConvergeSeconds: until every volume consumer
	// held every write committed before EndSeconds. RecoverySeconds is the
	// largest of the three, -1 if the run ended first.
	RewatchSeconds       float64 `json:"rewatch_seconds"`
	MountRecoverySeconds float64 `json:"mount_recovery_seconds"`
	ConvergeSeconds      float64 `json:"converge_seconds"`
	RecoverySeconds      float64 `json:"recovery_seconds"`
	// PeakPerSec is the storm: the highest request rate of each verb in any
	// one second from the fault to its recovery (or the end of the run).
	PeakPerSec VerbRates `json:"peak_per_sec"`
}

// Latency summarises update-to-file latency over every (update, consumer)
// pair that was observed. Count is the number of such pairs.
type Latency struct {
	Count float64 `json:"count"`
	Mean  float64 `json:"mean"`
	P50   float64 `json:"p50"`
	P90   float64 `json:"p90"`
	P99   float64 `json:"p99"`
	Max   float64 `json:"max"`
}

// Never counts (update, consumer) pairs that can never be observed while the
// container runs, by reason.
type Never struct {
	Env       float64 `json:"env"`
	SubPath   float64 `json:"subPath"`
	Immutable float64 `json:"immutable"`
}

// APIServer holds apiserver load averaged over the run (requests for
// ConfigMaps and Secrets made by kubelets).
type APIServer struct {
	GetPerSec            float64 `json:"get_per_sec"`
	GetEtcdPerSec        float64 `json:"get_etcd_per_sec"`
	ListPerSec           float64 `json:"list_per_sec"`
	WatchRequestsPerSec  float64 `json:"watch_requests_per_sec"`
	OpenWatchesPeak      float64 `json:"open_watches_peak"`
	OpenWatchesMean      float64 `json:"open_watches_mean"`
	WatchEventsPerSec    float64 `json:"watch_events_per_sec"`
	BookmarksPerSec      float64 `json:"bookmarks_per_sec"`
	BytesPerSec          float64 `json:"bytes_per_sec"`
	UpdatesPerSec        float64 `json:"updates_per_sec"`
	UpdatesRejectedTotal float64 `json:"updates_rejected_total"`
	// ByResource splits the requests by API resource, as
	// apiserver_request_total's resource label does.
	ByResource ByResource `json:"by_resource"`
	// TokenRequestsPerSec counts the kubelets' TokenRequests (POST
	// serviceaccounts/token) for the pods' projected tokens.
	TokenRequestsPerSec float64 `json:"token_requests_per_sec"`
	// RequestsTotal counts every request that reached an apiserver replica
	// over the run, by resource and verb (apiserver_request_total, any
	// code).
	RequestsTotal RequestsTotal `json:"requests_total"`
	// PeakPerSec is the highest request rate of each verb in any one second
	// of the run, whatever the output bucket.
	PeakPerSec VerbRates `json:"peak_per_sec"`
	// RefusedTotal counts requests no replica answered (connection refused:
	// every replica down); Rejected429Total the 429 responses (a watch
	// cache initialising, counting client-go's retries); Watch410Total the
	// WATCHes answered 410 Gone, after which the reflector relists.
	RefusedTotal     float64 `json:"requests_refused_total"`
	Rejected429Total float64 `json:"requests_429_total"`
	Watch410Total    float64 `json:"watch_410_total"`
	// RejectedPerSec is the 429s per second, whatever their cause (a queue
	// full, a wait too long, a watch cache initialising); RejectedAPFTotal
	// counts those of priority and fairness; RetriesPerSec the client's
	// retries of them.
	RejectedPerSec   float64 `json:"rejected_per_sec"`
	RejectedAPFTotal float64 `json:"requests_rejected_apf_total"`
	RetriesPerSec    float64 `json:"retries_per_sec"`
	// With finite capacity: the seats in use and the requests waiting in
	// the kubelets' priority level (summed over replicas), mean over the
	// run and peak.
	SeatsInUseMean float64 `json:"seats_in_use_mean"`
	SeatsInUsePeak float64 `json:"seats_in_use_peak"`
	// SeatsLimit is the level's seats, summed over replicas (0: unlimited).
	SeatsLimit float64 `json:"seats_limit"`
	QueuedMean float64 `json:"queued_requests_mean"`
	QueuedPeak float64 `json:"queued_requests_peak"`
	// RequestLatency is the time from a kubelet's request to its response
	// (apiserver_request_duration_seconds plus the client's throttling and
	// retries), in seconds.
	RequestLatency RequestLatency `json:"request_latency"`
}

// RequestLatency summarises request latencies over every verb, and by verb.
// Percentiles come from log-spaced histograms: within ±2.2%; maxima are
// exact.
type RequestLatency struct {
	Mean  float64     `json:"mean"`
	P50   float64     `json:"p50"`
	P99   float64     `json:"p99"`
	Max   float64     `json:"max"`
	Get   VerbLatency `json:"GET"`
	List  VerbLatency `json:"LIST"`
	Watch VerbLatency `json:"WATCH"`
	Post  VerbLatency `json:"POST"`
}

// VerbLatency is one verb's request latency and its parts: waiting for the
// client's token bucket (throttle), in priority-and-fairness queues
// (queue), and holding a seat (service, or the response's round trip
// without capacity).
type VerbLatency struct {
	Count        float64 `json:"count"`
	Mean         float64 `json:"mean"`
	P50          float64 `json:"p50"`
	P99          float64 `json:"p99"`
	Max          float64 `json:"max"`
	ThrottleMean float64 `json:"throttle_mean"`
	ThrottleP99  float64 `json:"throttle_p99"`
	QueueMean    float64 `json:"queue_mean"`
	QueueP99     float64 `json:"queue_p99"`
	ServiceMean  float64 `json:"service_mean"`
	ServiceP99   float64 `json:"service_p99"`
}

// fields returns pointers to every figure of l.
func (l *VerbLatency) fields() []*float64 {
	return []*float64{&l.Count, &l.Mean, &l.P50, &l.P99, &l.Max, &l.ThrottleMean, &l.ThrottleP99,
		&l.QueueMean, &l.QueueP99, &l.ServiceMean, &l.ServiceP99}
}

// RequestsTotal holds request counts by resource.
type RequestsTotal struct {
	ConfigMaps VerbRates `json:"configmaps"`
	Secrets    VerbRates `json:"secrets"`
	Tokens     VerbRates `json:"serviceaccounts_token"`
}

// VerbRates holds one number per request verb: a count or a rate.
type VerbRates struct {
	Get   float64 `json:"GET"`
	List  float64 `json:"LIST"`
	Watch float64 `json:"WATCH"`
	Post  float64 `json:"POST"`
}

// ByResource holds per-resource request rates.
type ByResource struct {
	ConfigMaps ResourceLoad `json:"configmaps"`
	Secrets    ResourceLoad `json:"secrets"`
}

// ResourceLoad is the request rates for one resource.
type ResourceLoad struct {
	GetPerSec           float64 `json:"get_per_sec"`
	GetEtcdPerSec       float64 `json:"get_etcd_per_sec"`
	ListPerSec          float64 `json:"list_per_sec"`
	WatchRequestsPerSec float64 `json:"watch_requests_per_sec"`
	WatchEventsPerSec   float64 `json:"watch_events_per_sec"`
}

// Kubelet holds kubelet work per node, averaged over nodes and the run.
type Kubelet struct {
	SyncsPerSec        float64 `json:"syncs_per_sec"`
	RemountsPerSec     float64 `json:"remounts_per_sec"`
	VolumeWritesPerSec float64 `json:"volume_writes_per_sec"`
	// MountFailuresTotal counts failed MountVolume operations (cluster-wide).
	MountFailuresTotal float64 `json:"mount_failures_total"`
}

// NeverUpdated reasons, as written in latencies.csv.
const (
	NeverEnv       = "env"
	NeverSubPath   = "subPath"
	NeverImmutable = "immutable"
)

// LatencyRow is one row of latencies.csv: one (update, consumer) pair.
// ObservedAtSeconds and LatencySeconds are NaN when NeverUpdated is set, or
// when the run ended before the consumer saw the update (NeverUpdated empty).
type LatencyRow struct {
	Point             int
	Replication       int
	Update            int     // update sequence number within the run, from 1
	Object            string  // namespace/name
	WrittenAtSeconds  float64 // when the apiserver committed the write
	Pod               string  // namespace/name
	Workload          string  // the pod's workload, as the scenario names it
	Node              string
	Consumer          string // volume name or env, unique within the pod
	ConsumerKind      string // volume, projected, subPath, env, envFrom
	ObservedAtSeconds float64
	LatencySeconds    float64
	NeverUpdated      string
}

// LoadRow is one row of load.csv: the apiserver and kubelet load in one time
// bucket [StartSeconds, StartSeconds+bucket). Rates are per second over the
// bucket, cluster-wide.
type LoadRow struct {
	Point               int
	Replication         int
	StartSeconds        float64
	GetEtcdPerSec       float64
	GetCachePerSec      float64
	ListPerSec          float64
	WatchRequestsPerSec float64
	WatchEventsPerSec   float64
	BookmarksPerSec     float64
	OpenWatchesMean     float64
	OpenWatchesMax      float64
	BytesPerSec         float64
	UpdatesPerSec       float64
	SyncsPerSec         float64
	RemountsPerSec      float64
	VolumeWritesPerSec  float64
	TokenRequestsPerSec float64
	RefusedPerSec       float64 // requests no replica answered
	Rejected429PerSec   float64
	Watch410PerSec      float64
	MountFailuresPerSec float64
	Nodes               float64 // nodes in the cluster at the bucket's start
	Pods                float64 // pods at the bucket's start
	RetriesPerSec       float64 // client retries of 429s
	RejectedAPFPerSec   float64 // 429s from priority and fairness
	SeatsInUseMean      float64 // finite capacity: seats in use, summed over replicas
	SeatsInUseMax       float64
	QueuedMean          float64 // finite capacity: requests waiting in queues
	QueuedMax           float64
	RequestLatencyMean  float64 // seconds, requests answered in the bucket
	RequestLatencyMax   float64
	// OpenWatchesByReplica is each apiserver replica's mean open watches,
	// with several replicas (columns open_watches_mean_r0, ...).
	OpenWatchesByReplica []float64
}

// Fields returns pointers to every metric of m, in a fixed order, so that
// metrics can be averaged and compared generically.
func (m *Metrics) Fields() []*float64 {
	l, n, a, k := &m.LatencySeconds, &m.NeverUpdated, &m.APIServer, &m.Kubelet
	f := []*float64{
		&l.Count, &l.Mean, &l.P50, &l.P90, &l.P99, &l.Max,
		&n.Env, &n.SubPath, &n.Immutable,
		&a.GetPerSec, &a.GetEtcdPerSec, &a.ListPerSec, &a.WatchRequestsPerSec, &a.OpenWatchesPeak,
		&a.OpenWatchesMean, &a.WatchEventsPerSec, &a.BookmarksPerSec, &a.BytesPerSec, &a.UpdatesPerSec,
		&a.UpdatesRejectedTotal,
		&a.ByResource.ConfigMaps.GetPerSec, &a.ByResource.ConfigMaps.GetEtcdPerSec, &a.ByResource.ConfigMaps.ListPerSec,
		&a.ByResource.ConfigMaps.WatchRequestsPerSec, &a.ByResource.ConfigMaps.WatchEventsPerSec,
		&a.ByResource.Secrets.GetPerSec, &a.ByResource.Secrets.GetEtcdPerSec, &a.ByResource.Secrets.ListPerSec,
		&a.ByResource.Secrets.WatchRequestsPerSec, &a.ByResource.Secrets.WatchEventsPerSec,
		&k.SyncsPerSec, &k.RemountsPerSec, &k.VolumeWritesPerSec,
		&a.TokenRequestsPerSec,
		&a.RequestsTotal.ConfigMaps.Get, &a.RequestsTotal.ConfigMaps.List, &a.RequestsTotal.ConfigMaps.Watch, &a.RequestsTotal.ConfigMaps.Post,
		&a.RequestsTotal.Secrets.Get, &a.RequestsTotal.Secrets.List, &a.RequestsTotal.Secrets.Watch, &a.RequestsTotal.Secrets.Post,
		&a.RequestsTotal.Tokens.Get, &a.RequestsTotal.Tokens.List, &a.RequestsTotal.Tokens.Watch, &a.RequestsTotal.Tokens.Post,
		&a.PeakPerSec.Get, &a.PeakPerSec.List, &a.PeakPerSec.Watch, &a.PeakPerSec.Post,
		&a.RefusedTotal, &a.Rejected429Total, &a.Watch410Total,
		&k.MountFailuresTotal,
		&m.Faults.Count, &m.Faults.RecoverySecondsMax, &m.Faults.WatchesDropped, &m.Faults.Relists,
		&a.RejectedPerSec, &a.RejectedAPFTotal, &a.RetriesPerSec,
		&a.SeatsInUseMean, &a.SeatsInUsePeak, &a.SeatsLimit, &a.QueuedMean, &a.QueuedPeak,
	}
	rl := &a.RequestLatency
	f = append(f, &rl.Mean, &rl.P50, &rl.P99, &rl.Max)
	for _, v := range []*VerbLatency{&rl.Get, &rl.List, &rl.Watch, &rl.Post} {
		f = append(f, v.fields()...)
	}
	return f
}

// Fields returns pointers to the event's figures, for averaging over
// replications.
func (e *FaultEvent) Fields() []*float64 {
	return []*float64{
		&e.EndSeconds, &e.WatchesDropped, &e.Relists, &e.MountFailures,
		&e.RewatchSeconds, &e.MountRecoverySeconds, &e.ConvergeSeconds, &e.RecoverySeconds,
		&e.PeakPerSec.Get, &e.PeakPerSec.List, &e.PeakPerSec.Watch, &e.PeakPerSec.Post,
	}
}
