package main

import (
	"bytes"
	"flag"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/nodeflags"
)

func TestHelpDocumentsEveryFlag(t *testing.T) {
	var out bytes.Buffer
	code := run([]string{"-h"}, &out)
	assert.Equal(t, 0, code)
	flags := []string{"id", "http", "http-advertise", "raft", "raft-advertise", "join", "datadir", "raftdir",
		"log-level", "default-read", "heartbeat-timeout", "election-timeout", "leader-lease-timeout", "commit-timeout",
		"snapshot-interval", "snapshot-threshold", "snapshot-trailing-logs", "apply-timeout", "max-body"}
	for _, f := range append(flags, nodeflags.Names()...) {
		assert.Contains(t, out.String(), "-"+f+" ", "help mentions -%s", f)
	}
}

func TestBadFlagsAreRefusedWithAReason(t *testing.T) {
	cases := map[string][]string{
		"-id is required":          {"-datadir=/tmp/x", "-raftdir=/tmp/y"},
		"-datadir and -raftdir":    {"-id=a"},
		"unknown read level":       {"-id=a", "-datadir=/tmp/x", "-raftdir=/tmp/y", "-default-read=eventual"},
		"unknown level":            {"-id=a", "-datadir=/tmp/x", "-raftdir=/tmp/y", "-log-level=loud"},
		"invalid value":            {"-heartbeat-timeout=soon"},
		"unexpected arguments":     {"-id=a", "-datadir=/tmp/x", "-raftdir=/tmp/y", "extra"},
		"flag provided but not de": {"-nope"},
	}
	for want, args := range cases {
		var out bytes.Buffer
		code := run(args, &out)
		assert.Equal(t, 2, code, "%v", args)
		assert.Contains(t, out.String(), want, "%v", args)
	}
}

func TestAdvertiseMustBeSpecific(t *testing.T) {
	var out bytes.Buffer
	code := run([]string{"-id=a", "-datadir=" + t.TempDir(), "-raftdir=" + t.TempDir(), "-raft=0.0.0.0:0", "-http=127.0.0.1:0"}, &out)
	assert.Equal(t, 1, code)
	assert.Contains(t, out.String(), "advertise")
}

func TestParseFlagsKeepsSeedFlags(t *testing.T) {
	cfg, _, err := parseFlags([]string{"-id=server_1", "-http=127.0.0.1:9001", "-raft=127.0.0.1:10001",
		"-join=127.0.0.1:9000", "-datadir=/tmp/raft/server_1/data", "-raftdir=/tmp/raft/server_1/raft"}, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, "server_1", cfg.ID)
	assert.Equal(t, "127.0.0.1:9000", cfg.Join)
	assert.Equal(t, "/tmp/raft/server_1/raft", cfg.RaftDir)
	_, _, err = parseFlags([]string{"-h"}, &bytes.Buffer{})
	assert.ErrorIs(t, err, flag.ErrHelp)
}

// The lab's encoding of the settings is what this binary parses.
func TestParseFlagsReadsTheLabsSettings(t *testing.T) {
	s := nodeflags.Settings{HeartbeatTimeout: 300 * time.Millisecond, SnapshotThreshold: 16, SnapshotTrailingLogs: 4,
		DefaultRead: "stale", LogLevel: "debug"}
	args := append([]string{"-id=a", "-datadir=/d", "-raftdir=/r"}, s.Args()...)
	cfg, level, err := parseFlags(args, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, slog.LevelDebug, level)
	want := nodeflags.Defaults()
	want.HeartbeatTimeout, want.SnapshotThreshold, want.SnapshotTrailingLogs = 300*time.Millisecond, 16, 4
	want.DefaultRead, want.LogLevel = "stale", "debug"
	assert.Equal(t, want, cfg.Settings)
}
