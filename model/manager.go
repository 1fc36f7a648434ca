package model

import "cmsim/sim"

// manager is the kubelet's ConfigMap/Secret manager (one per node in the real
// kubelet; here one value holds every node's state in the cluster's slots).
// Upstream: pkg/kubelet/util/manager and pkg/kubelet/configmap.
type manager interface {
	// get is GetConfigMap/GetSecret through slot s, called at t. It returns
	// the version the caller receives and when the call returns.
	get(s int32, t sim.Time) (version int32, done sim.Time)
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
}
