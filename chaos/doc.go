// Package chaos injects faults (nemeses, in Jepsen's word) into a raftkv
// cluster and runs them on a schedule, recording every fault in the history.
//
// # Nemeses and faults
//
// A [Nemesis] is one kind of fault with a rule for choosing its targets.
// Inject applies the fault and returns a [*Fault]: what was done to whom,
// and how to undo it. Each nemesis lives in its own file. The menu, by name
// ([ParseNemesis] reads these names, [Catalog] lists one of each, T is
// leader, follower or node):
//
//	kill-T              Kill: SIGKILL; healed by starting the node
//	restart-T           Restart: clean SIGTERM stop; healed by starting it
//	pause-T             Pause: cgroup freezer; healed by resuming
//	stall-T             Stall: freeze, then cut off both ways; thawed first
//	partition-T         Partition Isolate: one node cut off both ways
//	partition-halves    random halves, the smaller first (1|2, 2|3)
//	partition-minority  a random minority of random size (1..(n-1)/2) cut off
//	partition-ring      Jepsen's majorities-ring: every node hears a majority,
//	                    no two the same one (needs ≥ 4 nodes)
//	partition-bridge    Jepsen's bridge: two sides that cannot hear each
//	                    other, one node that hears both (needs ≥ 3 nodes)
//	oneway-in-T         OneWay Inbound: the target hears nobody
//	oneway-out-T        OneWay Outbound: nobody hears the target
//	dropP-T             Drop: lose P% of the packets to and from peers
//	limitR-T            Limit: the node sends at most R bytes/s ("50k")
//	delayD-T, jitter…, reorder…  Delay: hold the node's packets in user space
//	                    (nfqueue): delay, jitter, reordering
//
// Failpoint nemeses (built as values, not by name): [Failpoint] arms one of
// the node's failpoints with a term on the leader, a follower, any node or
// all nodes for the fault window; [RestoreCrash] crashes a cut-off follower
// right before it installs the leader's snapshot. Their Heal disarms the
// point where the node answers and starts it where it crashed; Fault.Detail
// says which.
//
// Network faults are healed by removing the rules of the nodes they touched.
// Scenarios build nemeses as values (chaos.Partition{Shape: chaos.Ring},
// chaos.OneWay{Target: chaos.Leader, Dir: chaos.Inbound}) or by name
// (ParseNemesis("partition-ring")).
//
// On three nodes the majorities ring degenerates: each node's two ring
// neighbours are the whole cluster, so nothing would be cut; Inject refuses
// it with an error (the schedule logs it and goes on) rather than record a
// fault that did nothing. The bridge works from three nodes (1 | 1 and the
// bridge); both shapes are most meaningful on five.
//
// Nemeses act on a [Cluster]: node ids, the leader, status, HealAll and
// WaitReady. The per-node handles addressed by id are capabilities, small
// interfaces a cluster implements when its system can do them ([Killer],
// [Pauser], [Networker], [Disker], [Members], [Failpointer],
// [LeaderTransferer]); a nemesis asserts the ones it needs before it acts
// and fails with a [LacksError] otherwise. *cluster.Cluster implements them
// all; the tests use an in-memory fake
// that records every call and the faults in place, so every nemesis is
// tested without Docker. This package does not import package cluster.
//
// A network shape is a set of directed links that are down ([Cuts]); a link
// a → b is cut at b, which drops what a sends it, so a's sends fail silently
// as on a broken wire.
//
// # Undoing faults: one word per notion
//
//   - Heal undoes one thing: [Fault.Heal] undoes that fault (whatever its
//     kind: it starts a killed node, resumes a paused one, removes cuts);
//     a node's Heal (cluster.Node.Heal, Networker.HealNode) removes that
//     node's network faults.
//   - HealNetwork (cluster.Cluster.HealNetwork) removes every node's
//     network faults, and nothing else.
//   - HealAll ([HealAll], Cluster.HealAll) undoes every fault of every kind
//     on every node, whoever caused it, without waiting.
//   - Recover (cluster.Cluster.Recover) is HealAll, then a wait until the
//     cluster is ready (every node a voter, a leader, a write read back).
//
// Start and Resume keep their names: they are what the history records as
// the end of a kill or a pause.
//
// Targets are chosen by pure functions of the node ids, the current leader
// and a seeded *rand.Rand ([PickNode], [RandomHalves], [IsolateOne],
// [RandomMinority], [RingCuts], [BridgeCuts], [OneWayCuts]); they
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
//	partition "n1 | n2 n3" … heal "n1 | n2 n3"   (Partition, Stall)
//	partition "ring n3 n5 n4 n1 n2" … heal …      (each hears its ring neighbours)
//	partition "n4 n5 | n1 n2 bridged by n3" … heal …
//	partition "n2 n3 -x-> n1" … heal …           (OneWay: n1 hears nobody)
//	drop "n2 30%"  … heal "n2 30%"   (Drop)
//	limit "n2 50KB/s" … heal "n2 50KB/s"        (Limit)
//	delay "n2 100ms" … heal "n2 100ms" (Delay; also "n2 50ms±40ms", "n2 50ms reorder 25%")
//	member-remove n2 … member-add n2 (MemberRemove: removed through the API while running, added back)
//	wipe n2        … member-add n2   (MemberReplace: disk lost, replaced by an empty member)
//	grow "n4 n5"   … shrink "n4 n5"  (GrowShrink)
//	crash "n1 n2 n3" … start "n1 n2 n3"   (CrashAll; KillMajority records kill "n1 n3" … start "n1 n3")
//	restart-rolling "n1 n3 n2" … start "n1 n3 n2"   (RollingRestart, leader last)
//	truncate n2    … start n2        (DiskTruncate; … member-add n2 when it refused to start and was replaced)
//	bitflip "n2 snapshot" … start "n2 snapshot"     (BitFlip; likewise)
//	disk-lies "n1 n3" … start "n1 n3"               (DiskLies: the liars; Heal starts the others)
//	failpoint "n2 fsm-before-commit=1*panic" … start "…" (Failpoint: the node crashed at the point and was started)
//	failpoint "n2 readindex-before-confirm=sleep(300ms)" … heal "…" (Failpoint: every target still answered; disarmed)
//	failpoint "n3 snapshot-before-restore=1*panic, cut off" … start "…" (RestoreCrash)
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
