package model

import "cmsim/sim"

// manager is the kubelet's ConfigMap/Secret manager (one per node in the real
// kubelet; here one value holds every node's state in the cluster's slots).
// Upstream: pkg/kubelet/util/manager and pkg/kubelet/configmap.
type manager interface {
	// get is GetConfigMap/GetSecret through slot s, called at t. It returns
	// the version the caller receives, when the call returns, and false if
	// it returns an error (the apiserver could not be reached, or a Watch
	// reflector did not sync within 1 s).
	get(s int32, t sim.Time) (version int32, done sim.Time, ok bool)
	// addReference is RegisterPod's AddReference for a pod UID's first
	// registration.
	addReference(s int32, t sim.Time)
	// deleteReference is UnregisterPod's DeleteReference; the slot's refs
	// already count the pods left.
	deleteReference(s int32, t sim.Time)
	// objectUpdated is told of every accepted write, at commit time.
	objectUpdated(o int32, t sim.Time)
	// warmStart puts the manager into the state of a long-running cluster.
	warmStart()
	// reset drops slot s's item when its kubelet stops at t (fault: the
	// plan fault that stops it).
	reset(s int32, t sim.Time, fault int32)
	// replicaDown ends the watches apiserver replica r served, at t.
	replicaDown(r int32, t sim.Time, fault int32)
}
