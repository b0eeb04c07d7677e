package chaos

import (
	"context"
	"time"

	"github.com/raftlab/raftlab/api"
)

// Cluster is what the nemeses need from a cluster: its node ids, its
// leader, and per-node handles addressed by id. *cluster.Cluster satisfies
// it (asserted in package scenarios); the tests use an in-memory fake, so
// every nemesis is tested without Docker. Package chaos does not import
// package cluster.
//
// Undoing faults uses one vocabulary across the lab (see the package doc):
// HealNode removes one node's network faults; HealAll undoes every fault of
// every kind on every node without waiting; cluster.Cluster.Recover is
// HealAll and then a wait until the cluster is ready.
type Cluster interface {
	// NodeIDs returns the node ids in a fixed order (n1, n2, ...).
	NodeIDs() []string
	// LeaderID returns the leader a majority agrees on, waiting for one
	// until ctx ends.
	LeaderID(ctx context.Context) (string, error)
	// NodeStatus returns a node's /status.
	NodeStatus(ctx context.Context, id string) (*api.Status, error)

	// KillNode crashes a node (SIGKILL).
	KillNode(ctx context.Context, id string) error
	// StopNode shuts a node down cleanly (SIGTERM, killed after grace).
	StopNode(ctx context.Context, id string, grace time.Duration) error
	// StartNode starts a killed or stopped node with its data.
	StartNode(ctx context.Context, id string) error
	// PauseNode freezes a node; ResumeNode thaws it.
	PauseNode(ctx context.Context, id string) error
	ResumeNode(ctx context.Context, id string) error

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

	// HealAll undoes every fault of every kind on every node, whoever
	// caused it, without waiting for the cluster to be ready again.
	HealAll(ctx context.Context) error

	// Membership changes, whole-cluster crashes and disk damage.
	Membership

	// ArmFailpoint arms the node's failpoint name with term ("off"
	// disarms); it needs the failpoint build (the lab's image). An error
	// from a node that does not answer is how a crash at a point shows.
	ArmFailpoint(ctx context.Context, id, name, term string) error

	// TransferLeader asks the cluster through node via (forwarded to the
	// leader) to hand leadership to node to ("" = raft's choice), and
	// returns the new leader if the old one knew it when it answered.
	TransferLeader(ctx context.Context, via, to string) (string, error)

	// Operator errors with a down node's directories (DirRaft, DirData),
	// each describing what it did: SaveNodeDir copies one aside under a
	// name, RestoreNodeDir puts that copy back in its place,
	// RemoveNodeDir deletes it.
	SaveNodeDir(ctx context.Context, id, dir, copy string) (string, error)
	RestoreNodeDir(ctx context.Context, id, dir, copy string) (string, error)
	RemoveNodeDir(ctx context.Context, id, dir string) (string, error)
}
