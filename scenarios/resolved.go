package scenarios

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// FormatDuration formats d canonically, as scenario files are written:
// whole seconds as 1h30m, 10s, 0s; anything finer as Go does (5ms, 1.5s).
func FormatDuration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	if d%time.Second != 0 || d < 0 {
		return d.String()
	}
	var b strings.Builder
	if h := d / time.Hour; h > 0 {
		b.WriteString(strconv.FormatInt(int64(h), 10) + "h")
	}
	if m := d % time.Hour / time.Minute; m > 0 {
		b.WriteString(strconv.FormatInt(int64(m), 10) + "m")
	}
	if s := d % time.Minute / time.Second; s > 0 {
		b.WriteString(strconv.FormatInt(int64(s), 10) + "s")
	}
	return b.String()
}

func str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }
func integer(i int64) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(i, 10)}
}
func boolean(b bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(b)}
}
func float(f float64) *yaml.Node {
	v := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(v, ".eE") {
		v += ".0"
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: v}
}
func dur(d time.Duration) *yaml.Node { return str(FormatDuration(d)) }

// mapNode builds a mapping from alternating key, value arguments.
func mapNode(flow bool, kvs ...any) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	if flow {
		m.Style = yaml.FlowStyle
	}
	for i := 0; i+1 < len(kvs); i += 2 {
		m.Content = append(m.Content, str(kvs[i].(string)), kvs[i+1].(*yaml.Node))
	}
	return m
}

func seqNode(flow bool, items ...*yaml.Node) *yaml.Node {
	s := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: items}
	if flow {
		s.Style = yaml.FlowStyle
	}
	return s
}

func distNode(d Dist) *yaml.Node {
	m := mapNode(true, "distribution", str(d.Kind))
	add := func(k string, v *yaml.Node) { m.Content = append(m.Content, str(k), v) }
	switch d.Kind {
	case DistConstant:
		add("value", dur(d.Value))
	case DistUniform:
		add("min", dur(d.Min))
		add("max", dur(d.Max))
	case DistExponential:
		add("mean", dur(d.Mean))
	case DistLognormal:
		add("median", dur(d.Median))
		add("sigma", float(d.Sigma))
	}
	return m
}

// capacityNode writes every key of a capacity block; background only when
// the scenario has one, since its absence means none.
func capacityNode(k *Capacity) *yaml.Node {
	st := mapNode(false)
	for i, d := range k.ServiceTime.dists() {
		st.Content = append(st.Content, str(keysServiceTime[i]), distNode(*d))
	}
	m := mapNode(false,
		"seats", integer(int64(k.Seats)),
		"queues", integer(int64(k.Queues)),
		"handSize", integer(int64(k.HandSize)),
		"queueLengthLimit", integer(int64(k.QueueLengthLimit)),
		"queueWaitLimit", dur(k.QueueWaitLimit),
		"serviceTime", st)
	if b := k.Background; b != nil {
		m.Content = append(m.Content, str("background"), mapNode(false,
			"perSecond", float(b.PerSecond),
			"flows", integer(int64(b.Flows)),
			"seats", integer(int64(b.Seats)),
			"serviceTime", distNode(b.ServiceTime)))
	}
	return m
}

func ttlNode(c CacheTTL) *yaml.Node {
	if c.Mode == TTLFixed {
		return dur(c.TTL)
	}
	return str(c.Mode)
}

// addArrivals writes a rule's arrival keys: at, or every or its Poisson
// rate, each followed by start.
func addArrivals(m *yaml.Node, a arrivalFields) {
	add := func(k string, v *yaml.Node) { m.Content = append(m.Content, str(k), v) }
	switch {
	case len(*a.at) > 0:
		at := seqNode(true)
		for _, t := range *a.at {
			at.Content = append(at.Content, dur(t))
		}
		add("at", at)
		return
	case *a.every > 0 || a.rate == nil:
		add("every", dur(*a.every))
	default:
		add(a.rateKey, float(*a.rate))
	}
	add("start", dur(*a.start))
}

func nodeCountNode(c NodeCount) *yaml.Node {
	if c.Percent > 0 {
		return str(strconv.FormatFloat(c.Percent, 'g', -1, 64) + "%")
	}
	return integer(int64(c.N))
}

// ResolvedYAML returns the scenario with every default filled in, as
// canonical YAML: keys in the documented order, durations normalised
// (1h, 90s -> 1m30s), deterministic. Loading it gives an equal Scenario.
func (s *Scenario) ResolvedYAML() []byte {
	top := mapNode(false,
		"apiVersion", str(s.APIVersion),
		"kind", str(s.Kind),
		"name", str(s.Name))
	add := func(m *yaml.Node, k string, v *yaml.Node) { m.Content = append(m.Content, str(k), v) }
	if s.Description != "" {
		add(top, "description", str(s.Description))
	}
	add(top, "seed", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatUint(s.Seed, 10)})
	add(top, "duration", dur(s.Duration))
	c := s.Cluster
	cluster := mapNode(false,
		"nodes", integer(int64(c.Nodes)),
		"start", str(c.Start),
		"kubeAPIAccess", boolean(c.KubeAPIAccess),
		"imagePullSecret", boolean(c.ImagePullSecret))
	add(top, "cluster", cluster)
	kubelet := mapNode(false,
		"version", str(c.Kubelet.Version),
		"syncFrequency", dur(c.Kubelet.SyncFrequency),
		"changeDetectionStrategy", str(c.Kubelet.ChangeDetectionStrategy),
		"cacheTTL", ttlNode(c.Kubelet.CacheTTL))
	// The release's defaults are left to follow the version, also across a
	// sweep of it.
	var defaulted []string
	if k := c.Kubelet; k.qpsDefault {
		defaulted = append(defaulted, "kubeAPIQPS: "+strconv.FormatFloat(k.KubeAPIQPS, 'g', -1, 64))
	} else {
		add(kubelet, "kubeAPIQPS", float(k.KubeAPIQPS))
	}
	if k := c.Kubelet; k.burstDefault {
		defaulted = append(defaulted, "kubeAPIBurst: "+strconv.Itoa(k.KubeAPIBurst))
	} else {
		add(kubelet, "kubeAPIBurst", integer(int64(k.KubeAPIBurst)))
	}
	if len(defaulted) > 0 {
		kubelet.Content[1].LineComment = "defaults: " + strings.Join(defaulted, ", ")
	}
	add(cluster, "kubelet", kubelet)
	apiserver := mapNode(false,
		"replicas", integer(int64(c.APIServer.Replicas)),
		"goawayChance", float(c.APIServer.GoawayChance),
		"watchCacheInit", dur(c.APIServer.WatchCacheInit),
		"watchCacheHistory", dur(c.APIServer.WatchCacheHistory),
		"getLatency", distNode(c.APIServer.GetLatency),
		"watchDelay", distNode(c.APIServer.WatchDelay))
	if c.APIServer.Version != "" {
		apiserver.Content = append([]*yaml.Node{str("version"), str(c.APIServer.Version)}, apiserver.Content...)
	} else {
		// Absent, it follows the kubelet's, also across a sweep of it.
		apiserver.Content[0].HeadComment = "version: the kubelet's (" + c.Kubelet.Version + ")"
	}
	if k := c.APIServer.Capacity; k != nil { // absent means unlimited
		add(apiserver, "capacity", capacityNode(k))
	}
	add(cluster, "apiserver", apiserver)
	objs := seqNode(false)
	for _, o := range s.Objects {
		m := mapNode(true,
			"kind", str(o.Kind),
			"namespace", str(o.Namespace),
			"name", str(o.Name),
			"count", integer(int64(o.Count)),
			"sizeBytes", integer(int64(o.SizeBytes)),
			"immutable", boolean(o.Immutable))
		if !o.Immutable {
			add(m, "immutableFraction", float(o.ImmutableFraction))
		}
		objs.Content = append(objs.Content, m)
	}
	add(top, "objects", objs)
	wls := seqNode(false)
	for _, w := range s.Workloads {
		m := mapNode(false, "name", str(w.Name), "namespace", str(w.Namespace))
		switch {
		case w.PodsPerNode > 0:
			add(m, "podsPerNode", integer(int64(w.PodsPerNode)))
		case w.Job != nil:
			job := mapNode(true)
			addArrivals(job, w.Job.arrivals())
			add(job, "parallelism", integer(int64(w.Job.Parallelism)))
			add(job, "runFor", dur(w.Job.RunFor))
			add(m, "job", job)
		default:
			add(m, "replicas", integer(int64(w.Replicas)))
		}
		add(m, "automountServiceAccountToken", boolean(w.AutomountServiceAccountToken))
		if w.ImagePullSecrets != nil { // absent means the namespace's default
			names := seqNode(true)
			for _, n := range w.ImagePullSecrets {
				names.Content = append(names.Content, str(n))
			}
			add(m, "imagePullSecrets", names)
		}
		add(m, "terminationGracePeriod", dur(w.TerminationGracePeriod))
		mounts := seqNode(false)
		for _, mt := range w.Mounts {
			mm := mapNode(true, "object", str(mt.Object), "select", str(mt.Select), "as", str(mt.As))
			if len(mt.Items) > 0 {
				items := seqNode(true)
				for _, it := range mt.Items {
					items.Content = append(items.Content, str(it))
				}
				add(mm, "items", items)
			}
			mounts.Content = append(mounts.Content, mm)
		}
		add(m, "mounts", mounts)
		wls.Content = append(wls.Content, m)
	}
	add(top, "workloads", wls)
	ups := seqNode(false)
	for i := range s.Updates {
		m := mapNode(true, "object", str(s.Updates[i].Object))
		addArrivals(m, s.Updates[i].arrivals())
		ups.Content = append(ups.Content, m)
	}
	if len(ups.Content) == 0 {
		ups.Style = yaml.FlowStyle
	}
	add(top, "updates", ups)
	if len(s.Restarts) > 0 {
		rs := seqNode(false)
		for i := range s.Restarts {
			m := mapNode(true, "workload", str(s.Restarts[i].Workload))
			addArrivals(m, s.Restarts[i].arrivals())
			add(m, "spread", dur(s.Restarts[i].Spread))
			rs.Content = append(rs.Content, m)
		}
		add(top, "restarts", rs)
	}
	if len(s.Faults) > 0 {
		fs := seqNode(false)
		for i := range s.Faults {
			f := &s.Faults[i]
			m := mapNode(true, "kind", str(f.Kind))
			addArrivals(m, f.arrivals())
			for _, k := range faultKeys[f.Kind] {
				switch k {
				case "replica":
					if f.Replica == ReplicaAll {
						add(m, k, str("all"))
					} else {
						add(m, k, integer(int64(f.Replica)))
					}
				case "nodes":
					add(m, k, nodeCountNode(f.Nodes))
				case "spread":
					add(m, k, dur(f.Spread))
				case "downtime":
					add(m, k, dur(f.Downtime))
				}
			}
			fs.Content = append(fs.Content, m)
		}
		add(top, "faults", fs)
	}
	add(top, "output", mapNode(false, "bucket", dur(s.Output.Bucket)))
	add(top, "replications", integer(int64(s.Replications)))
	if len(s.Sweep) > 0 {
		sw := mapNode(false)
		for _, a := range s.Sweep {
			vals := seqNode(true)
			for i, v := range a.Values {
				tag := "!!str"
				if i < len(a.tags) {
					tag = a.tags[i]
				}
				vals.Content = append(vals.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: v})
			}
			add(sw, a.Path, vals)
		}
		add(top, "sweep", sw)
	}
	add(top, "zip", boolean(s.Zip))

	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	_ = enc.Encode(top) // encoding a tree of plain scalars, maps and lists cannot fail
	_ = enc.Close()
	return buf.Bytes()
}
