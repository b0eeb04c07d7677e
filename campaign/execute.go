package campaign

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"time"

	"github.com/raftlab/raftlab/report"
	"github.com/raftlab/raftlab/scenarios"
)

// RunsDir is the folder of the campaign's run folders, inside its out folder.
const RunsDir = "runs"

// Options tune Execute.
type Options struct {
	// Out is the campaign's folder; run folders go to Out/runs/<job name>.
	Out    string
	Runner Runner
	// Budget, if positive, bounds the campaign: a run starts only when the
	// time left is at least its expected length (workload duration plus
	// the mean measured overhead; before the first run, Overhead or 25 s).
	Budget   time.Duration
	Overhead time.Duration
	// Progress receives the campaign's lines and the runs' live lines;
	// ProgressTTY rewrites the live line in place.
	Progress    io.Writer
	ProgressTTY bool
	// Attempts is how many runs a scenario that expects a violation gets
	// before a run without one counts as a miss (default 1). The same seed
	// is used again: what decides a miss is thread scheduling, not the
	// seed's plan.
	Attempts int
	// Checkpoint, if set, is called with the manifest after every run, so
	// a campaign killed midway still leaves its pages (pending runs show
	// as not run).
	Checkpoint func(*Manifest) error
	// Now is the clock (default time.Now); tests use a fake one.
	Now func() time.Time
}

// Execute runs m's pending jobs one after another, within the budget,
// filling in m.Results. Runs not started are skipped (budget, or
// interrupted when ctx ends). Its error is about the campaign's own files
// (a checkpoint that could not be written); run outcomes are in m.
func Execute(ctx context.Context, m *Manifest, o Options) error {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	m.Started = now().UTC()
	b := newBudget(o.Budget, now(), o.Overhead)
	m.Budget = o.Budget.Seconds()
	p := &progress{w: o.Progress, tty: o.ProgressTTY, now: now, start: now(), total: len(m.Results)}
	var errs []error
	checkpoint := func() {
		if o.Checkpoint == nil {
			return
		}
		if err := o.Checkpoint(m); err != nil {
			errs = append(errs, err)
			p.printf("cannot write the campaign's files: %v", err)
		}
	}
	checkpoint()

	for i := range m.Results {
		r := &m.Results[i]
		if r.Status != Pending {
			continue
		}
		s, err := m.Matrix.Scenario(r.Job)
		if err != nil {
			r.Status, r.Reason = Error, err.Error()
			continue
		}
		p.set(i, b.remaining(now(), pendingDurations(m, i)))
		switch {
		case ctx.Err() != nil:
			r.Status, r.Reason = Skipped, ReasonInterrupted
			continue
		case !b.allows(now(), s.Duration):
			r.Status, r.Reason = Skipped, ReasonBudget
			p.printf("skip %s: %s left, a run takes ~%s", r.Label(),
				(b.total - now().Sub(b.start)).Round(time.Second), b.expected(s.Duration).Round(time.Second))
			continue
		}
		var (
			took   time.Duration
			missed []string
		)
		for attempt := 1; ; attempt++ {
			if attempt > 1 {
				missed = append(missed, r.Dir)
			}
			took += runOnce(ctx, o, p, b, r, s, attempt, now)
			// A scenario broken on purpose may miss its bug by chance
			// (leader-reads-partition: 2-3% of runs); a miss counts only
			// when every attempt misses, as in TestScenarios.
			missed := r.Status == Fail && r.Expect.MustFail()
			if !missed || attempt >= max(o.Attempts, 1) || ctx.Err() != nil || !b.allows(now(), s.Duration) {
				break
			}
			p.printf("%s seed %d: no violation on attempt %d of %d; running it again", r.Scenario, r.Seed, attempt, o.Attempts)
		}
		r.Elapsed = round1(took.Seconds())
		r.Missed = missed
		p.finished(*r)
		p.set(i+1, b.remaining(now(), pendingDurations(m, i+1)))
		p.printf("%s: %s — %s (%s)", r.Label(), r.Status.Label(r.Reason), r.Message(), took.Round(100*time.Millisecond))
		checkpoint()
	}
	m.Finished = now().UTC()
	p.set(len(m.Results), 0)
	t := m.Tally()
	p.printf("done: %d pass, %d fail, %d unknown, %d error, %d skipped — %s",
		t.Pass, t.Fail, t.Unknown, t.Error+t.Pending, t.Skipped, t.Headline())
	if l := t.MustFailLine(); l != "" {
		p.printf("%s", l)
	}
	checkpoint()
	if len(errs) > 0 {
		return fmt.Errorf("campaign: %w", errors.Join(errs...))
	}
	return nil
}

// runOnce carries out attempt n of r's run, records it in r and returns
// how long it took. Attempt 1 goes to runs/<job>, later ones to
// runs/<job>-attempt<n>.
func runOnce(ctx context.Context, o Options, p *progress, b *budget, r *Result, s scenarios.Scenario, n int, now func() time.Time) time.Duration {
	*r = Result{Job: r.Job, Expect: r.Expect, Duration: r.Duration, Repro: r.Repro}
	r.Dir = path.Join(RunsDir, r.Name())
	if n > 1 {
		r.Dir += fmt.Sprintf("-attempt%d", n)
		r.Attempts = n
	}
	dir := filepath.Join(o.Out, filepath.FromSlash(r.Dir))
	expect := string(s.Expect)
	switch {
	case r.Planted():
		expect = "the planted bug caught"
	case r.Bug == Unmodified:
		expect = "clean"
	}
	p.printf("start %s (%s workload, expect %s) → %s", r.Label(), s.Duration, expect, dir)
	t0 := now()
	sum, err := o.Runner.Run(ctx, s, r.Seed, dir, p.runWriter())
	took := now().Sub(t0)
	r.record(sum, err, took)
	if _, serr := os.Stat(filepath.Join(dir, report.ReportFile)); serr == nil {
		r.Report = path.Join(r.Dir, report.ReportFile)
	}
	b.observe(s.Duration, took)
	return took
}

// pendingDurations are the workload durations of the pending jobs from
// index i on.
func pendingDurations(m *Manifest, i int) []time.Duration {
	var ds []time.Duration
	for _, r := range m.Results[i:] {
		if r.Status == Pending {
			ds = append(ds, time.Duration(r.Duration*float64(time.Second)))
		}
	}
	return ds
}
