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

	"github.com/raftlab/raftlab/node"
	"github.com/raftlab/raftlab/nodeflags"
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
	fs.StringVar(&cfg.ID, "id", "", "node ID, unique in the cluster (required)")
	fs.StringVar(&cfg.HTTPAddr, "http", "127.0.0.1:9000", "HTTP API listen address")
	fs.StringVar(&cfg.HTTPAdvertise, "http-advertise", "", "HTTP address other members use to reach this node (default: -http)")
	fs.StringVar(&cfg.RaftAddr, "raft", "127.0.0.1:10000", "raft TCP listen address")
	fs.StringVar(&cfg.RaftAdvertise, "raft-advertise", "", "raft address announced to peers, an IP:port (default: -raft)")
	fs.StringVar(&cfg.Join, "join", "", "HTTP address of a member to join; empty bootstraps a new cluster")
	fs.StringVar(&cfg.DataDir, "datadir", "", "BadgerDB directory of the state machine (required)")
	fs.StringVar(&cfg.RaftDir, "raftdir", "", "directory of the raft log, stable store and snapshots (required)")
	// The tunables: one definition shared with the lab, which encodes the
	// same struct into these flags (nodeflags.Settings.Args).
	nodeflags.Register(fs, &cfg.Settings)
	addBuildFlags(fs, &cfg)
	if err := fs.Parse(args); err != nil {
		return cfg, 0, err
	}
	if fs.NArg() > 0 {
		return cfg, 0, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if err := cfg.Settings.Validate(); err != nil {
		return cfg, 0, err
	}
	level, err := nodeflags.ParseLogLevel(cfg.LogLevel)
	if err != nil {
		return cfg, 0, err
	}
	if cfg.ID == "" {
		return cfg, 0, errors.New("-id is required")
	}
	if cfg.DataDir == "" || cfg.RaftDir == "" {
		return cfg, 0, errors.New("-datadir and -raftdir are required")
	}
	return cfg, level, nil
}
