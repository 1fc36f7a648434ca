package oracle

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	podutil "k8s.io/kubernetes/pkg/api/v1/pod"
	"k8s.io/kubernetes/pkg/kubelet/util/manager"
	testingclock "k8s.io/utils/clock/testing"

	"cmsim/model"
)

// epoch is virtual time 0 on the upstream side's fake clock.
var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// configMapNames is the configmap manager's getConfigMapNames
// (pkg/kubelet/configmap, unexported there): the names a pod references.
func configMapNames(pod *v1.Pod) sets.Set[string] {
	names := sets.New[string]()
	podutil.VisitPodConfigmapNames(pod, func(name string) bool {
		names.Insert(name)
		return true
	})
	return names
}

// newPod is pod i with one configMap volume per object in objs.
func newPod(i int, objs []int) *v1.Pod {
	pod := &v1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: fmt.Sprintf("pod-%d", i),
		UID: types.UID(fmt.Sprintf("uid-%d", i))}}
	for _, o := range objs {
		pod.Spec.Volumes = append(pod.Spec.Volumes, v1.Volume{Name: objName(o),
			VolumeSource: v1.VolumeSource{ConfigMap: &v1.ConfigMapVolumeSource{
				LocalObjectReference: v1.LocalObjectReference{Name: objName(o)}}}})
	}
	return pod
}

func objName(o int) string { return fmt.Sprintf("cm-%d", o) }

// upstreamCache is the kubelet's Cache strategy as NewCachingConfigMapManager
// builds it, with a fake clock, a fake GET that records its
// resourceVersion, and a node whose TTL annotation the test sets.
type upstreamCache struct {
	clock *testingclock.FakeClock
	mgr   manager.Manager
	node  *v1.Node
	gets  []string // resourceVersion of each GET, in order
}

func newUpstreamCache() *upstreamCache {
	u := &upstreamCache{clock: testingclock.NewFakeClock(epoch), node: &v1.Node{}}
	getObject := func(namespace, name string, opts metav1.GetOptions) (runtime.Object, error) {
		u.gets = append(u.gets, opts.ResourceVersion)
		return &v1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name,
			ResourceVersion: strconv.Itoa(len(u.gets))}}, nil
	}
	getTTL := manager.GetObjectTTLFromNodeFunc(context.Background(), func(context.Context) (*v1.Node, error) {
		return u.node, nil
	})
	store := manager.NewObjectStore(getObject, u.clock, getTTL, time.Minute) // configmap_manager.go defaultTTL
	u.mgr = manager.NewCacheBasedManager(store, configMapNames)
	return u
}

// setTTL sets the node's node.alpha.kubernetes.io/ttl annotation; a
// negative ttl removes it.
func (u *upstreamCache) setTTL(ttl time.Duration) {
	if ttl < 0 {
		u.node.Annotations = nil
		return
	}
	u.node.Annotations = map[string]string{v1.ObjectTTLAnnotationKey: strconv.Itoa(int(ttl / time.Second))}
}

// TestCacheAgainstUpstream runs random sequences of RegisterPod,
// UnregisterPod, GetConfigMap and TTL annotation changes at virtual times
// through the upstream objectStore and cacheBasedManager and through
// cmsim's Cache manager, and requires every Get to agree on whether it
// made a GET and with which resourceVersion ("" from etcd, "0" from the
// watch cache).
func TestCacheAgainstUpstream(t *testing.T) {
	ttls := []time.Duration{-1, 0, 15 * time.Second, 30 * time.Second, time.Minute, 5 * time.Minute} // -1: no annotation
	gets := map[string]int{}
	for seq := range 300 {
		rng := rand.New(rand.NewPCG(uint64(seq), 12))
		const objects, pods = 3, 4
		refs := make([][]int, pods)
		for i := range refs {
			for o := range objects {
				if rng.IntN(2) == 0 {
					refs[i] = append(refs[i], o)
				}
			}
			if len(refs[i]) == 0 {
				refs[i] = []int{rng.IntN(objects)}
			}
		}
		ttl := ttls[rng.IntN(len(ttls))]
		modelTTL := func(ttl time.Duration) time.Duration {
			if ttl < 0 {
				return time.Minute // the kubelet's defaultTTL when the annotation is absent
			}
			return ttl
		}
		probe, err := model.NewProbe(model.ProbeConfig{Strategy: model.Cache, Objects: objects, Pods: refs, TTL: modelTTL(ttl)})
		if err != nil {
			t.Fatal(err)
		}
		up := newUpstreamCache()
		up.setTTL(ttl)
		upPods := make([]*v1.Pod, pods)
		for i := range upPods {
			upPods[i] = newPod(i, refs[i])
		}
		registered := make([]bool, pods)
		var now time.Duration
		var log []string
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("sequence %d (pods %v, TTL annotation %v), after\n  %s\n"+format, append([]any{seq, refs, ttl, joinLines(log)}, args...)...)
		}
		for range 120 {
			// Steps on a 5 s grid, so that Gets land exactly on TTL expiries
			// (!now.Before(lastUpdate + TTL) refetches there).
			now += time.Duration(rng.IntN(9)) * 5 * time.Second
			up.clock.SetTime(epoch.Add(now))
			switch op := rng.IntN(10); {
			case op < 2:
				i := rng.IntN(pods)
				log = append(log, fmt.Sprintf("%v register pod-%d", now, i))
				up.mgr.RegisterPod(upPods[i]) // a re-registration of the same UID and spec changes nothing upstream
				if err := probe.Register(i, now); err != nil {
					t.Fatal(err)
				}
				registered[i] = true
			case op < 3:
				i := rng.IntN(pods)
				log = append(log, fmt.Sprintf("%v unregister pod-%d", now, i))
				up.mgr.UnregisterPod(upPods[i])
				if registered[i] {
					if err := probe.Unregister(i, now); err != nil {
						t.Fatal(err)
					}
				}
				registered[i] = false
			case op < 4:
				ttl = ttls[rng.IntN(len(ttls))]
				log = append(log, fmt.Sprintf("%v TTL annotation %v", now, ttl))
				up.setTTL(ttl)
				probe.SetTTL(modelTTL(ttl))
			default:
				o := rng.IntN(objects)
				n := len(up.gets)
				_, upErr := up.mgr.GetObject("default", objName(o))
				if !probe.Referenced(o) {
					// The kubelet reads only objects its registered pods
					// reference; upstream answers anything else with an
					// error and no request, which cmsim never does.
					if upErr == nil || len(up.gets) != n {
						fail("Get cm-%d of an unregistered object: upstream err %v, %d GETs", o, upErr, len(up.gets)-n)
					}
					continue
				}
				log = append(log, fmt.Sprintf("%v get cm-%d", now, o))
				reqs, ok, err := probe.Get(o, now)
				if err != nil {
					t.Fatal(err)
				}
				upGets := up.gets[n:]
				want := "no request"
				if len(upGets) == 1 {
					want = fmt.Sprintf("GET resourceVersion=%q", upGets[0])
				}
				got := "no request"
				switch {
				case reqs.GetEtcd == 1 && reqs.GetCache == 0:
					got = `GET resourceVersion=""`
				case reqs.GetCache == 1 && reqs.GetEtcd == 0:
					got = `GET resourceVersion="0"`
				case reqs != model.ProbeRequests{}:
					got = fmt.Sprintf("%+v", reqs)
				}
				if upErr != nil || !ok || got != want || len(upGets) > 1 {
					fail("Get cm-%d at %v: upstream %s (err %v), cmsim %s (ok %v)", o, now, want, upErr, got, ok)
				}
				gets[want]++
			}
		}
	}
	// The sequences must exercise every outcome, or the test checks little.
	for _, k := range []string{"no request", `GET resourceVersion=""`, `GET resourceVersion="0"`} {
		if gets[k] < 100 {
			t.Errorf("only %d Gets ended in %s: %v", gets[k], k, gets)
		}
	}
	t.Logf("Gets compared: %v", gets)
}

func joinLines(xs []string) string {
	if len(xs) > 12 {
		xs = xs[len(xs)-12:]
	}
	s := ""
	for i, x := range xs {
		if i > 0 {
			s += "\n  "
		}
		s += x
	}
	return s
}
