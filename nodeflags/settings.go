// Package nodeflags is the one place that knows a node's tunable settings
// and their command-line flags. The node binary (cmd/raftkv) registers them
// on its flag set; the lab (cluster) turns the settings it wants into the
// node's arguments. Both sides use the same struct, so a setting cannot be
// wired on one side and forgotten on the other.
//
// It imports neither raft nor Badger: the lab links it.
//
// Adding a setting is one edit here: a field of Settings with a `flag` and a
// `usage` tag and its default in Defaults. Register, Args and WithDefaults
// find it by reflection; the round-trip test fails for a field they cannot
// encode. The node then reads the field from node.Config, which embeds
// Settings.
package nodeflags

import (
	"time"

	"github.com/raftlab/raftlab/api"
)

// Settings are a node's tunables. A zero field means "the node's default"
// (Defaults): Args leaves it out and WithDefaults fills it in.
type Settings struct {
	HeartbeatTimeout   time.Duration `flag:"heartbeat-timeout" usage:"raft heartbeat timeout"`
	ElectionTimeout    time.Duration `flag:"election-timeout" usage:"raft election timeout (>= heartbeat timeout)"`
	LeaderLeaseTimeout time.Duration `flag:"leader-lease-timeout" usage:"raft leader lease timeout (<= heartbeat timeout)"`
	CommitTimeout      time.Duration `flag:"commit-timeout" usage:"raft commit timeout"`

	SnapshotInterval  time.Duration `flag:"snapshot-interval" usage:"how often raft checks whether to snapshot"`
	SnapshotThreshold uint64        `flag:"snapshot-threshold" usage:"entries since the last snapshot before a new one is taken"`
	// SnapshotTrailingLogs is raft's TrailingLogs: entries kept in the log
	// after a snapshot, so that a slightly lagging follower catches up from
	// the log instead of installing the snapshot. Set it low to make the
	// lab exercise snapshot installs.
	SnapshotTrailingLogs uint64 `flag:"snapshot-trailing-logs" usage:"log entries kept after a snapshot (raft's TrailingLogs); fewer means lagging followers install snapshots"`

	// ApplyTimeout bounds how long a write or a read waits inside the node.
	ApplyTimeout time.Duration `flag:"apply-timeout" usage:"how long a write or linearizable read may wait inside the node"`
	// DefaultRead is the level of a GET that names none.
	DefaultRead api.ReadLevel `flag:"default-read" usage:"read level of a GET without ?consistency=: stale, leader or linearizable"`
	// MaxBodyBytes caps request bodies (413 beyond).
	MaxBodyBytes int64 `flag:"max-body" usage:"largest request body accepted, in bytes"`
	// LogLevel is the level of the node's and raft's logs.
	LogLevel string `flag:"log-level" usage:"log level of the node and of raft: error, warn, info or debug"`
}

// Defaults are the node's defaults: raft's own timeouts and snapshot
// settings, linearizable reads, 1 MiB bodies, warnings and errors logged.
func Defaults() Settings {
	return Settings{
		HeartbeatTimeout:     time.Second,
		ElectionTimeout:      time.Second,
		LeaderLeaseTimeout:   500 * time.Millisecond,
		CommitTimeout:        50 * time.Millisecond,
		SnapshotInterval:     120 * time.Second,
		SnapshotThreshold:    8192,
		SnapshotTrailingLogs: 10240,
		ApplyTimeout:         5 * time.Second,
		DefaultRead:          api.ReadLinearizable,
		MaxBodyBytes:         1 << 20,
		LogLevel:             "warn",
	}
}
