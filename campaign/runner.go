package campaign

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/raftlab/raftlab/report"
	"github.com/raftlab/raftlab/scenarios"
	"github.com/raftlab/raftlab/system"
)

// A Runner carries out one scenario run into its folder. ScenarioRunner is
// the real one; tests use a fake that needs no Docker.
type Runner interface {
	// Run runs s with seed into dir, sending its live status line to
	// progress (may be nil). As scenarios.Run, it returns an error only
	// when the run could not be carried out; the verdict is in the Summary.
	Run(ctx context.Context, s scenarios.Scenario, seed uint64, dir string, progress io.Writer) (*report.Summary, error)
}

// ScenarioRunner runs scenarios against Docker clusters with scenarios.Run.
type ScenarioRunner struct {
	Logger       *slog.Logger
	CheckTimeout time.Duration // per key; 0: scenarios' default
	ProgressTTY  bool          // the progress writer is a terminal
	// System is the system under test (nil: raftkv).
	System system.System
}

// Run implements Runner.
func (sr ScenarioRunner) Run(ctx context.Context, s scenarios.Scenario, seed uint64, dir string, progress io.Writer) (*report.Summary, error) {
	return scenarios.Run(ctx, s, scenarios.Options{
		Seed:         seed,
		Out:          dir,
		Logger:       sr.Logger,
		Progress:     progress,
		ProgressTTY:  sr.ProgressTTY,
		CheckTimeout: sr.CheckTimeout,
		System:       sr.System,
	})
}
