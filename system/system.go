// Package system is the seam between the lab and the store it tests: a
// System builds or finds its image, starts N nodes and hands back a Cluster
// (the core chaos needs, a workload client per node, the leader and status
// probe, and the fault handles it offers as chaos capability interfaces).
// What a system can be subjected to is a set of Capabilities, the fault
// handles among them offered exactly when its Cluster implements their
// interfaces (Implements); a scenario that needs one the system lacks is
// "not applicable" and never runs (package scenarios).
//
// raftkv (this tree's store, in Docker) is the default System; etcd
// (package system/etcd) is the second. Adding a third is a new package
// with a cluster.Store (image, command line, probe, client), a cluster type
// embedding the handles it offers, and a System value: no scenario and no
// nemesis changes (docs/ARCHITECTURE.md).
package system

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/raftlab/raftlab/api"
	"github.com/raftlab/raftlab/chaos"
	"github.com/raftlab/raftlab/cluster"
	"github.com/raftlab/raftlab/nodeflags"
)

// A System is a store the lab can test.
type System interface {
	// Name is how command lines and reports name it ("raftkv", "etcd").
	Name() string
	// Lacks returns why the system cannot offer c, or "" when it can.
	Lacks(c Capability) string
	// Start starts a cluster of cfg.Nodes nodes and returns once it is
	// ready (a leader is agreed on and a write reads back).
	Start(ctx context.Context, cfg Config) (Cluster, error)
}

// Config is what every system needs to start a cluster.
type Config struct {
	Nodes  int
	LogDir string // node logs, saved on Close
	Logger *slog.Logger
	Reach  cluster.Reach
	// ApplyTimeout bounds a write inside the store where the store has such
	// a setting (raftkv's -apply-timeout).
	ApplyTimeout time.Duration
	// Node are the store's node settings (raftkv's flags: raft timings,
	// snapshot thresholds) on top of the system's own; a zero field keeps
	// the system's value. Non-zero needs NodeSettings: a system without it
	// refuses to start.
	Node nodeflags.Settings
	// Failpoints are armed in every node from its start (raftkv's
	// -failpoints): the self-test's planted bugs, crash points. Needs
	// PlantedBugs.
	Failpoints []StartFailpoint
}

// StartFailpoint is a failpoint armed when a node starts: a planted bug
// ("bug-...", term "on") or a crash point ("snapshot-persist",
// "1*panic"); the terms are package failpoint's.
type StartFailpoint struct {
	Name string `json:"name"`
	Term string `json:"term"`
}

// CheckNoNodeData is what a system without NodeSettings and PlantedBugs
// answers to a Config that asks for either: an error naming them (the
// runner never starts one: the scenario is not applicable).
func CheckNoNodeData(name string, cfg Config) error {
	var asked []string
	if cfg.Node != (nodeflags.Settings{}) {
		asked = append(asked, "node settings "+strings.Join(cfg.Node.Args(), " "))
	}
	for _, f := range cfg.Failpoints {
		asked = append(asked, "failpoint "+f.Name+"="+f.Term)
	}
	if len(asked) > 0 {
		return fmt.Errorf("%s takes no raftkv node settings or start failpoints; asked for %s", name, strings.Join(asked, ", "))
	}
	return nil
}

// Cluster is a running system under test: the core every nemesis needs
// (chaos.Cluster) and what the runner needs. The fault handles a system
// offers are the chaos capability interfaces its Cluster value implements
// (chaos.Killer, chaos.Networker, ...), one per handle Capability
// (Implements); a system wraps its cluster so that it implements exactly
// the ones it offers, and a scenario that needs another is not applicable.
type Cluster interface {
	chaos.Cluster
	// Client returns a workload client bound to node id, each call
	// bounded by timeout.
	Client(ctx context.Context, id string, timeout time.Duration) (api.KV, error)
	// Image is the node image the cluster runs.
	Image() string
	// Reach is how the lab reaches the nodes (cluster.Reach).
	Reach() string
	// Close saves the logs and removes everything the cluster created.
	Close(ctx context.Context) error
}

// Capability is something a scenario may need from a system.
type Capability string

// The capabilities. Reading at the linearizable level is what every system
// offers, so it is not one.
const (
	Kill             Capability = "kill"              // SIGKILL, clean stop, restart (also whole-cluster)
	Pause            Capability = "pause"             // freeze and thaw a node
	Network          Capability = "network"           // cuts, loss, bandwidth, delay
	Disk             Capability = "disk"              // damage files of a stopped node
	Membership       Capability = "membership"        // remove, add, replace members
	Failpoints       Capability = "failpoints"        // named crash points armed at run time
	LeaderTransfer   Capability = "leader-transfer"   // move leadership through the store's API
	PlantedBugs      Capability = "planted-bugs"      // bugs the self-test arms
	SnapshotCounters Capability = "snapshot-counters" // /status snapshot figures
	NodeSettings     Capability = "node-settings"     // raftkv's node flags (raft timings, snapshot thresholds)
	ReadStale        Capability = "read-stale"        // a local read of any replica
	ReadLeader       Capability = "read-leader"       // a lease read at the leader
	// StateFromLog: the store's applied state is rebuilt from (or trusts)
	// its raft log after a crash, so a lying disk's lost log tail loses
	// acknowledged writes (the must-fail disk-lies expectation) instead of
	// stalling the store.
	StateFromLog Capability = "state-from-log"
)

// NotApplicable says why s cannot run a scenario needing needs, or "".
func NotApplicable(s System, needs []Capability) string {
	var why []string
	for _, c := range needs {
		if r := s.Lacks(c); r != "" {
			why = append(why, string(c)+": "+r)
		}
	}
	sort.Strings(why)
	return strings.Join(why, "; ")
}
