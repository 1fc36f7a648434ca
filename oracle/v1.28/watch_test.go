package oracle

import (
	"fmt"
	"strings"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/kubernetes/pkg/kubelet/util/manager"
	testingclock "k8s.io/utils/clock/testing"

	"cmsim/model"
)

// apiCall is one LIST or WATCH a reflector made.
type apiCall struct {
	verb string // LIST or WATCH
	opts metav1.ListOptions
	w    *watch.FakeWatcher
}

// upstreamWatchTimeouts registers a pod mounting one ConfigMap with the
// v1.28.0 kubelet's Watch strategy (NewObjectCache under
// NewCacheBasedManager, as NewWatchingConfigMapManager builds it) on fake
// LIST and WATCH functions, then ends its watch from the server's side n
// times, each after a bookmark, as the apiserver does at a WATCH's
// timeout. It returns the timeoutSeconds of each WATCH the reflector made.
func upstreamWatchTimeouts(t *testing.T, n int) []int64 {
	calls := make(chan apiCall, 10)
	list := func(namespace string, opts metav1.ListOptions) (runtime.Object, error) {
		calls <- apiCall{verb: "LIST", opts: opts}
		name := strings.TrimPrefix(opts.FieldSelector, "metadata.name=")
		return &v1.ConfigMapList{ListMeta: metav1.ListMeta{ResourceVersion: "5"},
			Items: []v1.ConfigMap{{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name, ResourceVersion: "5"}}}}, nil
	}
	watchFn := func(namespace string, opts metav1.ListOptions) (watch.Interface, error) {
		w := watch.NewFake()
		calls <- apiCall{verb: "WATCH", opts: opts, w: w}
		return w, nil
	}
	isImmutable := func(runtime.Object) bool { return false }
	stop := make(chan struct{})
	defer close(stop)
	// The fake clock stands still at the zero time, so the idle recycler
	// never stops the reflector (see ../watch_test.go).
	store := manager.NewObjectCache(list, watchFn, func() runtime.Object { return &v1.ConfigMap{} }, isImmutable,
		v1.Resource("configmap"), testingclock.NewFakeClock(time.Time{}), 5*time.Minute, stop)
	mgr := manager.NewCacheBasedManager(store, configMapNames)
	mgr.RegisterPod(newPod(0, []int{0}))
	next := func() apiCall {
		t.Helper()
		select {
		case c := <-calls:
			return c
		case <-time.After(30 * time.Second): // turns a missing call into a failure, not a hang
			t.Fatal("upstream's reflector made no further call")
		}
		return apiCall{}
	}
	// LIST from the watch cache, then WATCH from the listed
	// resourceVersion and, after each timeout, from the last bookmark's:
	// cmsim's reflector, whose re-issued WATCH makes no LIST.
	if c := next(); c.verb != "LIST" || c.opts.ResourceVersion != "0" {
		t.Fatalf("upstream's first call is a %s from resourceVersion %q, want a LIST from 0", c.verb, c.opts.ResourceVersion)
	}
	var timeouts []int64
	for i := range n {
		c := next()
		if c.verb != "WATCH" || c.opts.TimeoutSeconds == nil || c.opts.ResourceVersion != fmt.Sprint(5+i) {
			t.Fatalf("upstream's call %d is a %s from resourceVersion %q (timeoutSeconds %v), want a WATCH from %d with a timeout",
				i+2, c.verb, c.opts.ResourceVersion, c.opts.TimeoutSeconds, 5+i)
		}
		timeouts = append(timeouts, *c.opts.TimeoutSeconds)
		c.w.Action(watch.Bookmark, &v1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: objName(0),
			ResourceVersion: fmt.Sprint(5 + i + 1)}})
		c.w.Stop() // the server closes the stream
	}
	return timeouts
}

// modelWatchTimeouts runs a probe of one pod mounting one ConfigMap under
// cmsim's Watch strategy at release r from t=0 to horizon and returns how
// long each of its WATCHes lasted before it was re-issued, to within step.
func modelWatchTimeouts(t *testing.T, r model.Release, seed uint64, horizon, step time.Duration) []time.Duration {
	t.Helper()
	// A one-hour syncFrequency puts the idle stop (5 × syncFrequency)
	// beyond the horizon, as the upstream side's frozen clock does.
	probe, err := model.NewProbe(model.ProbeConfig{Strategy: model.Watch, Objects: 1, Pods: [][]int{{0}},
		SyncFrequency: time.Hour, Seed: seed, Release: r})
	if err != nil {
		t.Fatal(err)
	}
	if err := probe.Register(0, 0); err != nil {
		t.Fatal(err)
	}
	if err := probe.Advance(0); err != nil {
		t.Fatal(err)
	}
	if got := probe.Requests(); got.List != 1 || got.Watch != 1 {
		t.Fatalf("cmsim %s's first sync made %+v, want one LIST and one WATCH", r, got)
	}
	var timeouts []time.Duration
	watches, opened := 1, time.Duration(0)
	for now := step; now <= horizon; now += step {
		if err := probe.Advance(now); err != nil {
			t.Fatal(err)
		}
		got := probe.Requests()
		if got.List != 1 || got.Watch > watches+1 {
			t.Fatalf("cmsim %s by %v made %+v: want one LIST and one re-issued WATCH per timeout", r, now, got)
		}
		if got.Watch == watches+1 {
			timeouts = append(timeouts, now-opened)
			watches, opened = got.Watch, now
		}
	}
	return timeouts
}

// TestWatchTimeoutAgainstUpstream128: the v1.28.0 kubelet's reflectors
// (client-go v0.28.0, which has no MinWatchTimeout option) ask for
// timeoutSeconds in [300, 600), uniform; cmsim at 1.28 times its WATCHes
// out after U[5, 10) min. At 1.31 cmsim's are U[30, 60) min, the kubelet's
// MinWatchTimeout from then on, which ../watch_test.go checks at v1.37.2.
func TestWatchTimeoutAgainstUpstream128(t *testing.T) {
	const samples = 200
	up := upstreamWatchTimeouts(t, samples)
	const step = time.Second
	var cmsim []time.Duration
	for seed := uint64(1); len(cmsim) < samples; seed++ {
		cmsim = append(cmsim, modelWatchTimeouts(t, release128, seed, 4*time.Hour, step)...)
	}
	cmsim = cmsim[:samples]
	var upMean, cmsimMean float64
	for i := range samples {
		if s := up[i]; s < 300 || s >= 600 {
			t.Errorf("upstream v1.28.0's WATCH %d has timeoutSeconds %d, outside [300, 600)", i, s)
		}
		// The probe sees a re-issue at the first step at or after it.
		if d := cmsim[i]; d < 300*time.Second-step || d > 600*time.Second+step {
			t.Errorf("cmsim 1.28's WATCH %d lasted %v, outside [5, 10) min", i, d)
		}
		upMean += float64(up[i]) / samples
		cmsimMean += cmsim[i].Seconds() / samples
	}
	// U[300, 600) s has mean 450 s and sd 87 s: the mean of 200 draws is
	// within 30 s of 450 s but for a 5-sigma event.
	for side, mean := range map[string]float64{"upstream v1.28.0": upMean, "cmsim 1.28": cmsimMean} {
		if mean < 420 || mean > 480 {
			t.Errorf("%s's WATCH timeouts average %.0f s over %d, want 450 ± 30 s (U[300, 600) s)", side, mean, samples)
		}
	}
	// At 1.31 and after, the same reflector's WATCHes last U[30, 60) min.
	at131 := modelWatchTimeouts(t, model.Release{Minor: 31}, 1, 4*time.Hour, step)
	if len(at131) == 0 {
		t.Fatal("cmsim 1.31 re-issued no WATCH in 4 h")
	}
	for _, d := range at131 {
		if d < 30*time.Minute-step || d > time.Hour+step {
			t.Errorf("cmsim 1.31's WATCH lasted %v, outside [30, 60) min", d)
		}
	}
	t.Logf("WATCH timeouts over %d: upstream v1.28.0 mean %.0f s, cmsim 1.28 mean %.0f s; cmsim 1.31: %v", samples, upMean, cmsimMean, at131)
}
