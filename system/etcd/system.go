package etcd

import (
	"context"

	"github.com/raftlab/raftlab/chaos"
	"github.com/raftlab/raftlab/cluster"
	"github.com/raftlab/raftlab/system"
)

// System is etcd as a system under test.
type System struct {
	// Image, when set, runs a ready etcd image instead of building one.
	Image string
	// Version is the release to build ("" = the default, Version); see
	// Releases.
	Version string
	// Variant, when set, names failpoints armed at start (Variants); only a
	// gofail release has them.
	Variant string
}

// Name implements system.System: "etcd", or with a release and a variant
// "etcd@v3.5.4+slow-wal" (what ParseName reads back).
func (s System) Name() string {
	n := "etcd"
	if s.Version != "" {
		n += "@" + s.Version
	}
	if s.Variant != "" {
		n += "+" + s.Variant
	}
	return n
}

// lacks says why etcd lacks a capability here.
var lacks = map[system.Capability]string{
	system.Failpoints:       "raftkv's failpoint names do not exist in etcd, and etcd's gofail points are armed at start (a variant such as etcd@v3.5.4+slow-wal), not per fault window",
	system.PlantedBugs:      "the planted bugs are raftkv's",
	system.SnapshotCounters: "etcd's status has no snapshot counters the lab reads",
	system.NodeSettings:     "the scenario tunes raftkv's flags (raft timings, snapshot thresholds)",
	system.ReadLeader:       "etcd offers no lease read level: reads are linearizable or serializable",
	system.StateFromLog:     "etcd keeps its applied state and applied index in bbolt, beside the WAL: with a majority's WAL tails lost it stalled instead of losing acknowledged writes (disk-lies-majority seed 1: no leader among the liars, the cluster not ready after healing), so disk-lies' must-fail expectation does not hold for it",
}

// Lacks implements system.System. A fault handle is offered exactly when
// Cluster implements its chaos interface.
func (System) Lacks(c system.Capability) string {
	if impl, handle := system.Implements(Cluster{}, c); impl || (!handle && c == system.ReadStale) {
		return ""
	}
	if r, ok := lacks[c]; ok {
		return r
	}
	return "not known to work on etcd"
}

// Start implements system.System.
func (s System) Start(ctx context.Context, cfg system.Config) (system.Cluster, error) {
	if err := system.CheckNoNodeData(s.Name(), cfg); err != nil {
		return nil, err
	}
	store, err := s.store()
	if err != nil {
		return nil, err
	}
	c, err := cluster.Start(ctx, cluster.Options{
		Nodes:  cfg.Nodes,
		LogDir: cfg.LogDir,
		Logger: cfg.Logger,
		Reach:  cfg.Reach,
		Store:  store,
	})
	if err != nil {
		return nil, err
	}
	d := system.Docker{Cluster: c}
	return Cluster{Cluster: d, Killer: d, Pauser: d, Networker: d, Members: d, Disker: d, LinkProber: d, nodes: c}, nil
}

// Cluster is a running etcd cluster. It offers the pods' kill, pause and
// network handles, membership (package cluster's node lifecycle with
// etcd's member API: Store is a cluster.MemberAPI), disk faults on etcd's
// own files (Store is a cluster.DiskLayout) and leader transfer (etcd's
// MoveLeader, TransferLeader). It does not implement chaos.Failpointer:
// the lab's failpoint names are raftkv's, and a nemesis needing one fails
// on it (a scenario needing one is not applicable). The pods' link probe
// comes along, so the schedule sees its network faults take effect.
type Cluster struct {
	system.Cluster
	chaos.Killer
	chaos.Pauser
	chaos.Networker
	chaos.Members
	chaos.Disker
	chaos.LinkProber
	nodes *cluster.Cluster
}

var _ system.System = System{}

var _ system.Cluster = Cluster{}
