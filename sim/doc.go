// Package sim is cmsim's discrete-event engine. It knows nothing of
// Kubernetes.
//
// # Contract
//
//   - Time is virtual: [Time] counts nanoseconds since the start of the run.
//     Nothing in this package reads a wall clock, sleeps or starts a timer.
//   - Events run in a total order: by time, then by the order in which they
//     were scheduled. Ties never depend on heap layout.
//   - Only running an event moves the clock; scheduling an event before Now
//     is a model bug and panics.
//   - Events are small values of a fixed type; a model registers one handler
//     per event [Kind] and passes three int32 arguments. Scheduling and
//     running an event allocate nothing.
//   - Randomness comes from named streams derived from one seed ([Streams]),
//     so that draws in one stream never shift another.
//   - [Engine.RunUntil] is bounded by a horizon and an event budget; running
//     out of budget is an error, not a hang.
package sim
