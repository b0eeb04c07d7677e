package etcd

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/raftlab/raftlab/api"
	"github.com/raftlab/raftlab/cluster"
)

// Version is the default etcd release (server/go.mod); Releases lists the
// others the lab builds.
const Version = "v3.6.16"

// Timings of the members: etcd's defaults (100 ms heartbeats, 1 s election
// timeout), which a loaded two-core host keeps without spurious elections.
const (
	HeartbeatMillis = 100
	ElectionMillis  = 1000
)

// Store runs etcd in the lab's pods (cluster.Store): clients on
// cluster.HTTPPort, peers on cluster.RaftPort, so the holder's published
// port and every network rule apply as they do to raftkv. The members
// start together from a static member list.
type Store struct {
	// Image, when set, is a ready etcd image (its entrypoint etcd); else
	// the image of Release is built (see BuildRelease).
	Image string
	// Release is the etcd release to build (zero: the default).
	Release Release
	// Failpoints, when set, are gofail failpoints armed at start
	// (NAME=TERMS[;NAME=TERMS]); only a gofail release has them.
	Failpoints string
}

// Name implements cluster.Store.
func (Store) Name() string { return "etcd" }

// NodeImage implements cluster.Store.
func (s Store) NodeImage(ctx context.Context, _ string) (string, error) {
	if s.Image != "" {
		return s.Image, nil
	}
	if s.Release.Version == "" {
		return BuildImage(ctx)
	}
	return BuildRelease(ctx, s.Release)
}

// Args implements cluster.Store: one member of a new cluster of all, or,
// with join, a member announced through MemberAdd joining the existing
// configuration all.
func (s Store) Args(self cluster.NodeSpec, all []cluster.NodeSpec, join string) []string {
	state := "new"
	if join != "" {
		state = "existing"
	}
	var initial []string
	for _, n := range all {
		initial = append(initial, n.ID+"=http://"+n.RaftAddr)
	}
	args := []string{
		"--name", self.ID,
		"--data-dir", "/data/etcd",
		"--listen-client-urls", "http://0.0.0.0:" + strconv.Itoa(cluster.HTTPPort),
		"--advertise-client-urls", "http://" + self.HTTPAddr,
		"--listen-peer-urls", "http://0.0.0.0:" + strconv.Itoa(cluster.RaftPort),
		"--initial-advertise-peer-urls", "http://" + self.RaftAddr,
		"--initial-cluster", strings.Join(initial, ","),
		"--initial-cluster-state", state,
		"--initial-cluster-token", "raftlab",
		"--heartbeat-interval", strconv.Itoa(HeartbeatMillis),
		"--election-timeout", strconv.Itoa(ElectionMillis),
		"--log-level", "info",
	}
	if s.Failpoints != "" {
		// Read by the gofail release's main (server-vX/main.go), not etcd.
		args = append(args, "--raftlab-failpoints", s.Failpoints)
	}
	return args
}

// Probe implements cluster.Store.
func (Store) Probe(endpoint string, hc *http.Client) api.Probe {
	return NewClient(endpoint, hc, hc.Timeout)
}

// Client implements cluster.Store.
func (Store) Client(endpoint string, timeout time.Duration) api.KV {
	return NewClient(endpoint, nil, timeout)
}

var _ cluster.Store = Store{}
