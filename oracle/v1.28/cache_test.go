// Package oracle runs cmsim at Kubernetes 1.28 against the upstream
// kubelet and client-go code of v1.28.0 (k8s.io/kubernetes v1.28.0,
// client-go v0.28.0), where a behaviour differs from the releases that
// ../ (v1.37.2) checks.
package oracle

import (
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
var epoch = time.Date(2023, 8, 15, 0, 0, 0, 0, time.UTC)

var (
	release128 = model.Release{Minor: 28}
	release129 = model.Release{Minor: 29}
)

// configMapNames is the v1.28.0 configmap manager's getConfigMapNames
// (pkg/kubelet/configmap, unexported there).
func configMapNames(pod *v1.Pod) sets.String {
	names := sets.NewString()
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

// upstreamCache is the v1.28.0 kubelet's Cache strategy as
// NewCachingConfigMapManager builds it, with a fake clock, a fake GET that
// records its resourceVersion, and a node whose TTL annotation the test
// sets.
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
	getTTL := manager.GetObjectTTLFromNodeFunc(func() (*v1.Node, error) { return u.node, nil })
	store := manager.NewObjectStore(getObject, u.clock, getTTL, time.Minute) // configmap_manager.go defaultTTL
	u.mgr = manager.NewCacheBasedManager(store, configMapNames)
	return u
}

// setTTL sets the node's node.alpha.kubernetes.io/ttl annotation.
func (u *upstreamCache) setTTL(ttl time.Duration) {
	u.node.Annotations = map[string]string{v1.ObjectTTLAnnotationKey: strconv.Itoa(int(ttl / time.Second))}
}

// probeGet is a cmsim Get's outcome in upstream's terms.
func probeGet(t *testing.T, probe *model.Probe, o int, now time.Duration) string {
	t.Helper()
	reqs, ok, err := probe.Get(o, now)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case !ok:
		return "error"
	case reqs == model.ProbeRequests{}:
		return "no request"
	case reqs == model.ProbeRequests{GetEtcd: 1}:
		return `GET resourceVersion=""`
	case reqs == model.ProbeRequests{GetCache: 1}:
		return `GET resourceVersion="0"`
	}
	return fmt.Sprintf("%+v", reqs)
}

// TestCacheAgainstUpstream128 runs random sequences of pod syncs (each a
// RegisterPod, as every SyncPod of v1.28.0 makes: pkg/kubelet/kubelet.go),
// UnregisterPod and GetConfigMap at virtual times through the v1.28.0
// objectStore and cacheBasedManager and through cmsim's Cache manager at
// 1.28, and requires every Get to agree on whether it made a GET and with
// which resourceVersion. A re-registration's AddReference drops the
// object's data upstream, so the next Get reads etcd; cmsim at 1.28 drops
// it at each sync (Probe.Sync). The same calls through cmsim at 1.29, which
// registers a pod once, must disagree: the test sees the release matter.
func TestCacheAgainstUpstream128(t *testing.T) {
	ttls := []time.Duration{0, 15 * time.Second, time.Minute, 5 * time.Minute}
	gets := map[string]int{}
	disagree129 := 0
	for seq := range 200 {
		rng := rand.New(rand.NewPCG(uint64(seq), 28))
		const objects, pods = 3, 3
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
		newProbe := func(r model.Release) *model.Probe {
			probe, err := model.NewProbe(model.ProbeConfig{Strategy: model.Cache, Objects: objects, Pods: refs, TTL: ttl, Release: r})
			if err != nil {
				t.Fatal(err)
			}
			return probe
		}
		probe, probe129 := newProbe(release128), newProbe(release129)
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
		for range 100 {
			now += time.Duration(rng.IntN(9)) * 5 * time.Second
			up.clock.SetTime(epoch.Add(now))
			switch op := rng.IntN(10); {
			case op < 3:
				i := rng.IntN(pods)
				up.mgr.RegisterPod(upPods[i])
				for _, p := range []*model.Probe{probe, probe129} {
					var err error
					if registered[i] {
						err = p.Sync(i, now)
					} else {
						err = p.Register(i, now)
					}
					if err != nil {
						t.Fatal(err)
					}
				}
				if registered[i] {
					log = append(log, fmt.Sprintf("%v sync pod-%d", now, i))
				} else {
					log = append(log, fmt.Sprintf("%v register pod-%d", now, i))
				}
				registered[i] = true
			case op < 4:
				i := rng.IntN(pods)
				log = append(log, fmt.Sprintf("%v unregister pod-%d", now, i))
				up.mgr.UnregisterPod(upPods[i])
				if registered[i] {
					for _, p := range []*model.Probe{probe, probe129} {
						if err := p.Unregister(i, now); err != nil {
							t.Fatal(err)
						}
					}
				}
				registered[i] = false
			default:
				o := rng.IntN(objects)
				if !probe.Referenced(o) {
					continue // the kubelet reads only objects its registered pods reference
				}
				log = append(log, fmt.Sprintf("%v get cm-%d", now, o))
				n := len(up.gets)
				_, upErr := up.mgr.GetObject("default", objName(o))
				want := "no request"
				switch upGets := up.gets[n:]; {
				case upErr != nil:
					want = fmt.Sprintf("error %v", upErr)
				case len(upGets) == 1:
					want = fmt.Sprintf("GET resourceVersion=%q", upGets[0])
				case len(upGets) > 1:
					want = fmt.Sprintf("%d GETs", len(upGets))
				}
				if got := probeGet(t, probe, o, now); got != want {
					fail("Get cm-%d at %v: upstream v1.28.0 %s, cmsim 1.28 %s", o, now, want, got)
				}
				if probeGet(t, probe129, o, now) != want {
					disagree129++
				}
				gets[want]++
			}
		}
	}
	for _, k := range []string{"no request", `GET resourceVersion=""`, `GET resourceVersion="0"`} {
		if gets[k] < 100 {
			t.Errorf("only %d Gets ended in %s: %v", gets[k], k, gets)
		}
	}
	if disagree129 == 0 {
		t.Errorf("cmsim at 1.29 agrees with upstream v1.28.0 on all %v Gets: the sequences never re-register a pod between its Gets", gets)
	}
	t.Logf("Gets compared: %v; cmsim at 1.29 disagrees with v1.28.0 on %d of them", gets, disagree129)
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
