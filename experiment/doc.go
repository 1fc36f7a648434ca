// Package experiment runs a scenario's sweep: every (point, replication)
// run, on a pool of workers, reduced to the small [Run] a summary needs.
//
// # Determinism
//
// A [Plan] lists the scenario's runs as [Job]s in a fixed order: point by
// point, replication by replication. Job j of point p, replication r has the
// seed sim.NewStreams(seed).Derive(p, r), so its result depends on nothing
// but the scenario. [Plan.Execute] builds one model per job (models share no
// state) and stores each result in the slot of its job, so the output never
// depends on the number of workers or on scheduling. [Summarize] reduces
// the slots in job order.
//
// # Memory
//
// A [Run] keeps no latency rows: they go to [Options].Rows (a
// [LatencySink], which cmd spills to files) as the run finishes, and the
// run keeps their [results.LatencyDigest], bounded whatever the rows. A run
// of more than [SoloRunPods] pods runs alone, on every worker, so that a
// study holds at most one such model.
//
// # Shards and partial results
//
// [Plan.Shard] selects the I-th of N shares of the jobs (0-based, round
// robin: job j belongs to shard j mod N). A shard's runs are written as a
// partial result ([Partial], see [Partial.Files]) and [Merge] combines the
// partials of all N shards into the slots an unsharded run would have had;
// [Merged.WriteLatencies] streams the shards' rows into one latencies.csv.
//
// # Goal seeking
//
// [Seek] bisects one parameter for the largest or smallest value whose
// metric meets an [Objective] with 95% confidence.
//
// The package never reads the clock: progress is reported in runs and
// events, and the caller measures time if it wants rates.
package experiment
