package model

import (
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"
)

func TestParseRelease(t *testing.T) {
	for in, want := range map[string]int{"1.28": 28, "v1.31": 31, "1.37.2": 37, "1.26": 26} {
		r, err := ParseRelease(in)
		if err != nil || r.Minor != want {
			t.Errorf("ParseRelease(%q) = %v, %v; want 1.%d", in, r, err, want)
		}
	}
	for in, msg := range map[string]string{
		"1.25": "models 1.26 to 1.37", "1.38": "models 1.26 to 1.37", "2.1": "not a Kubernetes release",
		"1.x": "not a Kubernetes release", "": "not a Kubernetes release", "1.28.1.1": "not a Kubernetes release",
	} {
		if _, err := ParseRelease(in); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("ParseRelease(%q) error %v, want one saying %q", in, err, msg)
		}
	}
}

func TestCheckSkew(t *testing.T) {
	for _, tc := range []struct {
		kubelet, apiserver int
		ok                 bool
	}{{37, 37, true}, {34, 37, true}, {33, 37, false}, {38, 37, false}, {37, 36, false}, {25, 27, true}, {24, 27, false}} {
		err := CheckSkew(Release{tc.kubelet}, Release{tc.apiserver})
		if (err == nil) != tc.ok {
			t.Errorf("kubelet 1.%d, apiserver 1.%d: %v, want ok=%v", tc.kubelet, tc.apiserver, err, tc.ok)
		}
	}
}

// TestVersionTableRanges: every row is found by its name, its range lies
// inside the modelled releases, and each release on either side of a
// boundary resolves to the documented behaviour.
func TestVersionTableRanges(t *testing.T) {
	for _, b := range Behaviours {
		if b.From.Minor != 0 && (b.From.Minor <= OldestRelease.Minor || b.From.Minor > NewestRelease.Minor) ||
			b.Until.Minor != 0 && (b.Until.Minor < OldestRelease.Minor || b.Until.Minor >= NewestRelease.Minor) {
			t.Errorf("%s: range %s does not split the modelled releases", b.Name, b.Releases())
		}
		if b.Summary == "" || b.Reference == "" {
			t.Errorf("%s: no summary or reference", b.Name)
		}
	}
	for _, tc := range []struct {
		kubelet, apiserver int
		want               behaviourSet
	}{
		{28, 28, behaviourSet{addReferenceEverySync: true, minWatchTimeout: 5 * time.Minute}},
		{29, 30, behaviourSet{minWatchTimeout: 5 * time.Minute}},
		{30, 31, behaviourSet{minWatchTimeout: 5 * time.Minute, unreadyRejects: true}},
		{31, 31, behaviourSet{minWatchTimeout: 30 * time.Minute, unreadyRejects: true}},
		{34, 34, behaviourSet{minWatchTimeout: 30 * time.Minute, unreadyRejects: true}},
		{35, 37, behaviourSet{minWatchTimeout: 30 * time.Minute, unreadyRejects: true, watchList: true}},
	} {
		if got := resolveBehaviours(Release{tc.kubelet}, Release{tc.apiserver}); got != tc.want {
			t.Errorf("kubelet 1.%d, apiserver 1.%d: %+v, want %+v", tc.kubelet, tc.apiserver, got, tc.want)
		}
	}
	for r, want := range map[int][2]float64{26: {5, 10}, 27: {50, 100}, 37: {50, 100}} {
		if q, b := DefaultKubeAPIQPS(Release{r}); q != want[0] || float64(b) != want[1] {
			t.Errorf("1.%d: kubeAPIQPS/Burst %v/%v, want %v", r, q, b, want)
		}
	}
}

// TestVersionCacheEtcdReads: up to 1.28 every sync's RegisterPod drops the
// Cache items, so Cache reads etcd as often as Get does (within 5%); from
// 1.29 a warm cluster's Cache reads etcd almost never.
func TestVersionCacheEtcdReads(t *testing.T) {
	rate := func(s Strategy, rel int) float64 {
		cfg := benchConfig(40, 10, 30, 0, s)
		cfg.Updates = nil
		cfg.KubeletRelease = Release{rel}
		return run(t, cfg).Metrics.APIServer.GetEtcdPerSec
	}
	get, cache28, cache29 := rate(Get, 28), rate(Cache, 28), rate(Cache, 29)
	t.Logf("etcd GET/s: Get %.3f, Cache 1.28 %.3f, Cache 1.29 %.4f", get, cache28, cache29)
	if math.Abs(cache28/get-1) > 0.05 {
		t.Errorf("Cache 1.28 reads etcd %.3f/s, want Get's %.3f/s within 5%%", cache28, get)
	}
	if cache29 > 0.01*get {
		t.Errorf("Cache 1.29 reads etcd %.4f/s, want near 0 (Get: %.3f/s)", cache29, get)
	}
}

// TestVersionWatchTimeout: a WATCH lasts U[5, 10) min up to 1.30 and
// U[30, 60) min from 1.31, so a steady cluster re-issues 6× as many.
func TestVersionWatchTimeout(t *testing.T) {
	rate := func(rel int) (float64, float64) {
		cfg := benchConfig(100, 10, 30, 0, Watch)
		cfg.Updates = nil
		cfg.Duration = 3 * time.Hour
		cfg.KubeletRelease = Release{rel}
		a := run(t, cfg).Metrics.APIServer
		return a.WatchRequestsPerSec, a.OpenWatchesPeak
	}
	w30, open30 := rate(30)
	w31, open31 := rate(31)
	// Renewal theory: open / E[timeout]; 45 min against 7.5 min.
	want31 := open31 / (45 * 60)
	t.Logf("WATCH/s: 1.30 %.4f, 1.31 %.4f (ratio %.2f); %v open watches", w30, w31, w30/w31, open31)
	if open30 != open31 {
		t.Fatalf("open watches %v and %v, want the same", open30, open31)
	}
	// About 2,100 and 12,600 WATCHes: 1.31's count has a relative
	// standard deviation of about 1/sqrt(2100 × 3) from the uniform gaps.
	if math.Abs(w31/want31-1) > 0.03 {
		t.Errorf("1.31: %.4f WATCH/s, want open/45 min = %.4f within 3%%", w31, want31)
	}
	if r := w30 / w31; math.Abs(r-6) > 0.25 {
		t.Errorf("1.30/1.31 WATCH ratio %.2f, want 6 ± 0.25", r)
	}
}

// TestVersionUnreadyCacheWaits: before 1.31 a replica initialising its
// watch cache makes LISTs and WATCHes wait instead of answering 429.
func TestVersionUnreadyCacheWaits(t *testing.T) {
	for _, rel := range []int{30, 31} {
		cfg := faultConfig(Watch, FaultRule{Kind: APIServerRestart, Replica: -1, Downtime: 30 * time.Second, Arrivals: at(20 * time.Minute)})
		cfg.WatchCacheInit = 20 * time.Second
		cfg.KubeletRelease, cfg.APIServerRelease = Release{30}, Release{rel}
		r := run(t, cfg)
		a := r.Metrics.APIServer
		if rel < 31 && a.Rejected429Total != 0 {
			t.Errorf("apiserver 1.%d: %v 429s, want none (requests wait for the cache)", rel, a.Rejected429Total)
		}
		if rel >= 31 && a.Rejected429Total == 0 {
			t.Errorf("apiserver 1.%d: no 429s while the watch cache initialises", rel)
		}
		ev := r.Metrics.FaultEvents[0]
		// Down 30 s, then 20 s of initialisation: no watch is back before 50 s.
		if ev.RewatchSeconds < 50 {
			t.Errorf("apiserver 1.%d: watches back after %.1f s, want at least the 50 s until the cache is ready", rel, ev.RewatchSeconds)
		}
		checkConverged(t, r)
	}
}

// TestVersionTableDocumented: docs/versions.md lists every row of the
// table with its component and releases.
func TestVersionTableDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/versions.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range Behaviours {
		row := fmt.Sprintf("| `%s` | %s | %s |", b.Name, b.Component, b.Releases())
		if !strings.Contains(string(doc), row) {
			t.Errorf("docs/versions.md has no row starting %q", row)
		}
	}
	if n := strings.Count(string(doc), "\n| `"); n != len(Behaviours) {
		t.Errorf("docs/versions.md has %d table rows, the table %d", n, len(Behaviours))
	}
}

// TestDeriveByRelease: up to 1.28 Cache refetches at every sync, so its
// expected latency bound has no TTL term; from 1.29 it has.
func TestDeriveByRelease(t *testing.T) {
	cfg := smallConfig(Cache, 600, 600, Volume) // TTL 30 s
	for rel, want := range map[int]float64{28: 91.2, 29: 121.2} {
		cfg.KubeletRelease = Release{rel}
		d := Derive(cfg)
		if d.LatencyBoundSeconds != want || d.CacheRefetchesEverySync != (rel == 28) || d.KubeletVersion != fmt.Sprintf("1.%d", rel) {
			t.Errorf("1.%d: %+v, want a bound of %v s", rel, d, want)
		}
	}
}
