package oracle

import (
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"k8s.io/apiserver/pkg/util/shufflesharding"

	"cmsim/model"
)

// TestShuffleShardingAgainstUpstream deals hands of the kubelets' priority
// level (64 queues, hand size 6) and of other shapes with the upstream
// Dealer and with cmsim's, for random hashes: the hands must be equal.
func TestShuffleShardingAgainstUpstream(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, shape := range [][2]int{{64, 6}, {128, 8}, {8, 8}, {1, 1}, {512, 5}} {
		dealer, err := shufflesharding.NewDealer(shape[0], shape[1])
		if err != nil {
			t.Fatal(err)
		}
		for range 5000 {
			h := rng.Uint64()
			want := dealer.DealIntoHand(h, nil)
			if got := model.DealHand(shape[0], shape[1], h); !slices.Equal(got, want) {
				t.Fatalf("%d queues, hand %d, hash %#x: cmsim deals %v, upstream %v", shape[0], shape[1], h, got, want)
			}
		}
	}
}

// upstreamFlowHash is apf_controller.go's hashFlowID (unexported there):
// sha256 of the FlowSchema's name, a zero byte and the flow distinguisher
// (the user name for system-nodes' ByUser), first 8 bytes little-endian.
func upstreamFlowHash(fsName, distinguisher string) uint64 {
	h := sha256.New()
	h.Write([]byte(fsName))
	h.Write([]byte{0})
	h.Write([]byte(distinguisher))
	return binary.LittleEndian.Uint64(h.Sum(nil)[:8])
}

// TestFlowHashAgainstUpstream: each kubelet is one flow of the
// system-nodes FlowSchema, distinguished by its user name, and cmsim hashes
// it as upstream's hashFlowID does, so it is dealt upstream's hand.
func TestFlowHashAgainstUpstream(t *testing.T) {
	dealer, err := shufflesharding.NewDealer(64, 6)
	if err != nil {
		t.Fatal(err)
	}
	for n := range 1000 {
		h := upstreamFlowHash("system-nodes", "system:node:node-"+strconv.Itoa(n))
		if model.FlowHash(n) != h {
			t.Fatalf("node %d: cmsim's flow hash %x, upstream's %x", n, model.FlowHash(n), h)
		}
		if up := dealer.DealIntoHand(h, nil); !slices.Equal(model.DealHand(64, 6, model.FlowHash(n)), up) {
			t.Fatalf("node %d: cmsim deals %v, upstream %v", n, model.DealHand(64, 6, model.FlowHash(n)), up)
		}
	}
}
