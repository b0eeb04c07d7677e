package chaos

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/raftlab/raftlab/fault"
)

// A Nemesis is one kind of fault with a rule for choosing its targets.
// Inject applies the fault to c, choosing targets with rng only, and returns
// the fault in place. On error nothing may be in place, or part of it: the
// caller heals everything ([HealAll]).
type Nemesis interface {
	// Name identifies the nemesis in schedules and reports, e.g. "kill-leader".
	Name() string
	Inject(ctx context.Context, c Cluster, rng *rand.Rand) (*Fault, error)
}

// A Fault is an injected fault: what was done to whom, and how to undo it.
// Its window records it as a fault.Fault (Record), the one shape run.json
// and the report know.
type Fault struct {
	// Nemesis is the name of the nemesis that injected it.
	Nemesis string
	// Kind is the f of the history event that opens the fault window
	// (fault.Kill, fault.Partition, ...).
	Kind fault.Kind
	// Value is the value of both history events: the target ("n2"), the
	// partition ("n1 | n2 n3") or the target and rate ("n2 30%").
	Value string
	// Targets are the nodes the fault acts on (every node for a partition).
	Targets []string
	// HealKind is the f of the history event that closes the window
	// (fault.Start, fault.Resume, fault.Heal).
	HealKind fault.Kind
	// Detail is what the injection measured or did, for people: the spread
	// of a simultaneous crash, the bytes a truncation cut (may be empty).
	Detail string
	// Parts are the faults of a compound window (Compound), in the order
	// they were injected; empty for a single fault. The history records
	// each part's own opening and closing events.
	Parts []*Fault

	heal  func(ctx context.Context) error
	aimed []string // a compound's parts' nodes ("" for a part that chose several)
	// healInOrder: a compound's parts are healed first in, first out.
	healInOrder bool
	mu          sync.Mutex
	healed      bool
}

// String is the fault as people read it: "kill n2".
func (f *Fault) String() string { return strings.TrimSpace(string(f.Kind) + " " + f.Value) }

// Record is the fault as its window records it, a compound's parts
// included.
func (f *Fault) Record() *fault.Fault {
	r := &fault.Fault{Nemesis: f.Nemesis, Kind: f.Kind, Value: f.Value, Targets: f.Targets, HealKind: f.HealKind, Detail: f.Detail}
	for _, p := range f.Parts {
		r.Parts = append(r.Parts, *p.Record())
	}
	return r
}

// Heal undoes the fault. A second call does nothing; a failed call may be
// retried.
func (f *Fault) Heal(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.healed || f.heal == nil {
		return nil
	}
	if err := f.heal(ctx); err != nil {
		return fmt.Errorf("heal %s: %w", f, err)
	}
	f.healed = true
	return nil
}

// NewFault builds a fault whose Heal calls heal. Nemeses outside this
// package use it.
func NewFault(nemesis string, kind fault.Kind, value string, targets []string, healKind fault.Kind, heal func(ctx context.Context) error) *Fault {
	return &Fault{Nemesis: nemesis, Kind: kind, Value: value, Targets: targets, HealKind: healKind, heal: heal}
}

// A Target says which node a single-node fault hits.
type Target int

const (
	// AnyNode is a node chosen at random.
	AnyNode Target = iota
	// Leader is the node a majority agrees is the leader.
	Leader
	// Follower is a node other than the leader, chosen at random.
	Follower
	// First is the first node (n1), the one that bootstrapped the cluster:
	// the only node started without -join, so the only one that would
	// bootstrap again if it lost its raft state.
	First
)

func (t Target) String() string {
	switch t {
	case AnyNode:
		return "node"
	case Leader:
		return "leader"
	case Follower:
		return "follower"
	case First:
		return "first"
	}
	return fmt.Sprintf("Target(%d)", int(t))
}

// ErrNoLeader is returned when a fault aimed at the leader finds none.
var ErrNoLeader = errors.New("chaos: no leader to target")

// LeaderWait bounds how long a nemesis waits for a leader to target.
const LeaderWait = 5 * time.Second

// currentLeader returns the id of the leader a majority agrees on, or ""
// when none is found within LeaderWait.
func currentLeader(ctx context.Context, c Cluster) string {
	lctx, cancel := context.WithTimeout(ctx, LeaderWait)
	defer cancel()
	id, err := c.LeaderID(lctx)
	if err != nil {
		return ""
	}
	return id
}

// pickTarget asks the cluster for its leader when t needs it, then chooses
// (see PickNode).
func pickTarget(ctx context.Context, c Cluster, t Target, rng *rand.Rand) (string, error) {
	leader := ""
	if t == Leader || t == Follower {
		leader = currentLeader(ctx, c)
	}
	return PickNode(c.NodeIDs(), leader, t, rng)
}

// HealAll undoes every fault this package can cause, whoever caused it:
// network rules are removed from every node, paused nodes are resumed, and
// stopped or killed nodes are started. It does not wait for the cluster to
// be ready again (cluster.Cluster.Recover does).
func HealAll(ctx context.Context, c Cluster) error { return c.HealAll(ctx) }
