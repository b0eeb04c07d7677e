// Package chaos injects faults (nemeses, in Jepsen's word) into a raftkv
// cluster and runs them on a schedule, recording every fault in the history.
//
// # Nemeses and faults
//
// A [Nemesis] is one kind of fault with a rule for choosing its targets:
// [Kill] (SIGKILL, healed by starting the node again), [Pause] (cgroup
// freezer, healed by resuming), [Restart] (a clean SIGTERM shutdown, healed
// by starting the node), [Partition] (isolate the leader or a node both ways,
// or split the cluster into random halves; healed by removing every network
// rule), [Drop] (lose a percentage of the packets a node exchanges with
// its peers) and [Delay] (hold a node's packets to and from its peers in
// user space: delay, jitter, reordering). Inject applies the fault and returns a [*Fault]: what was done
// to whom, and how to undo it. Each nemesis lives in its own file.
//
// Targets are chosen by pure functions of the node ids, the current leader
// and a seeded *rand.Rand ([PickNode], [RandomHalves], [IsolateOne]); they
// draw the same number of random values whatever the cluster looks like, so
// a seed always consumes the random stream the same way.
//
// # History vocabulary
//
// Faults are recorded as nemesis events (process -1) with the f values that
// package linearizability pairs into fault windows:
//
//	kill n2        … start n2        (Kill)
//	stop n2        … start n2        (Restart: a clean stop, then a start)
//	pause n2       … resume n2       (Pause)
//	partition "n1 | n2 n3" … heal "n1 | n2 n3"   (Partition)
//	drop "n2 30%"  … heal "n2 30%"   (Drop)
//	delay "n2 100ms" … heal "n2 100ms" (Delay; also "n2 50ms±40ms", "n2 50ms reorder 25%")
//
// The opening event is recorded once the fault is in place (Inject
// returned), the closing one once it has been undone (Heal returned), on the
// recorder's clock, the same clock as the client operations. The [Window]s a
// [Schedule] returns are wider: from just before Inject to just after Heal,
// so every operation the fault could have touched falls inside.
//
// # Schedules
//
// A [Schedule] alternates quiet and fault windows of fixed lengths, starting
// with a quiet one (a baseline), one fault at a time, until its duration
// ends; a fault still active then is healed. [Schedule.Plan] is the pure
// part: which nemesis in which window, and the seed of each window's target
// choice, all from one seed. [Schedule.Run] carries the plan out against a
// cluster. The same seed gives the same plan; which node is "the leader" at
// a given moment is up to the cluster.
package chaos
