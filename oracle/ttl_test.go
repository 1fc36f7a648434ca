package oracle

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/informers"
	coreinformers "k8s.io/client-go/informers/core/v1"
	"k8s.io/client-go/kubernetes/fake"
	listers "k8s.io/client-go/listers/core/v1"
	clienttesting "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/cache"
	"k8s.io/kubernetes/pkg/controller/ttl"

	"cmsim/model"
)

// capturingInformer is a node informer that is never started: the test
// calls the event handlers the controller registers itself, one event at a
// time, and puts nodes in its indexer directly.
type capturingInformer struct {
	cache.SharedIndexInformer
	handler cache.ResourceEventHandler
}

func (i *capturingInformer) AddEventHandler(h cache.ResourceEventHandler) (cache.ResourceEventHandlerRegistration, error) {
	i.handler = h
	return i.SharedIndexInformer.AddEventHandler(h)
}

func (i *capturingInformer) HasSynced() bool { return true }

type nodeInformer struct{ inf *capturingInformer }

func (n nodeInformer) Informer() cache.SharedIndexInformer { return n.inf }
func (n nodeInformer) Lister() listers.NodeLister {
	return listers.NewNodeLister(n.inf.GetIndexer())
}

var _ coreinformers.NodeInformer = nodeInformer{}

// TestTTLControllerAgainstUpstream drives pkg/controller/ttl with node add
// and delete events, in random walks across every boundary of its table,
// and requires the TTL it patches onto nodes after each event to equal
// cmsim's TTLController's.
//
// The controller's desired TTL is unexported; it shows in the patches its
// workers send. After every event the test sends an update of an
// observer node that is in the informer's store but was never added (so it
// is not counted) and has no annotation: the worker patches it with the
// desired TTL of that moment.
func TestTTLControllerAgainstUpstream(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	client := fake.NewClientset()
	patched := make(chan int)
	client.PrependReactor("patch", "nodes", func(a clienttesting.Action) (bool, runtime.Object, error) {
		var p struct {
			Metadata struct {
				Annotations map[string]string `json:"annotations"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal(a.(clienttesting.PatchAction).GetPatch(), &p); err != nil {
			t.Error(err)
		}
		v, err := strconv.Atoi(p.Metadata.Annotations[v1.ObjectTTLAnnotationKey])
		if err != nil {
			t.Errorf("patch %s: %v", a.(clienttesting.PatchAction).GetPatch(), err)
		}
		patched <- v
		return true, &v1.Node{}, nil
	})
	factory := informers.NewSharedInformerFactory(client, 0)
	inf := &capturingInformer{SharedIndexInformer: factory.Core().V1().Nodes().Informer()}
	ctrl := ttl.NewTTLController(ctx, nodeInformer{inf}, client)
	observer := &v1.Node{ObjectMeta: metav1.ObjectMeta{Name: "observer"}}
	if err := inf.GetIndexer().Add(observer); err != nil {
		t.Fatal(err)
	}
	go ctrl.Run(ctx, 1)

	// upstreamTTL asks the controller for its desired TTL now.
	upstreamTTL := func() time.Duration {
		inf.handler.OnUpdate(observer, observer)
		return time.Duration(<-patched) * time.Second
	}
	var m model.TTLController
	nodes := 0
	add := func() {
		nodes++
		n := &v1.Node{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("node-%d", nodes)}}
		// Added nodes are not in the store: the worker that processes
		// their key finds nothing and patches nothing.
		inf.handler.OnAdd(n, false)
		m.AddNode()
	}
	del := func() {
		inf.handler.OnDelete(&v1.Node{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("node-%d", nodes)}})
		nodes--
		m.DeleteNode()
	}
	rng := rand.New(rand.NewPCG(12, 1))
	checks := 0
	for walk := range 40 {
		target := rng.IntN(2300)
		if walk%2 == 1 {
			// Oscillate around a boundary of the table: the hysteresis.
			b := []int{90, 100, 450, 500, 900, 1000, 1800, 2000}[rng.IntN(8)]
			target = b + rng.IntN(21) - 10
		}
		for nodes != target {
			if nodes < target {
				add()
			} else {
				del()
			}
			// Check around the boundaries and every 50th node elsewhere.
			if near(nodes) || nodes%50 == 0 {
				if got, want := m.TTL(), upstreamTTL(); got != want {
					t.Fatalf("walk %d, at %d nodes: cmsim's TTL %v, upstream's %v", walk, nodes, got, want)
				}
				checks++
			}
		}
	}
	if checks < 1000 {
		t.Fatalf("only %d checks", checks)
	}
	// TTLForClusterSize is the TTL of a cluster grown one node at a time.
	for _, n := range []int{1, 100, 101, 500, 501, 1000, 1001, 2000, 2001, 5000} {
		var grown model.TTLController
		for range n {
			grown.AddNode()
		}
		if model.TTLForClusterSize(n) != grown.TTL() {
			t.Errorf("TTLForClusterSize(%d) = %v, grown: %v", n, model.TTLForClusterSize(n), grown.TTL())
		}
	}
}

func near(n int) bool {
	for _, b := range []int{90, 100, 450, 500, 900, 1000, 1800, 2000} {
		if n >= b-2 && n <= b+2 {
			return true
		}
	}
	return false
}
