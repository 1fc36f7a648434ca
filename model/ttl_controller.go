package model

import (
	"math"
	"time"
)

// ttlBoundaries is the TTL controller's table (pkg/controller/ttl/ttl_controller.go):
// the node annotation node.alpha.kubernetes.io/ttl by cluster size, with
// overlapping ranges for hysteresis.
var ttlBoundaries = []struct {
	sizeMin, sizeMax int
	ttlSeconds       int
}{
	{0, 100, 0},
	{90, 500, 15},
	{450, 1000, 30},
	{900, 2000, 60},
	{1800, math.MaxInt32, 300},
}

// TTLController tracks the node count and the TTL it annotates nodes with,
// stepping one boundary per node event exactly as upstream does.
type TTLController struct {
	nodeCount int
	step      int
}

// AddNode records a node creation.
func (c *TTLController) AddNode() {
	c.nodeCount++
	if c.step < len(ttlBoundaries)-1 && c.nodeCount > ttlBoundaries[c.step].sizeMax {
		c.step++
	}
}

// DeleteNode records a node deletion.
func (c *TTLController) DeleteNode() {
	c.nodeCount--
	if c.step > 0 && c.nodeCount < ttlBoundaries[c.step].sizeMin {
		c.step--
	}
}

// TTL returns the annotation value the controller sets on every node.
func (c *TTLController) TTL() time.Duration {
	return time.Duration(ttlBoundaries[c.step].ttlSeconds) * time.Second
}

// TTLForClusterSize returns the TTL of a cluster whose nodes were added one by
// one from zero.
func TTLForClusterSize(nodes int) time.Duration {
	var c TTLController
	for i := 0; i < nodes; i++ {
		c.AddNode()
	}
	return c.TTL()
}

// defaultCacheTTL is the kubelet's TTL when the node has no annotation
// (pkg/kubelet/configmap/configmap_manager.go defaultTTL).
const defaultCacheTTL = time.Minute
