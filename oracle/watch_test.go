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
	store := manager.NewObjectCache(list, watchFn, func() runtime.Object { return &v1.ConfigMap{} }, isImmutable, wrap,
		v1.Resource("configmap"), testingclock.NewFakeClock(epoch), 5*time.Minute, u.stop)
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

// tracker follows an upstreamWatch's calls: each object's latest watch
// and every call so far.
type tracker struct {
	up     *upstreamWatch
	log    []apiCall
	latest map[string]*clientWatch
}

func (tr *tracker) record(c apiCall) {
	tr.log = append(tr.log, c)
	if c.w != nil {
		tr.latest[c.obj] = c.w
	}
}

// until records calls until one matches verb and obj, and returns it.
func (tr *tracker) until(verb, obj string) apiCall {
	tr.up.t.Helper()
	for {
		c := tr.up.next(1)[0]
		tr.record(c)
		if c.verb == verb && c.obj == obj {
			return c
		}
	}
}

// drain records the calls made so far.
func (tr *tracker) drain() {
	for {
		select {
		case c := <-tr.up.calls:
			tr.record(c)
		default:
			return
		}
	}
}

// count counts the calls of verb for obj; LISTs only from resourceVersion
// 0, a new reflector's first.
func (tr *tracker) count(verb, obj string) int {
	n := 0
	for _, c := range tr.log {
		if c.verb == verb && c.obj == obj && (verb != "LIST" || c.opts.ResourceVersion == "0") {
			n++
		}
	}
	return n
}

// TestWatchAgainstUpstream runs one script of RegisterPod, UnregisterPod,
// Get and a watch's end through the upstream objectCache and cmsim's
// Watch manager and compares the LISTs each step makes, the WATCHes'
// options, and which steps stop a reflector.
//
// Upstream's reflectors run in goroutines on the real clock; in this fake
// setup a fresh watch's stream sometimes ends within milliseconds (cause
// not yet found), and the reflector re-WATCHes, or relists from the last
// resourceVersion after a "very short watch". So the script counts
// reflector starts (LISTs from resourceVersion 0) and tracks each object's
// latest watch; the watch timeout's re-WATCH is not compared.
func TestWatchAgainstUpstream(t *testing.T) {
	up := newUpstreamWatch(t, nil, false)
	defer close(up.stop)
	tr := &tracker{up: up, latest: map[string]*clientWatch{}}
	probe, err := model.NewProbe(model.ProbeConfig{Strategy: model.Watch, Objects: 2,
		Pods: [][]int{{0, 1}, {0}}, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	pods := []*v1.Pod{newPod(0, []int{0, 1}), newPod(1, []int{0})}
	advance := func(at time.Duration) {
		t.Helper()
		if err := probe.Advance(at); err != nil {
			t.Fatal(err)
		}
	}
	// lists compares the reflectors started: upstream's LISTs from
	// resourceVersion 0 (a new reflector's first; a relist is from the
	// last synced resourceVersion), cmsim's LISTs.
	lists := func(step string, cm0, cm1 int) {
		t.Helper()
		tr.drain()
		if m := probe.Requests(); tr.count("LIST", "cm-0") != cm0 || tr.count("LIST", "cm-1") != cm1 || m.List != cm0+cm1 {
			t.Fatalf("%s: upstream started cm-0's reflector %d and cm-1's %d times, cmsim %d in all; want %d and %d", step,
				tr.count("LIST", "cm-0"), tr.count("LIST", "cm-1"), m.List, cm0, cm1)
		}
	}

	// A pod's first registration starts one reflector per object: LIST
	// from the watch cache (resourceVersion 0) scoped to the name, then
	// WATCH from the listed resourceVersion, with a timeout in [30, 60) min.
	up.mgr.RegisterPod(pods[0])
	if err := probe.Register(0, 0); err != nil {
		t.Fatal(err)
	}
	advance(time.Second)
	first := up.next(4) // sorted by object; each reflector LISTs, then WATCHes
	if fmt.Sprint(first) != "[LIST cm-0 WATCH cm-0 LIST cm-1 WATCH cm-1]" {
		t.Fatalf("upstream's first calls: %v", first)
	}
	for _, c := range first {
		tr.record(c)
	}
	for i := 0; i < 4; i += 2 {
		l, w := first[i], first[i+1]
		if l.opts.ResourceVersion != "0" {
			t.Errorf("upstream %v from resourceVersion %q, cmsim from the watch cache (0)", l, l.opts.ResourceVersion)
		}
		if w.opts.ResourceVersion != listedRV {
			t.Errorf("upstream %v from resourceVersion %q, want the listed %s", w, w.opts.ResourceVersion, listedRV)
		}
		if s := *w.opts.TimeoutSeconds; s < 1800 || s >= 3600 {
			t.Errorf("upstream %v times out after %d s, cmsim in [1800, 3600)", w, s)
		}
	}
	if m := probe.Requests(); m.Watch != 2 || !probe.WatchOpen(0) || !probe.WatchOpen(1) {
		t.Fatalf("cmsim after the first registration: %+v", m)
	}
	lists("register pod-0", 1, 1)

	// A second pod referencing cm-0 shares its reflector; Gets read the
	// store.
	up.mgr.RegisterPod(pods[1])
	if err := probe.Register(1, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := up.mgr.GetObject("default", "cm-0"); err != nil {
		t.Fatal(err)
	}
	if reqs, ok, err := probe.Get(0, 20*time.Second); err != nil || !ok || reqs != (model.ProbeRequests{}) {
		t.Fatalf("cmsim Get cm-0: %+v %v %v", reqs, ok, err)
	}
	lists("register pod-1, get cm-0", 1, 1)

	// Unregistering pod-0 stops cm-1's reflector; cm-0 keeps pod-1's.
	up.mgr.UnregisterPod(pods[0])
	if err := probe.Unregister(0, 50*time.Second); err != nil {
		t.Fatal(err)
	}
	tr.drain()
	up.waitStopped(tr.latest["cm-1"], "cm-1's watch after its last pod left")
	if !probe.WatchOpen(0) || probe.WatchOpen(1) {
		t.Fatalf("cmsim after pod-0 left: cm-0 open %v, cm-1 open %v", probe.WatchOpen(0), probe.WatchOpen(1))
	}
	// The last reference's removal stops the reflector.
	up.mgr.UnregisterPod(pods[1])
	if err := probe.Unregister(1, 60*time.Second); err != nil {
		t.Fatal(err)
	}
	tr.drain()
	up.waitStopped(tr.latest["cm-0"], "cm-0's watch after its last pod left")
	if probe.WatchOpen(0) {
		t.Fatal("cmsim keeps watching cm-0 after its last pod left")
	}
	lists("unregister both", 1, 1)

	// A new reference starts a new reflector, with a new LIST.
	up.mgr.RegisterPod(pods[1])
	if err := probe.Register(1, 70*time.Second); err != nil {
		t.Fatal(err)
	}
	advance(71 * time.Second)
	tr.until("LIST", "cm-0")
	tr.until("WATCH", "cm-0")
	lists("register pod-1 again", 2, 1)

	t.Logf("upstream calls: %v", tr.log)
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

// TestWatchListDeparture pins the documented departure: with a client that
// supports WatchList semantics (the kubelet's real clientset, WatchListClient
// on by default from 1.35), a reflector's initial sync is one WATCH with
// sendInitialEvents=true and no LIST; cmsim counts a LIST and a WATCH.
func TestWatchListDeparture(t *testing.T) {
	up := newUpstreamWatch(t, nil, true)
	defer close(up.stop)
	up.mgr.RegisterPod(newPod(0, []int{0}))
	calls := up.next(1)
	c := calls[0]
	if c.verb != "WATCH" || c.opts.SendInitialEvents == nil || !*c.opts.SendInitialEvents {
		t.Fatalf("upstream's first request is %v (sendInitialEvents %v): the departure in docs/fidelity.md is out of date", c, c.opts.SendInitialEvents)
	}
}
