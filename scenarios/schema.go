package scenarios

// Allowed keys of every mapping, in documented order. The decoder, the --set
// path resolver and ResolvedYAML all use these lists.
var (
	keysScenario    = []string{"apiVersion", "kind", "name", "description", "seed", "duration", "cluster", "objects", "workloads", "updates", "restarts", "faults", "output", "replications", "sweep", "zip"}
	keysCluster     = []string{"nodes", "start", "kubeAPIAccess", "imagePullSecret", "kubelet", "apiserver"}
	keysKubelet     = []string{"version", "syncFrequency", "changeDetectionStrategy", "cacheTTL", "kubeAPIQPS", "kubeAPIBurst"}
	keysAPIServer   = []string{"version", "replicas", "goawayChance", "watchCacheInit", "watchCacheHistory", "getLatency", "watchDelay", "capacity"}
	keysCapacity    = []string{"seats", "queues", "handSize", "queueLengthLimit", "queueWaitLimit", "serviceTime", "background"}
	keysServiceTime = []string{"getEtcd", "getCache", "list", "watch", "create"}
	keysBackground  = []string{"perSecond", "flows", "seats", "serviceTime"}
	keysDist        = []string{"distribution", "value", "min", "max", "mean", "median", "sigma"}
	keysObject      = []string{"kind", "namespace", "name", "count", "sizeBytes", "immutable", "immutableFraction"}
	keysWorkload    = []string{"name", "namespace", "replicas", "podsPerNode", "job", "automountServiceAccountToken", "imagePullSecrets", "terminationGracePeriod", "mounts"}
	keysJob         = []string{"at", "every", "start", "poissonPerMinute", "parallelism", "runFor"}
	keysMount       = []string{"object", "select", "as", "items"}
	keysUpdate      = []string{"object", "at", "every", "start", "poissonPerMinute"}
	keysRestart     = []string{"workload", "at", "every", "start", "spread"}
	keysFault       = []string{"kind", "at", "every", "start", "poissonPerHour", "replica", "nodes", "spread", "downtime"}
	keysOutput      = []string{"bucket"}

	// faultKeys are the keys each fault kind allows, in keysFault order.
	faultKeys = map[string][]string{
		FaultAPIServerRestart: {"kind", "at", "every", "start", "poissonPerHour", "replica", "downtime"},
		FaultKubeletRestart:   {"kind", "at", "every", "start", "poissonPerHour", "nodes", "spread", "downtime"},
		FaultNodeJoin:         {"kind", "at", "every", "start", "poissonPerHour", "nodes", "spread"},
		FaultNodeLeave:        {"kind", "at", "every", "start", "poissonPerHour", "nodes", "spread"},
	}

	distParams = map[string][]string{
		DistConstant:    {"value"},
		DistUniform:     {"min", "max"},
		DistExponential: {"mean"},
		DistLognormal:   {"median", "sigma"},
	}
	distKinds  = []string{DistConstant, DistUniform, DistExponential, DistLognormal}
	strategies = []string{StrategyGet, StrategyCache, StrategyWatch}
	starts     = []string{StartWarm, StartCold}
	objKinds   = []string{KindConfigMap, KindSecret}
	selects    = []string{SelectAll, SelectRandomOne, SelectByIndex}
	mountAs    = []string{AsVolume, AsProjected, AsSubPath, AsEnv, AsEnvFrom}
	faultKinds = []string{FaultAPIServerRestart, FaultKubeletRestart, FaultNodeJoin, FaultNodeLeave}
)

// shapeKind says what a schema location holds.
type shapeKind int

const (
	shapeLeaf shapeKind = iota // a scalar or any value decoded as a whole
	shapeMap                   // a mapping with fixed keys
	shapeList                  // a list
	shapeFree                  // a mapping with arbitrary keys (sweep)
)

// shape describes one location of the scenario schema, for --set paths.
type shape struct {
	kind   shapeKind
	keys   []string
	fields map[string]*shape
	elem   *shape
}

func leaf() *shape { return &shape{kind: shapeLeaf} }

func mapShape(keys []string, sub map[string]*shape) *shape {
	f := make(map[string]*shape, len(keys))
	for _, k := range keys {
		if s, ok := sub[k]; ok {
			f[k] = s
		} else {
			f[k] = leaf()
		}
	}
	return &shape{kind: shapeMap, keys: keys, fields: f}
}

func listOf(e *shape) *shape { return &shape{kind: shapeList, elem: e} }

var schemaRoot = func() *shape {
	dist := mapShape(keysDist, nil)
	at := map[string]*shape{"at": listOf(leaf())}
	services := map[string]*shape{}
	for _, k := range keysServiceTime {
		services[k] = dist
	}
	capacity := mapShape(keysCapacity, map[string]*shape{
		"serviceTime": mapShape(keysServiceTime, services),
		"background":  mapShape(keysBackground, map[string]*shape{"serviceTime": dist}),
	})
	return mapShape(keysScenario, map[string]*shape{
		"cluster": mapShape(keysCluster, map[string]*shape{
			"kubelet":   mapShape(keysKubelet, nil),
			"apiserver": mapShape(keysAPIServer, map[string]*shape{"getLatency": dist, "watchDelay": dist, "capacity": capacity}),
		}),
		"objects": listOf(mapShape(keysObject, nil)),
		"workloads": listOf(mapShape(keysWorkload, map[string]*shape{
			"job":              mapShape(keysJob, at),
			"imagePullSecrets": listOf(leaf()),
			"mounts":           listOf(mapShape(keysMount, map[string]*shape{"items": listOf(leaf())})),
		})),
		"updates":  listOf(mapShape(keysUpdate, at)),
		"restarts": listOf(mapShape(keysRestart, at)),
		"faults":   listOf(mapShape(keysFault, at)),
		"output":   mapShape(keysOutput, nil),
		"sweep":    {kind: shapeFree},
	})
}()
