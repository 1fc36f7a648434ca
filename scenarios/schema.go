package scenarios

// Allowed keys of every mapping, in documented order. The decoder, the --set
// path resolver and ResolvedYAML all use these lists.
var (
	keysScenario  = []string{"apiVersion", "kind", "name", "description", "seed", "duration", "cluster", "objects", "workloads", "updates", "restarts", "output", "replications", "sweep", "zip"}
	keysCluster   = []string{"nodes", "start", "kubeAPIAccess", "kubelet", "apiserver"}
	keysKubelet   = []string{"syncFrequency", "changeDetectionStrategy", "cacheTTL"}
	keysAPIServer = []string{"getLatency", "watchDelay"}
	keysDist      = []string{"distribution", "value", "min", "max", "mean", "median", "sigma"}
	keysObject    = []string{"kind", "namespace", "name", "count", "sizeBytes", "immutable", "immutableFraction"}
	keysWorkload  = []string{"name", "namespace", "replicas", "podsPerNode", "mounts"}
	keysMount     = []string{"object", "select", "as", "items"}
	keysUpdate    = []string{"object", "at", "every", "start", "poissonPerMinute"}
	keysRestart   = []string{"workload", "at", "every", "start", "spread"}
	keysOutput    = []string{"bucket"}

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
	return mapShape(keysScenario, map[string]*shape{
		"cluster": mapShape(keysCluster, map[string]*shape{
			"kubelet":   mapShape(keysKubelet, nil),
			"apiserver": mapShape(keysAPIServer, map[string]*shape{"getLatency": dist, "watchDelay": dist}),
		}),
		"objects": listOf(mapShape(keysObject, nil)),
		"workloads": listOf(mapShape(keysWorkload, map[string]*shape{
			"mounts": listOf(mapShape(keysMount, map[string]*shape{"items": listOf(leaf())})),
		})),
		"updates":  listOf(mapShape(keysUpdate, map[string]*shape{"at": listOf(leaf())})),
		"restarts": listOf(mapShape(keysRestart, map[string]*shape{"at": listOf(leaf())})),
		"output":   mapShape(keysOutput, nil),
		"sweep":    {kind: shapeFree},
	})
}()
