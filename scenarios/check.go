package scenarios

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// check runs the cross-field validations after a successful decode.
func (d *decoder) check(s *Scenario) {
	// mounts: [] is a workload whose pods reference only kube-api-access
	// or pull secrets (what an import of a plain Deployment gives).
	for i, w := range s.Workloads {
		if len(w.Mounts) == 0 && s.implicitRefs(w) == 0 && len(w.ImagePullSecrets) == 0 {
			d.errPath(join(index("workloads", i), "mounts"), "must list at least one mount; an empty list needs other references (kube-api-access, or pull secrets)")
			return
		}
	}
	// Object names: unique among all entries, and no single object may
	// collide with a member of a group of the same kind and namespace.
	byName := make(map[string]int, len(s.Objects))
	for i, o := range s.Objects {
		p := index("objects", i)
		if j, dup := byName[o.Name]; dup {
			d.errPath(join(p, "name"), "duplicate object name %q; objects[%d] has the same name", o.Name, j)
			return
		}
		byName[o.Name] = i
	}
	for i, o := range s.Objects {
		if o.Count != 1 {
			continue
		}
		cut := strings.LastIndexByte(o.Name, '-')
		if cut <= 0 {
			continue
		}
		j, ok := byName[o.Name[:cut]]
		if !ok {
			continue
		}
		g := s.Objects[j]
		n, err := strconv.Atoi(o.Name[cut+1:])
		if g.Count > 1 && err == nil && n < g.Count && strconv.Itoa(n) == o.Name[cut+1:] && g.Kind == o.Kind && g.Namespace == o.Namespace {
			d.errPath(join(index("objects", i), "name"), "%q is also the name of a member of the group objects[%d] (%s-0 .. %s-%d)", o.Name, j, g.Name, g.Name, g.Count-1)
			return
		}
	}
	if s.Cluster.ImagePullSecret {
		for i, o := range s.Objects {
			if o.Name == DefaultPullSecret && o.Kind == KindSecret && o.Count == 1 {
				d.errPath(join(index("objects", i), "name"), "%q is the name of the implicit pull secret of cluster.imagePullSecret: true; use another name or set cluster.imagePullSecret: false", o.Name)
				return
			}
		}
	}
	objectList := func() string {
		names := make([]string, len(s.Objects))
		for i, o := range s.Objects {
			names[i] = o.Name
		}
		return strings.Join(names, ", ")
	}

	// Totals that bound memory: a run holds per-pod and per-reference state.
	objects := 0
	for _, o := range s.Objects {
		objects += o.Count
	}
	if objects > ObjectsMax {
		d.errPath("objects", "%d objects in all (the sum of count); at most %d allowed", objects, ObjectsMax)
		return
	}
	var pods, sources int64
	refs := make(map[string]float64, len(s.Objects)) // (pod, object) references per object entry
	for i, w := range s.Workloads {
		p := index("workloads", i)
		key := "replicas"
		switch {
		case w.PodsPerNode > 0:
			key = "podsPerNode"
		case w.Job != nil:
			key = "job"
			if math.IsInf(w.Job.PoissonPerMinute*60, 0) {
				d.errPath(join(p, "job.poissonPerMinute"), "%g is too large", w.Job.PoissonPerMinute)
				return
			}
		}
		expected := s.workloadPods(w)
		if float64(pods)+expected > PodsMax {
			if w.Job != nil {
				d.errPath(join(p, key), "about %.0f job pods over the run (arrivals × parallelism) would bring the cluster to %.0f pods or more; at most %d allowed", expected, float64(pods)+expected, PodsMax)
			} else {
				d.errPath(join(p, key), "the cluster would have %.0f pods or more; at most %d allowed", float64(pods)+expected, PodsMax)
			}
			return
		}
		n := int64(expected)
		pods += n
		// A job's pods are alive for runFor each: on average that many
		// consume each update.
		alive := float64(n)
		if w.Job != nil {
			alive *= min(1, w.Job.RunFor.Seconds()/s.Duration.Seconds())
		}
		for k, m := range w.Mounts {
			members := int64(1)
			if j, ok := byName[m.Object]; ok && (m.Select == "" || m.Select == SelectAll) {
				members = int64(s.Objects[j].Count)
			}
			refs[m.Object] += alive * float64(members)
			if sources += n * members; sources > SourcesMax {
				d.errPath(join(index(join(p, "mounts"), k), "select"), "%d pods reading %d objects each would make %d (pod, object) references or more; at most %d allowed (select: random-one or by-index reads one member)", n, members, sources, SourcesMax)
				return
			}
		}
		// Pull secrets observe nothing, so they add references but no
		// latency samples.
		for k, name := range w.ImagePullSecrets {
			members := int64(1)
			if j, ok := byName[name]; ok {
				members = int64(s.Objects[j].Count)
			}
			if sources += n * members; sources > SourcesMax {
				d.errPath(index(join(p, "imagePullSecrets"), k), "%d pods reading %d pull secrets each would make %d (pod, object) references or more; at most %d allowed", n, members, sources, SourcesMax)
				return
			}
		}
		if implicit := int64(s.implicitRefs(w)); implicit > 0 {
			if sources += n * implicit; sources > SourcesMax {
				d.errPath(join(p, key), "%d pods with %d implicit references each (kube-api-access, the default pull secret) would make %d (pod, object) references or more; at most %d allowed", n, implicit, sources, SourcesMax)
				return
			}
		}
	}

	// Every update of an object is one latency sample per consumer of it.
	var pairs float64
	for i := range s.Updates {
		u := &s.Updates[i]
		j, ok := byName[u.Object]
		if !ok {
			break // reported below
		}
		arrivals := u.arrivals().expected(s.Duration)
		if arrivals > UpdatesMax {
			d.errPath(index("updates", i), "about %.0f updates over the run; at most %d allowed", arrivals, UpdatesMax)
			return
		}
		perObject := refs[u.Object] / float64(s.Objects[j].Count)
		if pairs += arrivals * perObject; pairs > PairsMax {
			d.errPath(index("updates", i), "about %.0f updates reaching %.0f consumers each would make %.3g (update, consumer) latency samples or more; at most %d allowed (fewer or rarer updates, or a shorter duration)", arrivals, perObject, pairs, PairsMax)
			return
		}
	}

	seenW := make(map[string]int, len(s.Workloads))
	for i, w := range s.Workloads {
		p := index("workloads", i)
		if j, dup := seenW[w.Name]; dup {
			d.errPath(join(p, "name"), "duplicate workload name %q; workloads[%d] has the same name", w.Name, j)
			return
		}
		seenW[w.Name] = i
		for k, m := range w.Mounts {
			q := join(index(join(p, "mounts"), k), "object")
			j, ok := byName[m.Object]
			if !ok {
				d.errPath(q, "no object named %q; objects are: %s", m.Object, objectList())
				return
			}
			if o := s.Objects[j]; o.Namespace != w.Namespace {
				d.errPath(q, "object %q is in namespace %q but the workload is in namespace %q; pods can only reference objects in their own namespace", m.Object, o.Namespace, w.Namespace)
				return
			}
		}
		for k, name := range w.ImagePullSecrets {
			q := index(join(p, "imagePullSecrets"), k)
			j, ok := byName[name]
			if !ok {
				d.errPath(q, "no object named %q; objects are: %s", name, objectList())
				return
			}
			switch o := s.Objects[j]; {
			case o.Kind != KindSecret:
				d.errPath(q, "imagePullSecrets must name Secret objects; %q is a %s", name, o.Kind)
				return
			case o.Namespace != w.Namespace:
				d.errPath(q, "Secret %q is in namespace %q but the workload is in namespace %q; pods can only reference objects in their own namespace", name, o.Namespace, w.Namespace)
				return
			}
		}
		if w.Job != nil && !d.withinDuration(join(p, "job"), w.Job.At, w.Job.Start, s.Duration) {
			return
		}
	}

	for i, u := range s.Updates {
		p := index("updates", i)
		if _, ok := byName[u.Object]; !ok {
			d.errPath(join(p, "object"), "no object named %q; objects are: %s", u.Object, objectList())
			return
		}
		if !d.withinDuration(p, u.At, u.Start, s.Duration) {
			return
		}
	}

	workloads := func() string {
		names := make([]string, len(s.Workloads))
		for i, w := range s.Workloads {
			names[i] = w.Name
		}
		return strings.Join(names, ", ")
	}
	for i, r := range s.Restarts {
		p := index("restarts", i)
		if _, ok := seenW[r.Workload]; !ok {
			d.errPath(join(p, "workload"), "no workload named %q; workloads are: %s", r.Workload, workloads())
			return
		}
		if !d.withinDuration(p, r.At, r.Start, s.Duration) {
			return
		}
	}

	if !d.checkFaults(s) {
		return
	}

	// Each background request is a few events; bound the run's work.
	if k := s.Cluster.APIServer.Capacity; k != nil && k.Background != nil {
		if n := k.Background.PerSecond * s.Duration.Seconds(); n > BackgroundMax {
			d.errPath("cluster.apiserver.capacity.background.perSecond", "about %.3g background requests over the run (duration %s); at most %d allowed", n, FormatDuration(s.Duration), BackgroundMax)
			return
		}
	}

	if s.Duration/s.Output.Bucket > BucketsMax {
		d.errPath("output.bucket", "%s gives %d buckets over duration %s; at most %d allowed, use a larger bucket", FormatDuration(s.Output.Bucket), s.Duration/s.Output.Bucket, FormatDuration(s.Duration), BucketsMax)
	}
}

// withinDuration checks that an arrival rule's listed times and start fall in
// [0, duration]; path names the rule.
func (d *decoder) withinDuration(path string, at []time.Duration, start, duration time.Duration) bool {
	for k, t := range at {
		if t > duration {
			d.errPath(index(join(path, "at"), k), "%s is after the end of the scenario (duration %s)", FormatDuration(t), FormatDuration(duration))
			return false
		}
	}
	if start > duration {
		d.errPath(join(path, "start"), "%s is after the end of the scenario (duration %s)", FormatDuration(start), FormatDuration(duration))
		return false
	}
	return true
}

// expected returns how many arrivals the rule expects in [start, duration]:
// the listed ones, span/every, or the Poisson rate × span.
func (a arrivalFields) expected(duration time.Duration) float64 {
	span := duration - *a.start
	switch {
	case len(*a.at) > 0:
		return float64(len(*a.at))
	case *a.every > 0:
		return float64(span) / float64(*a.every)
	case a.rate != nil && span > 0:
		return *a.rate * (float64(span) / float64(a.ratePer))
	}
	return 0
}

// workloadPods returns how many pods the workload has over the run: a Job's
// expected arrivals × parallelism.
func (s *Scenario) workloadPods(w Workload) float64 {
	switch {
	case w.PodsPerNode > 0:
		return float64(w.PodsPerNode) * float64(s.Cluster.Nodes)
	case w.Job != nil:
		return w.Job.arrivals().expected(s.Duration) * float64(w.Job.Parallelism)
	}
	return float64(w.Replicas)
}

// ExpectedPods returns how many pods the scenario's workloads create over
// the run: every Deployment and DaemonSet pod at the start (ignoring node
// churn), and each Job's expected arrivals × parallelism.
func (s *Scenario) ExpectedPods() float64 {
	var n float64
	for _, w := range s.Workloads {
		n += s.workloadPods(w)
	}
	return n
}

// implicitRefs returns how many objects each pod of w references without
// listing them: kube-root-ca.crt and the default pull secret.
func (s *Scenario) implicitRefs(w Workload) int {
	n := 0
	if s.Cluster.KubeAPIAccess && w.AutomountServiceAccountToken {
		n++
	}
	if s.Cluster.ImagePullSecret && w.ImagePullSecrets == nil {
		n++
	}
	return n
}

// checkFaults checks the faults' replicas and times, and walks the node
// joins and leaves in time order from cluster.nodes so that churn can
// neither empty the cluster nor grow it past NodesMax. A Poisson fault
// counts its expected number of arrivals (rounded up), evenly spaced over
// (start, duration]; ties keep file order.
func (d *decoder) checkFaults(s *Scenario) bool {
	var total float64
	for i := range s.Faults {
		f := &s.Faults[i]
		p := index("faults", i)
		replicas := s.Cluster.APIServer.Replicas
		if f.Kind == FaultAPIServerRestart && f.Replica != ReplicaAll && (f.Replica < 0 || f.Replica >= replicas) {
			d.errPath(join(p, "replica"), "no replica %d; cluster.apiserver.replicas is %d (replicas 0..%d)", f.Replica, replicas, replicas-1)
			return false
		}
		if !d.withinDuration(p, f.At, f.Start, s.Duration) {
			return false
		}
		if total += math.Ceil(f.arrivals().expected(s.Duration)); total > FaultsMax {
			d.errPath(p, "about %.0f fault arrivals over the run, with the faults before it; at most %d allowed", total, FaultsMax)
			return false
		}
	}
	type event struct {
		at    time.Duration
		fault int
	}
	var events []event
	for i := range s.Faults {
		f := &s.Faults[i]
		if f.Kind != FaultNodeJoin && f.Kind != FaultNodeLeave {
			continue
		}
		span := s.Duration - f.Start
		switch {
		case len(f.At) > 0:
			for _, t := range f.At {
				events = append(events, event{t, i})
			}
		case f.Every > 0:
			// k × every <= span: no overflow, however large every is.
			for k := time.Duration(1); k <= span/f.Every; k++ {
				events = append(events, event{f.Start + k*f.Every, i})
			}
		default:
			n := math.Ceil(f.arrivals().expected(s.Duration))
			for k := 1.0; k <= n; k++ {
				events = append(events, event{f.Start + time.Duration(float64(span)*k/n), i})
			}
		}
	}
	slices.SortStableFunc(events, func(a, b event) int { return cmp.Compare(a.at, b.at) })
	nodes := s.Cluster.Nodes
	for _, e := range events {
		f := s.Faults[e.fault]
		p := join(index("faults", e.fault), "nodes")
		n := f.Nodes.Of(nodes)
		switch f.Kind {
		case FaultNodeJoin:
			if nodes += n; nodes > NodesMax {
				d.errPath(p, "would take the cluster to %d nodes at %s; at most %d allowed", nodes, FormatDuration(e.at), NodesMax)
				return false
			}
		case FaultNodeLeave:
			if nodes -= max(n, 1); nodes < 1 {
				d.errPath(p, "would take the cluster to %d nodes at %s; at least 1 node must remain", nodes, FormatDuration(e.at))
				return false
			}
		}
	}
	return true
}
