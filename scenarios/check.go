package scenarios

import (
	"strconv"
	"strings"
	"time"
)

// check runs the cross-field validations after a successful decode.
func (d *decoder) check(s *Scenario) {
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
		n := int64(w.Replicas)
		key := "replicas"
		if w.PodsPerNode > 0 {
			n, key = int64(w.PodsPerNode)*int64(s.Cluster.Nodes), "podsPerNode"
		}
		if pods += n; pods > PodsMax {
			d.errPath(join(p, key), "the cluster would have %d pods or more; at most %d allowed", pods, PodsMax)
			return
		}
		for k, m := range w.Mounts {
			members := int64(1)
			if j, ok := byName[m.Object]; ok && (m.Select == "" || m.Select == SelectAll) {
				members = int64(s.Objects[j].Count)
			}
			refs[m.Object] += float64(n * members)
			if sources += n * members; sources > SourcesMax {
				d.errPath(join(index(join(p, "mounts"), k), "select"), "%d pods reading %d objects each would make %d (pod, object) references or more; at most %d allowed (select: random-one or by-index reads one member)", n, members, sources, SourcesMax)
				return
			}
		}
	}

	// Every update of an object is one latency sample per consumer of it.
	var pairs float64
	for i, u := range s.Updates {
		j, ok := byName[u.Object]
		if !ok {
			break // reported below
		}
		var arrivals float64
		span := (s.Duration - u.Start).Minutes()
		switch {
		case len(u.At) > 0:
			arrivals = float64(len(u.At))
		case u.Every > 0:
			arrivals = span / u.Every.Minutes()
		default:
			arrivals = u.PoissonPerMinute * span
		}
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
