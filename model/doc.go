// Package model simulates how kubelets propagate ConfigMap and Secret updates
// into pods, and what that costs the apiserver. It follows the real kubelet
// (see docs/fidelity.md for every departure) and runs on a sim.Engine.
//
// # Components
//
//   - The apiserver (apiserver.go) keeps each object's version, applies
//     writes from update rules (refusing writes to immutable objects),
//     counts every request by verb and serving path (etcd or watch cache),
//     and fans watch events out only to the nodes watching that object.
//   - Each node's kubelet (kubelet.go) runs pod workers that resync every
//     wait.Jitter(syncFrequency, 0.5) on 1 s sync ticks, and a volume
//     manager whose populator and reconciler 100 ms loops remount the pod's
//     configMap, secret and projected volumes after every sync; AtomicWriter
//     swaps a volume's files only when the content changed.
//   - The change-detection strategy is one of three managers, each in its own
//     file and named after upstream: simpleManager (Get), cachingManager
//     (Cache, with the TTL controller's table in ttl_controller.go) and
//     watchingManager (Watch).
//
// # Events
//
//	cycle        a pod's periodic sync, run at its remount time (under Watch,
//	             only the syncs that can see something: the others are
//	             accounted without events, parked_resyncs.go)
//	create       a new pod's first sync (cold start)
//	initialMount a new pod's volumes are mounted
//	start        a new pod's containers start (env and envFrom are read)
//	update       an update rule writes an object
//	deliver      a watch event reaches a node's store
//	watchExpire  a WATCH times out and is re-issued (on a calm apiserver,
//	             accounted when the watch stops or the run ends instead)
//	parkWake     a parked pod's service-account token comes due
//	idleCheck    the watch manager's recycler checks an idle reflector
//	rollout      a restart rule starts rolling a workload
//	restart      one pod is replaced: the new one registers, the old one unregisters
//
// # Partitions
//
// Nodes interact only through the apiserver, whose objects change only by
// the update rules. A Cluster therefore splits its nodes into partitions of
// at most about 16,000 pods, each simulated on its own sim.Engine with its
// own replay of the update stream, and merges their recordings exactly
// (whole-number counts, and the open-watch gauge rebuilt from a change log).
// The split depends only on the cluster's size, so results do not depend on
// Config.Workers, the number of goroutines that run partitions; each
// partition is single-threaded. Small partitions also keep the hot state in
// the CPU caches, which makes large clusters several times faster.
//
// # Observations
//
// A Recorder holds the load time series and one Sample per (update,
// consumer) pair: when the consumer's files first exposed that version or a
// newer one, or why it never can (env, subPath, immutable). Nothing here does
// I/O; Result turns the recording into the output rows.
package model
