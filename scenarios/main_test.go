package scenarios

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/raftlab/raftlab/cluster"
)

// resultsRoot holds the artifact folders of the Docker suites' runs.
var (
	resultsRoot string
	keepResults bool
)

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		os.Exit(m.Run())
	}
	// testcontainers' reaper (Ryuk) is an image that cannot be pulled here:
	// turn it off before any testcontainers call. The cluster package
	// removes what it creates, and the sweeps below what crashed runs left.
	_ = os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	stop := cluster.CleanupOnInterrupt()
	level := slog.LevelWarn
	if os.Getenv("RAFTLAB_LOG") == "debug" {
		level = slog.LevelDebug
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	if err := cluster.CheckDocker(ctx); err == nil {
		if err := cluster.Sweep(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "sweep of earlier runs:", err)
		}
	}
	cancel()
	if resultsRoot = os.Getenv("RAFTLAB_RESULTS"); resultsRoot != "" {
		keepResults = true
	} else {
		resultsRoot, _ = os.MkdirTemp("", "raftlab-scenarios-")
	}

	code := m.Run()

	ctx, cancel = context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_ = cluster.SweepOwn(ctx)
	stop()
	if !keepResults && code == 0 {
		_ = os.RemoveAll(resultsRoot)
	} else {
		fmt.Fprintln(os.Stderr, "scenario artifacts:", resultsRoot)
	}
	os.Exit(code)
}
