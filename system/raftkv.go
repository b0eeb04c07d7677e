package system

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/raftlab/raftlab/api"
	"github.com/raftlab/raftlab/cluster"
)

// Raftkv is this tree's store in Docker (package cluster): the reference
// system every scenario and nemesis is written for, so it lacks nothing.
// NodeSrc builds the node from another checkout; Image runs a ready image
// that speaks raftkv's flags and HTTP API.
type Raftkv struct {
	NodeSrc string
	Image   string
}

// Name implements System.
func (Raftkv) Name() string { return "raftkv" }

// Lacks implements System: raftkv has every capability.
func (Raftkv) Lacks(Capability) string { return "" }

// Start implements System.
func (r Raftkv) Start(ctx context.Context, cfg Config) (Cluster, error) {
	c, err := cluster.Start(ctx, r.options(cfg))
	if err != nil {
		return nil, err
	}
	return Docker{c}, nil
}

// options are the cluster options of cfg: the lab's fast raft timings and
// apply timeout, cfg's node settings on top, cfg's failpoints armed.
func (r Raftkv) options(cfg Config) cluster.Options {
	o := cluster.Options{
		Nodes:   cfg.Nodes,
		LogDir:  cfg.LogDir,
		Logger:  cfg.Logger,
		Image:   r.Image,
		NodeSrc: r.NodeSrc,
		Reach:   cfg.Reach,
	}.FastRaft()
	o.ApplyTimeout = cfg.ApplyTimeout
	o.Settings = cfg.Node.Or(o.Settings)
	if len(cfg.Failpoints) > 0 {
		arms := make([]string, 0, len(cfg.Failpoints))
		for _, f := range cfg.Failpoints {
			arms = append(arms, f.Name+"="+f.Term)
		}
		o.ExtraArgs = append(o.ExtraArgs, "-failpoints="+strings.Join(arms, ";"))
	}
	return o
}

// Docker adapts a *cluster.Cluster (of any cluster.Store) to Cluster.
type Docker struct{ *cluster.Cluster }

// Client implements Cluster.
func (d Docker) Client(ctx context.Context, id string, timeout time.Duration) (api.KV, error) {
	n := d.Node(id)
	if n == nil {
		return nil, fmt.Errorf("no node %s", id)
	}
	return n.KV(ctx, timeout)
}

// Reach implements Cluster.
func (d Docker) Reach() string { return string(d.Cluster.Reach()) }

var _ Cluster = Docker{}
