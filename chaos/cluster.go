package chaos

import (
	"context"
	"time"

	"github.com/raftlab/raftlab/api"
)

// Cluster is what every nemesis needs from a cluster: its node ids, its
// leader, a node's status, undoing everything and waiting until it is
// whole. What a nemesis does to nodes (kill, pause, cut, damage, ...) is a
// capability: a small interface below that a cluster implements only if
// its system can do it. A nemesis asserts the ones it needs at Inject time
// (need) and fails with a [LacksError] naming the missing one; package
// system maps its Capabilities onto these interfaces, so a scenario whose
// nemeses need what a system lacks is "not applicable" and never runs.
//
// *cluster.Cluster implements all of them (asserted in package
// scenarios); a system wraps it to offer fewer. The tests use an
// in-memory fake, so every nemesis is tested without Docker. Package chaos
// does not import package cluster.
//
// Undoing faults uses one vocabulary across the lab (see the package doc):
// Networker.HealNode removes one node's network faults; HealAll undoes
// every fault of every kind on every node without waiting;
// cluster.Cluster.Recover is HealAll and then a wait until the cluster is
// ready.
type Cluster interface {
	// NodeIDs returns the node ids in a fixed order (n1, n2, ...).
	NodeIDs() []string
	// LeaderID returns the leader a majority agrees on, waiting for one
	// until ctx ends.
	LeaderID(ctx context.Context) (string, error)
	// NodeStatus returns a node's /status.
	NodeStatus(ctx context.Context, id string) (*api.Status, error)
	// HealAll undoes every fault of every kind on every node, whoever
	// caused it, without waiting for the cluster to be ready again.
	HealAll(ctx context.Context) error
	// WaitReady waits until every node is a ready voter, a leader is agreed
	// on and a write round-trips.
	WaitReady(ctx context.Context) error
}

// Killer crashes, stops and starts nodes.
type Killer interface {
	// KillNode crashes a node (SIGKILL).
	KillNode(ctx context.Context, id string) error
	// StopNode shuts a node down cleanly (SIGTERM, killed after grace).
	StopNode(ctx context.Context, id string, grace time.Duration) error
	// StartNode starts a killed or stopped node with its data.
	StartNode(ctx context.Context, id string) error
	// KillNodes sends SIGKILL to the nodes at the same moment and returns
	// the spread of their exits.
	KillNodes(ctx context.Context, ids []string) (time.Duration, error)
}

// Pauser freezes and thaws nodes.
type Pauser interface {
	// PauseNode freezes a node; ResumeNode thaws it.
	PauseNode(ctx context.Context, id string) error
	ResumeNode(ctx context.Context, id string) error
}

// Networker damages the links between nodes: cuts, loss, bandwidth, delay.
type Networker interface {
	// CutFrom makes node id drop every packet it receives from the nodes in
	// from: the links from → id go down, id → from stay up. Cuts add up.
	CutFrom(ctx context.Context, id string, from []string) error
	// DropNode makes a node lose percent (1..100) of the packets it
	// exchanges with its peers, both ways, at random.
	DropNode(ctx context.Context, id string, percent int) error
	// LimitNode shapes everything a node sends to bytesPerSec.
	LimitNode(ctx context.Context, id string, bytesPerSec uint64) error
	// DelayNode holds every packet a node exchanges with its peers, both
	// ways, for delay±jitter in user space; reorder percent of them skip
	// the hold. It returns the fault as people read it ("100ms±20ms").
	DelayNode(ctx context.Context, id string, delay, jitter time.Duration, reorder float64) (string, error)
	// HealNode removes every network fault (cut, drop, limit, delay) of a node.
	HealNode(ctx context.Context, id string) error
}

// Failpointer arms the store's named crash points at run time.
type Failpointer interface {
	// ArmFailpoint arms the node's failpoint name with term ("off"
	// disarms); it needs the failpoint build (the lab's image). An error
	// from a node that does not answer is how a crash at a point shows.
	ArmFailpoint(ctx context.Context, id, name, term string) error
}

// LeaderTransferer moves leadership through the store's own API.
type LeaderTransferer interface {
	// TransferLeader asks the cluster through node via (forwarded to the
	// leader) to hand leadership to node to ("" = raft's choice), and
	// returns the new leader if the old one knew it when it answered.
	TransferLeader(ctx context.Context, via, to string) (string, error)
}
