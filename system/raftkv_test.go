package system

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/raftlab/raftlab/cluster"
	"github.com/raftlab/raftlab/nodeflags"
)

// A scenario's node settings go on top of the lab's fast raft timings, and
// its start failpoints become raftkv's -failpoints flag.
func TestRaftkvOptions(t *testing.T) {
	fast := cluster.Options{}.FastRaft()
	o := Raftkv{}.options(Config{
		Nodes:        3,
		ApplyTimeout: 2 * time.Second,
		Node:         nodeflags.Settings{SnapshotThreshold: 64, ElectionTimeout: time.Second},
		Failpoints:   []StartFailpoint{{Name: "bug-a", Term: "on"}, {Name: "snapshot-persist", Term: "1*panic"}},
	})
	assert.Equal(t, uint64(64), o.SnapshotThreshold)
	assert.Equal(t, time.Second, o.ElectionTimeout, "the scenario's value wins")
	assert.Equal(t, fast.HeartbeatTimeout, o.HeartbeatTimeout, "a zero setting keeps the lab's")
	assert.Equal(t, 2*time.Second, o.ApplyTimeout)
	assert.Equal(t, []string{"-failpoints=bug-a=on;snapshot-persist=1*panic"}, o.ExtraArgs)

	plain := Raftkv{}.options(Config{Nodes: 3})
	assert.Equal(t, fast.Settings, plain.Settings)
	assert.Empty(t, plain.ExtraArgs)
}

// A system without node settings refuses a config that asks for them.
func TestCheckNoNodeData(t *testing.T) {
	assert.NoError(t, CheckNoNodeData("etcd", Config{Nodes: 3}))
	err := CheckNoNodeData("etcd", Config{Node: nodeflags.Settings{SnapshotThreshold: 64}, Failpoints: []StartFailpoint{{Name: "bug-a", Term: "on"}}})
	assert.EqualError(t, err, "etcd takes no raftkv node settings or start failpoints; asked for node settings -snapshot-threshold=64, failpoint bug-a=on")
}
