package scenarios

import (
	"fmt"

	"cmsim/model"
)

// KubeRootCABytes is the size of a kube-root-ca.crt ConfigMap: one CA
// certificate, PEM-encoded, with the object's metadata.
const KubeRootCABytes = 1400

// ModelConfig converts a loaded scenario into the model's configuration, with
// the given seed. This is the one place scenarios and model meet: group
// members are expanded to objects, names to indexes.
func (s *Scenario) ModelConfig(seed uint64) (*model.Config, error) {
	strategy, err := model.ParseStrategy(s.Cluster.Kubelet.ChangeDetectionStrategy)
	if err != nil {
		return nil, err
	}
	cfg := &model.Config{
		Seed:          seed,
		Duration:      s.Duration,
		Nodes:         s.Cluster.Nodes,
		ColdStart:     s.Cluster.Start == StartCold,
		SyncFrequency: s.Cluster.Kubelet.SyncFrequency,
		Strategy:      strategy,
		GetLatency:    modelDist(s.Cluster.APIServer.GetLatency),
		WatchDelay:    modelDist(s.Cluster.APIServer.WatchDelay),
		Bucket:        s.Output.Bucket,

		Replicas:          s.Cluster.APIServer.Replicas,
		GoawayChance:      s.Cluster.APIServer.GoawayChance,
		WatchCacheInit:    s.Cluster.APIServer.WatchCacheInit,
		WatchCacheHistory: s.Cluster.APIServer.WatchCacheHistory,

		KubeAPIQPS:   s.Cluster.Kubelet.KubeAPIQPS,
		KubeAPIBurst: s.Cluster.Kubelet.KubeAPIBurst,
	}
	if cfg.KubeletRelease, err = model.ParseRelease(s.Cluster.Kubelet.Version); err != nil {
		return nil, err
	}
	if cfg.APIServerRelease, err = model.ParseRelease(s.Cluster.APIServerVersion()); err != nil {
		return nil, err
	}
	if k := s.Cluster.APIServer.Capacity; k != nil {
		st := k.ServiceTime
		cfg.Capacity = &model.Capacity{
			Seats:            k.Seats,
			Queues:           k.Queues,
			HandSize:         k.HandSize,
			QueueLengthLimit: k.QueueLengthLimit,
			QueueWaitLimit:   k.QueueWaitLimit,
			ServiceGetEtcd:   modelDist(st.GetEtcd),
			ServiceGetCache:  modelDist(st.GetCache),
			ServiceList:      modelDist(st.List),
			ServiceWatch:     modelDist(st.Watch),
			ServiceCreate:    modelDist(st.Create),
		}
		if b := k.Background; b != nil {
			cfg.Capacity.BackgroundPerSecond = b.PerSecond
			cfg.Capacity.BackgroundFlows = b.Flows
			cfg.Capacity.BackgroundSeats = b.Seats
			cfg.Capacity.BackgroundService = modelDist(b.ServiceTime)
		}
	}
	switch s.Cluster.Kubelet.CacheTTL.Mode {
	case TTLAuto:
		cfg.CacheTTLMode = model.TTLAuto
	case TTLAbsent:
		cfg.CacheTTLMode = model.TTLAbsent
	case TTLFixed:
		cfg.CacheTTLMode, cfg.CacheTTL = model.TTLFixed, s.Cluster.Kubelet.CacheTTL.TTL
	default:
		return nil, fmt.Errorf("cacheTTL mode %q", s.Cluster.Kubelet.CacheTTL.Mode)
	}
	members := map[string][]int{} // object entry name -> object indexes
	for _, o := range s.Objects {
		kind := model.ConfigMap
		if o.Kind == KindSecret {
			kind = model.Secret
		}
		immutable := o.ImmutableCount()
		idx := make([]int, o.Count)
		for i := 0; i < o.Count; i++ {
			idx[i] = len(cfg.Objects)
			cfg.Objects = append(cfg.Objects, model.Object{
				Kind: kind, Namespace: o.Namespace, Name: o.MemberName(i),
				SizeBytes: o.SizeBytes, Immutable: i < immutable, Group: int32(len(cfg.ObjectGroups)),
			})
		}
		members[o.Name] = idx
		cfg.ObjectGroups = append(cfg.ObjectGroups, o.Name)
	}
	// Implicit objects, one per namespace whose pods reference it:
	// kube-root-ca.crt, read through the kube-api-access projected volume,
	// and the default ServiceAccount's pull secret.
	implicit := func(kind model.ObjectKind, name string, size int, uses func(Workload) bool) map[string]int {
		idx := map[string]int{}
		group := int32(len(cfg.ObjectGroups))
		for _, w := range s.Workloads {
			if _, ok := idx[w.Namespace]; !ok && uses(w) {
				idx[w.Namespace] = len(cfg.Objects)
				cfg.Objects = append(cfg.Objects, model.Object{Kind: kind, Namespace: w.Namespace, Name: name, SizeBytes: size, Group: group})
			}
		}
		if len(idx) > 0 {
			cfg.ObjectGroups = append(cfg.ObjectGroups, name)
		}
		return idx
	}
	rootCA := implicit(model.ConfigMap, "kube-root-ca.crt", KubeRootCABytes, func(w Workload) bool {
		return s.Cluster.KubeAPIAccess && w.AutomountServiceAccountToken
	})
	pullSecret := implicit(model.Secret, DefaultPullSecret, DefaultPullSecretBytes, func(w Workload) bool {
		return s.Cluster.ImagePullSecret && w.ImagePullSecrets == nil
	})
	for _, w := range s.Workloads {
		mw := model.Workload{
			Name: w.Name, Namespace: w.Namespace, Replicas: w.Replicas, PodsPerNode: w.PodsPerNode,
			GracePeriod: w.TerminationGracePeriod,
		}
		if j := w.Job; j != nil {
			mw.Job = &model.Job{
				Arrivals:    model.Arrivals{At: j.At, Every: j.Every, Start: j.Start, PoissonPerHour: 60 * j.PoissonPerMinute},
				Parallelism: j.Parallelism,
				RunFor:      j.RunFor,
			}
		}
		for _, m := range w.Mounts {
			as, err := model.ParseConsumerKind(m.As)
			if err != nil {
				return nil, err
			}
			mm := model.Mount{Objects: members[m.Object], As: as, Name: m.Object}
			switch m.Select {
			case SelectAll:
				mm.Select = model.SelectAll
			case SelectRandomOne:
				mm.Select = model.SelectRandom
			case SelectByIndex:
				mm.Select = model.SelectByIndex
			}
			mw.Mounts = append(mw.Mounts, mm)
		}
		for _, name := range w.ImagePullSecrets {
			mw.Mounts = append(mw.Mounts, model.Mount{Objects: members[name], Select: model.SelectAll, As: model.PullSecret, Name: name})
		}
		if o, ok := pullSecret[w.Namespace]; ok && w.ImagePullSecrets == nil {
			mw.Mounts = append(mw.Mounts, model.Mount{Objects: []int{o}, Select: model.SelectAll, As: model.PullSecret, Name: DefaultPullSecret})
		}
		if o, ok := rootCA[w.Namespace]; ok && w.AutomountServiceAccountToken {
			mw.Mounts = append(mw.Mounts, model.Mount{Objects: []int{o}, As: model.Projected, Name: "kube-api-access", Token: true})
			mw.TokenRequests = true
		}
		cfg.Workloads = append(cfg.Workloads, mw)
	}
	for _, u := range s.Updates {
		cfg.Updates = append(cfg.Updates, model.UpdateRule{
			Targets: members[u.Object], At: u.At, Every: u.Every,
			Start: u.Start, PoissonPerMinute: u.PoissonPerMinute,
		})
	}
	for _, r := range s.Restarts {
		wi := -1
		for i, w := range s.Workloads {
			if w.Name == r.Workload {
				wi = i
			}
		}
		cfg.Restarts = append(cfg.Restarts, model.RestartRule{
			Workload: wi, At: r.At, Every: r.Every, Start: r.Start, Spread: r.Spread,
		})
	}
	for _, f := range s.Faults {
		kind, ok := faultKind[f.Kind]
		if !ok {
			return nil, fmt.Errorf("unknown fault kind %q", f.Kind)
		}
		cfg.Faults = append(cfg.Faults, model.FaultRule{
			Kind:     kind,
			Arrivals: model.Arrivals{At: f.At, Every: f.Every, Start: f.Start, PoissonPerHour: f.PoissonPerHour},
			Replica:  f.Replica,
			Downtime: f.Downtime,
			Nodes:    model.Count{N: f.Nodes.N, Fraction: f.Nodes.Percent / 100},
			Spread:   f.Spread,
		})
	}
	return cfg, cfg.Validate()
}

var faultKind = map[string]model.FaultKind{
	FaultAPIServerRestart: model.APIServerRestart,
	FaultKubeletRestart:   model.KubeletRestart,
	FaultNodeJoin:         model.NodeJoin,
	FaultNodeLeave:        model.NodeLeave,
}

func modelDist(d Dist) model.Dist {
	switch d.Kind {
	case DistConstant:
		return model.Dist{Kind: model.Constant, A: d.Value.Seconds()}
	case DistUniform:
		return model.Dist{Kind: model.Uniform, A: d.Min.Seconds(), B: d.Max.Seconds()}
	case DistLognormal:
		return model.Dist{Kind: model.Lognormal, A: d.Median.Seconds(), B: d.Sigma}
	}
	return model.Dist{Kind: model.Exponential, A: d.Mean.Seconds()}
}
