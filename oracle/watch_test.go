package oracle

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/tools/cache"
	"k8s.io/kubernetes/pkg/kubelet/util/manager"
	testingclock "k8s.io/utils/clock/testing"

	"cmsim/model"
)

// apiCall is one LIST or WATCH a reflector made.
type apiCall struct {
	verb string // LIST or WATCH
	obj  string // the metadata.name of its field selector
	opts metav1.ListOptions
	w    *clientWatch
}

func (c apiCall) String() string { return c.verb + " " + c.obj }

// clientWatch is a fake watch whose client-side Stop the test can see,
// and which the test can end from the server's side.
type clientWatch struct {
	*watch.FakeWatcher
	once    sync.Once
	stopped chan struct{}
}

func (w *clientWatch) Stop() {
	w.once.Do(func() { close(w.stopped) })
	w.FakeWatcher.Stop()
}

func (w *clientWatch) isStopped() bool {
	select {
	case <-w.stopped:
		return true
	default:
		return false
	}
}

// upstreamWatch is the kubelet's Watch strategy (NewObjectCache under
// NewCacheBasedManager, as NewWatchingConfigMapManager builds it) on fake
// LIST and WATCH functions that report each call.
type upstreamWatch struct {
	t     *testing.T
	mgr   manager.Manager
	calls chan apiCall
	stop  chan struct{}
}

const listedRV = "5"

// newUpstreamWatch builds it. watchList says whether the client supports
// WatchList semantics (the real clientset does: in 1.37 a reflector's
// initial sync is then a WATCH with sendInitialEvents=true).
func newUpstreamWatch(t *testing.T, immutable map[string]bool, watchList bool) *upstreamWatch {
	u := &upstreamWatch{t: t, calls: make(chan apiCall, 100), stop: make(chan struct{})}
	name := func(opts metav1.ListOptions) string {
		return strings.TrimPrefix(opts.FieldSelector, "metadata.name=")
	}
	list := func(namespace string, opts metav1.ListOptions) (runtime.Object, error) {
		u.calls <- apiCall{verb: "LIST", obj: name(opts), opts: opts}
		cm := v1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name(opts), ResourceVersion: listedRV}}
		if immutable[name(opts)] {
			cm.Immutable = new(true)
		}
		return &v1.ConfigMapList{ListMeta: metav1.ListMeta{ResourceVersion: listedRV}, Items: []v1.ConfigMap{cm}}, nil
	}
	watchFn := func(namespace string, opts metav1.ListOptions) (watch.Interface, error) {
		w := &clientWatch{FakeWatcher: watch.NewFake(), stopped: make(chan struct{})}
		u.calls <- apiCall{verb: "WATCH", obj: name(opts), opts: opts, w: w}
		return w, nil
	}
	isImmutable := func(o runtime.Object) bool {
		cm, ok := o.(*v1.ConfigMap)
		return ok && cm.Immutable != nil && *cm.Immutable
	}
	wrap := func(lw *cache.ListWatch) cache.ListerWatcher { return lw }
	if !watchList {
		// A client without WatchList semantics (the fake clientset's):
		// LIST then WATCH, as every release before 1.35.
		wrap = func(lw *cache.ListWatch) cache.ListerWatcher {
			return cache.ToListWatcherWithWatchListSemantics(lw, fake.NewClientset())
		}
	}
	// The fake clock stands at the zero time: NewObjectCache's recycler
	// runs at once, on the real clock, and an item no Get has touched has
	// the zero lastAccessTime, so at any later time the recycler would
	// stop a reflector that synced before it ran (a race that upstream
	// has too, at a kubelet's start).
	store := manager.NewObjectCache(list, watchFn, func() runtime.Object { return &v1.ConfigMap{} }, isImmutable, wrap,
		v1.Resource("configmap"), testingclock.NewFakeClock(time.Time{}), 5*time.Minute, u.stop)
	u.mgr = manager.NewCacheBasedManager(store, configMapNames)
	return u
}

// next returns the next n calls, sorted by object then verb. The
// reflectors run in goroutines; the deadline only turns a missing call
// into a failure instead of a hang.
func (u *upstreamWatch) next(n int) []apiCall {
	u.t.Helper()
	var got []apiCall
	for range n {
		select {
		case c := <-u.calls:
			got = append(got, c)
		case <-time.After(30 * time.Second):
			u.t.Fatalf("upstream made %v, then nothing: want %d calls", got, n)
		}
	}
	sort.SliceStable(got, func(i, j int) bool { return got[i].obj < got[j].obj })
	return got
}

func (u *upstreamWatch) waitStopped(w *clientWatch, what string) {
	u.t.Helper()
	select {
	case <-w.stopped:
	case <-time.After(30 * time.Second):
		u.t.Fatalf("upstream never stopped %s", what)
	}
}

// TestWatchAgainstUpstream runs one script of RegisterPod, UnregisterPod,
// Get and a watch's end through the upstream objectCache and cmsim's
// Watch manager and compares the LISTs and WATCHes each step makes, and
// which watches each step stops.
func TestWatchAgainstUpstream(t *testing.T) {
	up := newUpstreamWatch(t, nil, false)
	defer close(up.stop)
	// Without WatchList semantics the reflector LISTs then WATCHes, as
	// cmsim's kubelet does up to 1.34.
	probe, err := model.NewProbe(model.ProbeConfig{Strategy: model.Watch, Objects: 2,
		Pods: [][]int{{0, 1}, {0}}, Seed: 3, Release: model.Release{Minor: 34}})
	if err != nil {
		t.Fatal(err)
	}
	pods := []*v1.Pod{newPod(0, []int{0, 1}), newPod(1, []int{0})}
	last := probe.Requests()
	// modelCalls returns cmsim's calls since the last step.
	modelCalls := func(at time.Duration) string {
		t.Helper()
		if err := probe.Advance(at); err != nil {
			t.Fatal(err)
		}
		now := probe.Requests()
		d := fmt.Sprintf("LIST %d, WATCH %d, GET %d", now.List-last.List, now.Watch-last.Watch, now.GetEtcd+now.GetCache-last.GetEtcd-last.GetCache)
		last = now
		return d
	}
	same := func(step, upstream, cmsim string) {
		t.Helper()
		if upstream != cmsim {
			t.Fatalf("%s: upstream %s, cmsim %s", step, upstream, cmsim)
		}
	}

	// A pod's first registration starts one reflector per object: LIST
	// from the watch cache (resourceVersion 0) scoped to the name, then
	// WATCH from the listed resourceVersion, with a timeout in [30, 60) min.
	up.mgr.RegisterPod(pods[0])
	if err := probe.Register(0, 0); err != nil {
		t.Fatal(err)
	}
	calls := up.next(4)
	same("register pod-0", fmt.Sprint(calls), "[LIST cm-0 WATCH cm-0 LIST cm-1 WATCH cm-1]")
	same("register pod-0", "LIST 2, WATCH 2, GET 0", modelCalls(time.Second))
	for _, c := range calls {
		if c.verb == "LIST" && c.opts.ResourceVersion != "0" {
			t.Errorf("upstream %v from resourceVersion %q, cmsim from the watch cache (0)", c, c.opts.ResourceVersion)
		}
		if c.verb == "WATCH" {
			if c.opts.ResourceVersion != listedRV {
				t.Errorf("upstream %v from resourceVersion %q, want the listed %s", c, c.opts.ResourceVersion, listedRV)
			}
			if s := *c.opts.TimeoutSeconds; s < 1800 || s >= 3600 {
				t.Errorf("upstream %v times out after %d s, cmsim in [1800, 3600)", c, s)
			}
		}
	}
	watches := map[string]*clientWatch{calls[1].obj: calls[1].w, calls[3].obj: calls[3].w}

	// A second pod referencing cm-0 shares its reflector; Gets read the
	// store.
	up.mgr.RegisterPod(pods[1])
	if err := probe.Register(1, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := up.mgr.GetObject("default", "cm-0"); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := probe.Get(0, 20*time.Second); err != nil || !ok {
		t.Fatalf("cmsim Get cm-0: %v %v", ok, err)
	}
	same("register pod-1, get cm-0", "LIST 0, WATCH 0, GET 0", modelCalls(21*time.Second))

	// Unregistering pod-0 leaves cm-0 with pod-1's reference and stops
	// cm-1's reflector.
	up.mgr.UnregisterPod(pods[0])
	if err := probe.Unregister(0, 50*time.Second); err != nil {
		t.Fatal(err)
	}
	up.waitStopped(watches["cm-1"], "cm-1's watch after its last pod left")
	if watches["cm-0"].isStopped() || !probe.WatchOpen(0) || probe.WatchOpen(1) {
		t.Fatalf("after pod-0 left: upstream stopped cm-0 %v; cmsim open cm-0 %v, cm-1 %v", watches["cm-0"].isStopped(), probe.WatchOpen(0), probe.WatchOpen(1))
	}
	// The last reference's removal stops the reflector.
	up.mgr.UnregisterPod(pods[1])
	if err := probe.Unregister(1, 60*time.Second); err != nil {
		t.Fatal(err)
	}
	up.waitStopped(watches["cm-0"], "cm-0's watch after its last pod left")
	if probe.WatchOpen(0) {
		t.Fatal("cmsim keeps watching cm-0 after its last pod left")
	}

	// A new reference starts a new reflector, with a new LIST.
	up.mgr.RegisterPod(pods[1])
	if err := probe.Register(1, 70*time.Second); err != nil {
		t.Fatal(err)
	}
	calls = up.next(2)
	same("register pod-1 again", fmt.Sprint(calls), "[LIST cm-0 WATCH cm-0]")
	same("register pod-1 again", "LIST 1, WATCH 1, GET 0", modelCalls(71*time.Second))

	// The apiserver ends the watch at its timeout, after the bookmark it
	// sends before the deadline: the reflector re-issues the WATCH from
	// the bookmark's resourceVersion, without a LIST.
	w := calls[1].w
	w.Action(watch.Bookmark, &v1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "cm-0", ResourceVersion: "6"}})
	w.FakeWatcher.Stop() // the server closes the stream
	calls = up.next(1)
	same("watch timeout", fmt.Sprint(calls), "[WATCH cm-0]")
	if calls[0].opts.ResourceVersion != "6" {
		t.Errorf("upstream re-WATCH from resourceVersion %q, want the bookmark's 6", calls[0].opts.ResourceVersion)
	}
	same("watch timeout", "LIST 0, WATCH 1, GET 0", modelCalls(71*time.Second+time.Hour))

	select {
	case c := <-up.calls:
		t.Fatalf("upstream made an unexpected %v", c)
	default:
	}
}

// TestWatchImmutableAgainstUpstream: a Get of an immutable object stops
// its reflector for good, upstream and in cmsim.
func TestWatchImmutableAgainstUpstream(t *testing.T) {
	up := newUpstreamWatch(t, map[string]bool{"cm-0": true}, false)
	defer close(up.stop)
	probe, err := model.NewProbe(model.ProbeConfig{Strategy: model.Watch, Objects: 1, Immutable: []bool{true},
		Pods: [][]int{{0}}, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	up.mgr.RegisterPod(newPod(0, []int{0}))
	if err := probe.Register(0, 0); err != nil {
		t.Fatal(err)
	}
	calls := up.next(2)
	if fmt.Sprint(calls) != "[LIST cm-0 WATCH cm-0]" {
		t.Fatalf("upstream %v", calls)
	}
	if _, err := up.mgr.GetObject("default", "cm-0"); err != nil {
		t.Fatal(err)
	}
	up.waitStopped(calls[1].w, "the immutable cm-0's watch after a Get")
	if _, ok, err := probe.Get(0, 10*time.Second); err != nil || !ok {
		t.Fatalf("cmsim Get: %v %v", ok, err)
	}
	if probe.WatchOpen(0) {
		t.Fatal("cmsim keeps watching the immutable cm-0 after a Get")
	}
	// Later Gets do not restart it (restartReflectorIfNeeded returns for
	// an immutable item): cmsim makes no request.
	before := probe.Requests()
	if _, ok, err := probe.Get(0, 20*time.Minute); err != nil || !ok {
		t.Fatalf("cmsim Get: %v %v", ok, err)
	}
	if after := probe.Requests(); after != before || probe.WatchOpen(0) {
		t.Fatalf("cmsim restarted the immutable cm-0's reflector: %+v then %+v", before, after)
	}
}

// TestWatchListAgainstUpstream: with a client that supports WatchList
// semantics (the kubelet's real clientset; WatchListClient is on by default
// from 1.35) a reflector's initial sync is one WATCH with
// sendInitialEvents=true and no LIST, and so is cmsim's from 1.35; up to
// 1.34 cmsim LISTs and then WATCHes, as TestWatchAgainstUpstream checks.
func TestWatchListAgainstUpstream(t *testing.T) {
	up := newUpstreamWatch(t, nil, true)
	defer close(up.stop)
	up.mgr.RegisterPod(newPod(0, []int{0}))
	calls := up.next(1)
	c := calls[0]
	if c.verb != "WATCH" || c.opts.SendInitialEvents == nil || !*c.opts.SendInitialEvents {
		t.Fatalf("upstream's first request is %v (sendInitialEvents %v), want one WATCH with sendInitialEvents", c, c.opts.SendInitialEvents)
	}
	probe, err := model.NewProbe(model.ProbeConfig{Strategy: model.Watch, Objects: 1, Pods: [][]int{{0}}, Seed: 3,
		Release: model.Release{Minor: 35}})
	if err != nil {
		t.Fatal(err)
	}
	if err := probe.Register(0, 0); err != nil {
		t.Fatal(err)
	}
	if err := probe.Advance(time.Second); err != nil {
		t.Fatal(err)
	}
	if r := probe.Requests(); r.List != 0 || r.Watch != 1 || !probe.WatchOpen(0) {
		t.Fatalf("cmsim 1.35's first sync: %+v, watch open %v; want one WATCH and no LIST, the watch open", r, probe.WatchOpen(0))
	}
}
