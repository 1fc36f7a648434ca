package model

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Kubernetes releases change behaviours that set cmsim's numbers. Each one
// the model follows is a row of Behaviours: the component whose release
// selects it, the releases it applies to and the upstream reference. A run
// resolves the rows once, for its kubelet's and apiserver's releases, into
// a Behaviour set; the model reads that set and never compares versions.

// Release is a Kubernetes minor release, 1.Minor.
type Release struct{ Minor int }

// The releases modelled. Older ones changed too much (the kubelet's
// defaults, the watch cache) to follow without reading each.
var (
	OldestRelease = Release{26}
	NewestRelease = Release{37}
)

func (r Release) String() string { return fmt.Sprintf("1.%d", r.Minor) }

// ParseRelease reads "1.28" (or "v1.28", "1.28.3": the patch release
// changes nothing modelled).
func ParseRelease(s string) (Release, error) {
	parts := strings.Split(strings.TrimPrefix(strings.TrimPrefix(s, "v"), "V"), ".")
	minor := -1
	if len(parts) == 2 || len(parts) == 3 {
		ok := parts[0] == "1"
		for _, p := range parts[1:] {
			if _, err := strconv.ParseUint(p, 10, 16); err != nil {
				ok = false
			}
		}
		if ok {
			minor, _ = strconv.Atoi(parts[1])
		}
	}
	if minor < 0 {
		return Release{}, fmt.Errorf("%q is not a Kubernetes release; write it as 1.MINOR, e.g. %q", s, NewestRelease.String())
	}
	r := Release{minor}
	if r.Minor < OldestRelease.Minor || r.Minor > NewestRelease.Minor {
		return Release{}, fmt.Errorf("release %s is not modelled; cmsim models %s to %s", r, OldestRelease, NewestRelease)
	}
	return r, nil
}

// Component is the Kubernetes component whose release selects a behaviour.
type Component string

// Components.
const (
	Kubelet   Component = "kubelet"
	APIServer Component = "apiserver"
)

// VersionedBehaviour is one row of the version table: the behaviour holds
// from release From to release Until, both inclusive (the zero Release: no
// bound on that side).
type VersionedBehaviour struct {
	Name      string
	Component Component
	From      Release
	Until     Release
	Summary   string // what the model does while it holds
	Reference string // upstream source or change
}

// Behaviours is the version table. Rows come in pairs only where both
// sides differ in more than a flag; otherwise the row says when the newer
// behaviour holds and the model falls back to the older one outside it.
var Behaviours = []VersionedBehaviour{
	{
		Name: "cacheAddReferenceOnEverySync", Component: Kubelet, Until: Release{28},
		Summary:   "Cache: RegisterPod, called on every sync, calls AddReference, which drops the item's data, so each sync's Gets read from etcd (resourceVersion=\"\"): Cache loads etcd like Get. From 1.29 only a pod UID's first registration (or a new reference) does",
		Reference: "pkg/kubelet/util/manager/cache_based_manager.go RegisterPod (v1.28.0 vs v1.29.0); kubernetes#120126, PR #120255",
	},
	{
		Name: "watchTimeout5Minutes", Component: Kubelet, Until: Release{30},
		Summary:   "Watch: each reflector's WATCH lasts U[5, 10) min (client-go's default MinWatchTimeout); from 1.31 the kubelet raises it to 30 min, U[30, 60) min",
		Reference: "pkg/kubelet/util/manager/watch_based_manager.go NewReflectorWithOptions MinWatchTimeout (v1.30.0 vs v1.31.0); PR #124245",
	},
	{
		Name: "kubeAPIQPS5", Component: Kubelet, Until: Release{26},
		Summary:   "kubeAPIQPS and kubeAPIBurst default to 5 and 10; from 1.27, 50 and 100",
		Reference: "pkg/kubelet/apis/config/v1beta1/defaults.go SetDefaults_KubeletConfiguration (v1.26.0 vs v1.27.0)",
	},
	{
		Name: "watchListClient", Component: Kubelet, From: Release{35},
		Summary:   "Watch: a reflector's initial sync and every relist is one WATCH with sendInitialEvents=true, which stays open, instead of a LIST and then a WATCH (client feature WatchListClient, on by default from 1.35)",
		Reference: "client-go features/known_features.go WatchListClient; tools/cache/reflector.go watchList; kubelet watch_based_manager.go ToListWatcherWithWatchListSemantics",
	},
	{
		Name: "unreadyWatchCache429", Component: APIServer, From: Release{31},
		Summary:   "a replica whose watch cache is initialising answers WATCH and LIST with 429 and Retry-After (ResilientWatchCacheInitialization); before 1.31 those requests wait, holding their seat, until the cache is ready",
		Reference: "k8s.io/apiserver pkg/features/kube_features.go ResilientWatchCacheInitialization (absent in v0.30.0, Beta on in v0.31.0); storage/cacher/cacher.go ready.wait",
	},
}

// Applies reports whether the row holds at release r.
func (b VersionedBehaviour) Applies(r Release) bool {
	return (b.From.Minor == 0 || r.Minor >= b.From.Minor) && (b.Until.Minor == 0 || r.Minor <= b.Until.Minor)
}

// Releases returns the row's release range as text, e.g. "≤ 1.28".
func (b VersionedBehaviour) Releases() string {
	switch {
	case b.From.Minor == 0:
		return "≤ " + b.Until.String()
	case b.Until.Minor == 0:
		return "≥ " + b.From.String()
	}
	return b.From.String() + "–" + b.Until.String()
}

// behaviourSet is the version table resolved for one run.
type behaviourSet struct {
	addReferenceEverySync bool
	minWatchTimeout       time.Duration
	watchList             bool
	unreadyRejects        bool
}

func holds(name string, kubelet, apiserver Release) bool {
	for _, b := range Behaviours {
		if b.Name != name {
			continue
		}
		r := kubelet
		if b.Component == APIServer {
			r = apiserver
		}
		return b.Applies(r)
	}
	panic("model: no version-table row " + name)
}

// resolveBehaviours resolves the version table for a kubelet and an
// apiserver release.
func resolveBehaviours(kubelet, apiserver Release) behaviourSet {
	s := behaviourSet{
		addReferenceEverySync: holds("cacheAddReferenceOnEverySync", kubelet, apiserver),
		minWatchTimeout:       30 * time.Minute,
		watchList:             holds("watchListClient", kubelet, apiserver),
		unreadyRejects:        holds("unreadyWatchCache429", kubelet, apiserver),
	}
	if holds("watchTimeout5Minutes", kubelet, apiserver) {
		s.minWatchTimeout = 5 * time.Minute
	}
	return s
}

// DefaultKubeAPIQPS returns the KubeletConfiguration's default kubeAPIQPS
// and kubeAPIBurst at release r.
func DefaultKubeAPIQPS(r Release) (qps float64, burst int) {
	if holds("kubeAPIQPS5", r, r) {
		return 5, 10
	}
	return 50, 100
}

// CheckSkew refuses a kubelet newer than its apiserver, or more than the
// version-skew policy's minors older (three from 1.28, two before).
func CheckSkew(kubelet, apiserver Release) error {
	if kubelet.Minor > apiserver.Minor {
		return fmt.Errorf("kubelet %s is newer than apiserver %s; the version-skew policy allows kubelets only as new as the apiserver", kubelet, apiserver)
	}
	most := 3
	if apiserver.Minor < 28 {
		most = 2
	}
	if apiserver.Minor-kubelet.Minor > most {
		return fmt.Errorf("kubelet %s is more than %d minor releases older than apiserver %s, which the version-skew policy does not support", kubelet, most, apiserver)
	}
	return nil
}

func (c *Config) kubeletRelease() Release {
	if c.KubeletRelease.Minor == 0 {
		return NewestRelease
	}
	return c.KubeletRelease
}

func (c *Config) apiserverRelease() Release {
	if c.APIServerRelease.Minor == 0 {
		return c.kubeletRelease()
	}
	return c.APIServerRelease
}

// registerEverySync reports whether each sync's RegisterPod drops the
// Cache items of the pod's objects (AddReference on every sync, ≤ 1.28).
// Only the Cache strategy's AddReference has an effect that repeats: the
// Watch manager's only counts references, and Get's does nothing.
func (c *Cluster) registerEverySync() bool {
	return c.behaviours.addReferenceEverySync && c.cfg.Strategy == Cache
}
