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
}

// Fields returns pointers to every metric of m, in a fixed order, so that
// metrics can be averaged and compared generically.
func (m *Metrics) Fields() []*float64 {
	l, n, a, k := &m.LatencySeconds, &m.NeverUpdated, &m.APIServer, &m.Kubelet
	return []*float64{
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
	}
}
