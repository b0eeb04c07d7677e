// Command raftkv runs one node of the replicated key-value store: raft
// (hashicorp/raft) with its log, stable store and state machine in BadgerDB,
// behind a small HTTP API. See README.md and DESIGN.md for the API.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/raftlab/raftlab/api"
	"github.com/raftlab/raftlab/node"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

func run(args []string, stderr io.Writer) int {
	cfg, level, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "raftkv: %v\n", err)
		return 2
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	cfg.Logger = logger
	cfg.RaftLog = stderr

	n, err := node.Start(cfg)
	if err != nil {
		logger.Error("start failed", "err", err)
		return 1
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	s := <-sig
	logger.Info("stopping", "signal", s.String())
	if err := n.Close(); err != nil {
		logger.Error("stop", "err", err)
		return 1
	}
	logger.Info("stopped")
	return 0
}

func parseFlags(args []string, out io.Writer) (node.Config, slog.Level, error) {
	cfg := node.DefaultConfig()
	fs := flag.NewFlagSet("raftkv", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprint(out, `raftkv: one node of a replicated key-value store (hashicorp/raft + BadgerDB).

The first node (no -join) bootstraps a one-node cluster if it has no raft state;
others start with -join=HOST:PORT (any member's HTTP address) and are added as voters.
Restarting with the same directories rejoins; it never bootstraps again.

Flags:
`)
		fs.PrintDefaults()
	}
	readLevel := string(cfg.DefaultRead)
	logLevel := "warn"
	fs.StringVar(&cfg.ID, "id", "", "node ID, unique in the cluster (required)")
	fs.StringVar(&cfg.HTTPAddr, "http", "127.0.0.1:9000", "HTTP API listen address")
	fs.StringVar(&cfg.HTTPAdvertise, "http-advertise", "", "HTTP address other members use to reach this node (default: -http)")
	fs.StringVar(&cfg.RaftAddr, "raft", "127.0.0.1:10000", "raft TCP listen address")
	fs.StringVar(&cfg.RaftAdvertise, "raft-advertise", "", "raft address announced to peers, an IP:port (default: -raft)")
	fs.StringVar(&cfg.Join, "join", "", "HTTP address of a member to join; empty bootstraps a new cluster")
	fs.StringVar(&cfg.DataDir, "datadir", "", "BadgerDB directory of the state machine (required)")
	fs.StringVar(&cfg.RaftDir, "raftdir", "", "directory of the raft log, stable store and snapshots (required)")
	fs.StringVar(&logLevel, "log-level", logLevel, "log level of the node and of raft: error, warn, info or debug")
	fs.StringVar(&readLevel, "default-read", readLevel, "read level of a GET without ?consistency=: stale, leader or linearizable")
	fs.DurationVar(&cfg.HeartbeatTimeout, "heartbeat-timeout", cfg.HeartbeatTimeout, "raft heartbeat timeout")
	fs.DurationVar(&cfg.ElectionTimeout, "election-timeout", cfg.ElectionTimeout, "raft election timeout (>= heartbeat timeout)")
	fs.DurationVar(&cfg.LeaderLeaseTimeout, "leader-lease-timeout", cfg.LeaderLeaseTimeout, "raft leader lease timeout (<= heartbeat timeout)")
	fs.DurationVar(&cfg.CommitTimeout, "commit-timeout", cfg.CommitTimeout, "raft commit timeout")
	fs.DurationVar(&cfg.SnapshotInterval, "snapshot-interval", cfg.SnapshotInterval, "how often raft checks whether to snapshot")
	fs.Uint64Var(&cfg.SnapshotThreshold, "snapshot-threshold", cfg.SnapshotThreshold, "entries since the last snapshot before a new one is taken")
	fs.DurationVar(&cfg.ApplyTimeout, "apply-timeout", cfg.ApplyTimeout, "how long a write or linearizable read may wait inside the node")
	fs.Int64Var(&cfg.MaxBodyBytes, "max-body", cfg.MaxBodyBytes, "largest request body accepted, in bytes")
	addBuildFlags(fs, &cfg)
	if err := fs.Parse(args); err != nil {
		return cfg, 0, err
	}
	if fs.NArg() > 0 {
		return cfg, 0, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	var err error
	if cfg.DefaultRead, err = api.ParseReadLevel(readLevel); err != nil {
		return cfg, 0, fmt.Errorf("-default-read: %w", err)
	}
	level, err := parseLevel(logLevel)
	if err != nil {
		return cfg, 0, err
	}
	cfg.RaftLogLevel = logLevel
	if cfg.ID == "" {
		return cfg, 0, errors.New("-id is required")
	}
	if cfg.DataDir == "" || cfg.RaftDir == "" {
		return cfg, 0, errors.New("-datadir and -raftdir are required")
	}
	return cfg, level, nil
}

func parseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(s) {
	case "error":
		return slog.LevelError, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "info":
		return slog.LevelInfo, nil
	case "debug", "trace":
		return slog.LevelDebug, nil
	}
	return 0, fmt.Errorf("-log-level: unknown level %q (want error, warn, info or debug)", s)
}
