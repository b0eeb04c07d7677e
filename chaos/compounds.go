package chaos

import "time"

// Compounds are the compound windows the lab names (compound-<label>),
// each a line of data. Relations are to the leader the window began with
// and to the window's partition (Aim).
func Compounds() []Compound {
	isolate := Partition{Shape: Isolate}
	return []Compound{
		// The leader cut off and frozen: a stall built from parts.
		{Label: "isolate-pause-leader", Parts: []Part{
			{Nemesis: isolate, Aim: Aim{Role: TheLeader}},
			{Nemesis: Pause{}, Aim: Aim{Same: 1}},
		}},
		// The leader cut off and a node of the majority killed: no quorum
		// anywhere; the old leader steps down and no one succeeds it
		// until the window ends.
		{Label: "isolate-leader-kill-other", Parts: []Part{
			{Nemesis: isolate, Aim: Aim{Role: TheLeader}},
			{Nemesis: Kill{}, Aim: Aim{Side: OtherSide}},
		}},
		// A follower cut off and the leader's remaining follower killed:
		// the leader loses its quorum (deposed) while the isolated node
		// campaigns alone.
		{Label: "isolate-follower-kill-leader-side", Parts: []Part{
			{Nemesis: isolate, Aim: Aim{Role: AFollower}},
			{Nemesis: Kill{}, Aim: Aim{Side: LeaderSide, Role: AFollower}},
		}},
		// A follower cut off and the leader killed: the survivor cannot
		// win an election alone; the restarted leader starts while the
		// follower is still away.
		{Label: "isolate-follower-kill-leader", Parts: []Part{
			{Nemesis: isolate, Aim: Aim{Role: AFollower}},
			{Nemesis: Kill{}, Aim: Aim{Side: LeaderSide, Role: TheLeader}},
		}},
		// A follower cut off and frozen: the leader keeps its quorum.
		{Label: "isolate-pause-follower", Parts: []Part{
			{Nemesis: isolate, Aim: Aim{Role: AFollower}},
			{Nemesis: Pause{}, Aim: Aim{Same: 1}},
		}},
		// A membership change and a partition: a follower removed, then
		// the other follower cut off, so the shrunk configuration has no
		// quorum; healed by reconnecting, then adding the member back.
		{Label: "remove-isolate", Parts: []Part{
			{Nemesis: MemberRemove{}, Aim: Aim{Role: AFollower}},
			{Nemesis: isolate, Aim: Aim{Role: AFollower}},
		}, Settle: 500 * time.Millisecond},
		// A node crashed while cut off, started again while still cut off,
		// and reconnected Settle later: a restart that finds no peer.
		{Label: "isolate-restart-follower", Parts: []Part{
			{Nemesis: isolate, Aim: Aim{Role: AFollower}},
			{Nemesis: Kill{}, Aim: Aim{Same: 1}},
		}, Settle: 3 * time.Second},
		{Label: "isolate-restart-leader", Parts: []Part{
			{Nemesis: isolate, Aim: Aim{Role: TheLeader}},
			{Nemesis: Kill{}, Aim: Aim{Same: 1}},
		}, Settle: 3 * time.Second},
		// The bootstrap node cut off, its raft directory deleted while it
		// is stopped, and started again at once, still cut off: a store
		// that trusts its data directory bootstraps a second cluster here.
		// The partition is undone first, so that a node that refused to
		// start can be replaced.
		{Label: "isolate-raft-dir-lost-first", Parts: []Part{
			{Nemesis: isolate, Aim: Aim{Role: FirstNode}},
			{Nemesis: DirLost{Dir: DirRaft, Start: true}, Aim: Aim{Same: 1}},
		}, HealInOrder: true},
		// A follower crashed behind a lossy link: it starts again and
		// catches up (a snapshot install when the leader compacted past
		// it) while 30% of its packets are lost, for Settle.
		{Label: "loss-kill-follower", Parts: []Part{
			{Nemesis: Drop{Percent: 30}, Aim: Aim{Role: AFollower}},
			{Nemesis: Kill{}, Aim: Aim{Same: 1}},
		}, Settle: 1500 * time.Millisecond},
	}
}

// compoundByName returns the named compound of Compounds.
func compoundByName(name string) (Nemesis, bool) {
	for _, k := range Compounds() {
		if k.Name() == name {
			return k, true
		}
	}
	return nil, false
}
