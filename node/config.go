package node

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"

	"github.com/hashicorp/raft"

	"github.com/raftlab/raftlab/failpoint"
	"github.com/raftlab/raftlab/nodeflags"
)

// Config is everything a node needs. Zero durations take the defaults of
// DefaultConfig.
type Config struct {
	ID string
	// HTTPAddr is where the HTTP API listens; HTTPAdvertise is how other
	// members reach it (defaults to HTTPAddr).
	HTTPAddr, HTTPAdvertise string
	// RaftAddr is the raft TCP bind address; RaftAdvertise must be an IP:port
	// (raft refuses host names) and defaults to RaftAddr.
	RaftAddr, RaftAdvertise string
	// Join is the HTTP address of any member; empty means "bootstrap a new
	// cluster if this node has no raft state".
	Join string
	// DataDir holds the state machine, RaftDir the raft log, stable store and snapshots.
	DataDir, RaftDir string

	// Settings are the node's tunables (raft timeouts, snapshots, read
	// level, limits, log level); package nodeflags defines their flags.
	nodeflags.Settings
	// Failpoints arms failpoints and planted bugs at start
	// ("name=term;name2=term", DESIGN.md). Only the failpoint build (-tags
	// failpoints) accepts it.
	Failpoints string

	// wrapStream, when set, wraps the raft stream layer (tests cut a node
	// off the network with it).
	wrapStream func(raft.StreamLayer) raft.StreamLayer

	// Logger receives the node's structured logs; RaftLog receives raft's
	// own (hclog) lines at Settings.LogLevel.
	Logger  *slog.Logger
	RaftLog io.Writer
}

// DefaultConfig returns production-safe settings (raft's own defaults; see
// nodeflags.Defaults).
func DefaultConfig() Config {
	return Config{Settings: nodeflags.Defaults()}
}

// withDefaults fills zero fields from DefaultConfig and checks the rest.
func (c Config) withDefaults() (Config, error) {
	c.Settings = c.Settings.WithDefaults()
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.RaftLog == nil {
		c.RaftLog = io.Discard
	}
	if c.HTTPAdvertise == "" {
		c.HTTPAdvertise = c.HTTPAddr
	}
	if c.RaftAdvertise == "" {
		c.RaftAdvertise = c.RaftAddr
	}
	var errs []error
	if c.ID == "" {
		errs = append(errs, errors.New("-id is required"))
	}
	if c.DataDir == "" || c.RaftDir == "" {
		errs = append(errs, errors.New("-datadir and -raftdir are required"))
	}
	if c.Failpoints != "" && !failpoint.Enabled {
		errs = append(errs, errors.New("-failpoints: this binary was built without failpoints (go build -tags failpoints)"))
	}
	if err := c.Settings.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := advertisable(c.RaftAdvertise); err != nil {
		errs = append(errs, fmt.Errorf("raft advertise address: %w", err))
	}
	if err := advertisable(c.HTTPAdvertise); err != nil && c.HTTPAdvertise != "" {
		// A host name is fine for HTTP; only an unspecified IP is not.
		if host, _, e := net.SplitHostPort(c.HTTPAdvertise); e != nil || net.ParseIP(host) != nil {
			errs = append(errs, fmt.Errorf("http advertise address: %w", err))
		}
	}
	if c.LeaderLeaseTimeout > c.HeartbeatTimeout {
		errs = append(errs, fmt.Errorf("leader lease timeout %v must not exceed heartbeat timeout %v", c.LeaderLeaseTimeout, c.HeartbeatTimeout))
	}
	if c.ElectionTimeout < c.HeartbeatTimeout {
		errs = append(errs, fmt.Errorf("election timeout %v must be at least the heartbeat timeout %v", c.ElectionTimeout, c.HeartbeatTimeout))
	}
	return c, errors.Join(errs...)
}

// advertisable checks that addr is IP:port with a specific (not 0.0.0.0) IP.
// Port 0 is accepted: Start replaces it with the port actually bound.
func advertisable(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q: %w", addr, err)
	}
	if port == "" {
		return fmt.Errorf("%q: needs a port", addr)
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return fmt.Errorf("%q: must be an IP address", addr)
	}
	if ip.IsUnspecified() {
		return fmt.Errorf("%q: cannot advertise an unspecified address; give an advertise flag", addr)
	}
	return nil
}
