package chaos

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/raftlab/raftlab/fault"
)

// Recorder receives the nemesis events and provides the clock they share
// with the client operations; *linearizability.Recorder is one.
type Recorder interface {
	Nemesis(f, value string)
	Now() int64
}

// A Schedule alternates quiet and fault windows: quiet for Quiet, then one
// fault for Fault, then quiet again, and so on until Duration has passed.
// The first window is quiet (a baseline). A fault still active when
// Duration ends is healed then; a fault window never starts in the last
// 100 ms.
type Schedule struct {
	Nemeses  []Nemesis // each fault window uses one, chosen at random
	Duration time.Duration
	Quiet    time.Duration
	Fault    time.Duration
	// Steps, when not nil, are the fault windows exactly (an explicit
	// schedule, e.g. a shrunk one from a scenario file): Plan returns them
	// whatever the seed, and Quiet and Fault are unused.
	Steps []Step
}

// A Step is one planned fault window.
type Step struct {
	At      time.Duration // offset from the schedule's start
	Length  time.Duration // how long the fault stays (may be cut by Duration)
	Nemesis int           // index into Schedule.Nemeses
	Seed    uint64        // seed of the random source the nemesis picks targets with
}

// planStream separates the plan's random stream from others derived from
// the same run seed.
const planStream = 0x6e656d65736973 // "nemesis"

// Plan lays out the fault windows for seed: a pure function of the
// schedule and the seed.
func (s Schedule) Plan(seed uint64) []Step {
	if s.Steps != nil {
		return s.Steps
	}
	if len(s.Nemeses) == 0 || s.Fault <= 0 || s.Duration <= 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(seed, planStream))
	var steps []Step
	for at := s.Quiet; at+100*time.Millisecond <= s.Duration; at += s.Fault + s.Quiet {
		steps = append(steps, Step{
			At:      at,
			Length:  min(s.Fault, s.Duration-at),
			Nemesis: rng.IntN(len(s.Nemeses)),
			Seed:    rng.Uint64(),
		})
	}
	return steps
}

// A Window is what happened in one planned fault window (fault.Window, the
// shape run.json records). Times are on the recorder's clock (nanoseconds
// since the run started); its Fault is the injected fault's Record, taken
// when the window ended.
type Window = fault.Window

// RunOptions tune Schedule.Run.
type RunOptions struct {
	// Seed is the seed of the plan.
	Seed uint64
	// Logger receives a line per injection and heal (default slog.Default()).
	Logger *slog.Logger
	// OnChange, if set, is called with the fault in place ("kill n2"), and
	// with "" when it is healed.
	OnChange func(active string)
	// StepTimeout bounds each injection and each heal (default 30 s).
	StepTimeout time.Duration
	// ProbeWait bounds how long the probe of each injected fault waits for
	// it to show (default 3 s; see ProbeEffect).
	ProbeWait time.Duration
}

// Run carries out the plan for o.Seed against c, recording every fault on
// rec, and returns when Duration has passed since it was called (or ctx
// ended), with every fault it caused healed. It returns the windows in
// order. A failed injection is logged, cleaned up with HealAll, kept in its
// Window with the error, and the schedule goes on; Run's error reports only
// a fault it could not heal, a nemesis the cluster lacks a capability for
// (a LacksError: the scenario should not have run, and its run must not
// pass), or ctx's end.
func (s Schedule) Run(ctx context.Context, c Cluster, rec Recorder, o RunOptions) ([]Window, error) {
	begin := time.Now()
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.StepTimeout <= 0 {
		o.StepTimeout = 30 * time.Second
	}
	onChange := func(string) {}
	if o.OnChange != nil {
		onChange = o.OnChange
	}
	var (
		windows []Window
		errs    []error
	)
	plan := s.Plan(o.Seed)
	for i, st := range plan {
		if !waitUntil(ctx, begin.Add(st.At)) {
			break
		}
		next := begin.Add(s.Duration)
		if i+1 < len(plan) {
			next = begin.Add(plan[i+1].At)
		}
		nem := s.Nemeses[st.Nemesis]
		tctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		termBefore := maxTerm(statusAll(tctx, c))
		cancel()
		w := Window{Nemesis: nem.Name(), Start: rec.Now(), TermBefore: termBefore}
		ictx, cancel := context.WithTimeout(ctx, stepTimeout(nem, o.StepTimeout))
		f, err := nem.Inject(ictx, c, rand.New(rand.NewPCG(st.Seed, 0)))
		cancel()
		if err != nil {
			w.Error = err.Error()
			if lacks := (*LacksError)(nil); errors.As(err, &lacks) {
				errs = append(errs, err)
			}
			o.Logger.Warn("chaos: injection failed; healing everything", "nemesis", nem.Name(), "err", err)
			hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), stepTimeout(nem, o.StepTimeout))
			if herr := HealAll(hctx, c); herr != nil {
				errs = append(errs, fmt.Errorf("heal after failed %s: %w", nem.Name(), herr))
			}
			cancel()
			w.End = rec.Now()
			windows = append(windows, w)
			continue
		}
		for _, e := range f.events() {
			rec.Nemesis(string(e.Kind), e.Value)
		}
		w.Injected = rec.Now()
		o.Logger.Info("chaos: fault", "fault", f.String(), "nemesis", nem.Name(), "detail", f.Detail)
		onChange(f.String())
		if f.Kind != fault.Failpoint {
			// The probe has the fault window (at least a second when the
			// injection itself ran late): it must not stretch the fault.
			pctx, cancel := context.WithDeadline(ctx, laterOf(begin.Add(st.At+st.Length), time.Now().Add(time.Second)))
			e := ProbeEffect(pctx, c, f, o.ProbeWait)
			cancel()
			w.Effect = &e
			if !e.Took {
				o.Logger.Warn("chaos: the fault did not take effect", "fault", f.String(), "evidence", e.Evidence)
			}
		}

		waitUntil(ctx, begin.Add(st.At+st.Length))

		w.Healing = rec.Now()
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), stepTimeout(nem, o.StepTimeout))
		err = f.Heal(hctx)
		if err != nil {
			o.Logger.Warn("chaos: heal failed; healing everything", "fault", f.String(), "err", err)
			err = HealAll(hctx, c)
		}
		cancel()
		if f.Kind == fault.Failpoint {
			e := FailpointEffect(f)
			w.Effect = &e
		}
		if err != nil {
			w.Error = err.Error()
			errs = append(errs, err)
		} else {
			for _, e := range f.healEvents() {
				rec.Nemesis(string(e.HealKind), e.Value)
			}
			o.Logger.Info("chaos: healed", "fault", f.String())
		}
		w.End = rec.Now()
		onChange("")
		if err == nil {
			// The quiet window that follows is when the cluster recovers:
			// watch it until whole again, at most until the next window.
			// At least a second when the heal ran late (a loaded machine).
			watched := time.Now()
			w.FullStrength, w.TermAfter = waitFullStrength(ctx, c, rec, laterOf(next, watched.Add(time.Second)))
			w.RecoveryWatched = time.Since(watched).Nanoseconds()
		}
		w.Fault = f.Record()
		windows = append(windows, w)
	}
	waitUntil(ctx, begin.Add(s.Duration))
	if err := ctx.Err(); err != nil {
		errs = append(errs, err)
	}
	return windows, errors.Join(errs...)
}

// laterOf returns the later of two times.
func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// waitUntil waits until t or until ctx ends, reporting whether t came. The
// waits of a schedule are its fault and quiet window lengths: timing knobs,
// not synchronisation.
func waitUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}
