package cluster

import (
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// A node's command line is its identity plus Options.Settings encoded by
// nodeflags (round-tripped there against the flags raftkv registers) plus
// ExtraArgs.
func TestNodeArgsCarryTheSettings(t *testing.T) {
	o := Options{ExtraArgs: []string{"-x"}}.FastRaft()
	o.SnapshotThreshold, o.SnapshotTrailingLogs, o.DefaultRead = 64, 8, "stale"
	n := &Node{c: &Cluster{opts: o}, id: "n2", ip: netip.MustParseAddr("10.213.1.12")}
	args := n.args("10.213.1.11:8080")
	assert.Equal(t, []string{"-id", "n2", "-http", "0.0.0.0:8080", "-http-advertise", "10.213.1.12:8080",
		"-raft", "0.0.0.0:7000", "-raft-advertise", "10.213.1.12:7000", "-datadir", "/data/kv", "-raftdir", "/data/raft",
		"-join", "10.213.1.11:8080"}, args[:16])
	assert.Equal(t, append(o.Settings.Args(), "-x"), args[16:])
	assert.Contains(t, args, "-snapshot-trailing-logs=8")
	assert.Contains(t, args, "-heartbeat-timeout="+(300*time.Millisecond).String())
}

func TestBadSettingsAreRefusedBeforeAnythingStarts(t *testing.T) {
	o := Options{}
	o.DefaultRead = "eventual"
	_, err := Start(t.Context(), o)
	assert.ErrorContains(t, err, "cluster: node settings: -default-read: unknown read level")
}
