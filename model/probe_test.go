package model

import (
	"testing"
	"time"
)

// TestProbeSyncDropsCacheUpTo128: a later sync's RegisterPod drops the
// pod's Cache items up to 1.28, so the next Get reads etcd again; from
// 1.29 it changes nothing and the Get is served from the item. The
// upstream side of this is oracle/v1.28's TestCacheAgainstUpstream128.
func TestProbeSyncDropsCacheUpTo128(t *testing.T) {
	for _, tc := range []struct {
		minor     int
		afterSync ProbeRequests
	}{
		{28, ProbeRequests{GetEtcd: 1}},
		{29, ProbeRequests{}},
	} {
		pr, err := NewProbe(ProbeConfig{Strategy: Cache, Objects: 2, Pods: [][]int{{0, 1}}, TTL: time.Minute,
			Release: Release{tc.minor}})
		if err != nil {
			t.Fatal(err)
		}
		if err := pr.Sync(0, 0); err == nil {
			t.Errorf("1.%d: Sync of an unregistered pod: no error", tc.minor)
		}
		get := func(at time.Duration) ProbeRequests {
			t.Helper()
			reqs, ok, err := pr.Get(0, at)
			if err != nil || !ok {
				t.Fatalf("1.%d: Get at %v: ok %v, %v", tc.minor, at, ok, err)
			}
			return reqs
		}
		if err := pr.Register(0, 0); err != nil {
			t.Fatal(err)
		}
		if got := get(time.Second); got != (ProbeRequests{GetEtcd: 1}) {
			t.Errorf("1.%d: first Get made %+v, want one etcd GET", tc.minor, got)
		}
		if got := get(2 * time.Second); got != (ProbeRequests{}) {
			t.Errorf("1.%d: Get within the TTL made %+v, want none", tc.minor, got)
		}
		if err := pr.Sync(0, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		if got := get(11 * time.Second); got != tc.afterSync {
			t.Errorf("1.%d: Get after a sync made %+v, want %+v", tc.minor, got, tc.afterSync)
		}
	}
}
