// Package system is the seam between the lab and the store it tests: a
// System builds or finds its image, starts N nodes and hands back a Cluster
// (the fault handles chaos needs, a workload client per node, the leader
// and status probe). What a system can be subjected to is a set of
// Capabilities; a scenario that needs one the system lacks is "not
// applicable" and never runs (package scenarios).
//
// raftkv (this tree's store, in Docker) is the default System; etcd
// (package system/etcd) is the second. Adding a third is a new package
// with a cluster.Store (image, command line, probe, client) and a System
// value: no scenario and no nemesis changes.
package system

import (
	"context"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/raftlab/raftlab/api"
	"github.com/raftlab/raftlab/chaos"
	"github.com/raftlab/raftlab/cluster"
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
	// Tune adjusts raftkv's cluster options (raft timings, snapshot
	// thresholds): scenarios that set it need NodeSettings.
	Tune func(cluster.Options) cluster.Options
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
