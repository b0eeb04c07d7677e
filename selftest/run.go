package selftest

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/raftlab/raftlab/linearizability"
	"github.com/raftlab/raftlab/readcheck"
	"github.com/raftlab/raftlab/report"
	"github.com/raftlab/raftlab/scenarios"
)

// Runner carries out one scenario run; scenarios.Run is the real one
// (ScenarioRunner), tests use a fake.
type Runner interface {
	Run(ctx context.Context, s scenarios.Scenario, o scenarios.Options) (*report.Summary, error)
}

// ScenarioRunner runs scenarios against Docker with scenarios.Run.
type ScenarioRunner struct{}

// Run is scenarios.Run.
func (ScenarioRunner) Run(ctx context.Context, s scenarios.Scenario, o scenarios.Options) (*report.Summary, error) {
	return scenarios.Run(ctx, s, o)
}

// Options tune a self-test.
type Options struct {
	// Duration overrides each scenario's workload duration (0: the
	// scenario's own, the CI duration).
	Duration time.Duration
	// Out is the folder of the self-test; each run gets a sub-folder.
	Out string
	// Runner carries out the runs (default ScenarioRunner).
	Runner Runner
	// Progress receives one line per run started and finished.
	Progress io.Writer
	// RunOptions are passed to every run (Seed and Out are set per run).
	RunOptions scenarios.Options
}

// An Outcome is what one run found.
type Outcome struct {
	Case
	// Caught: the run found a violation (some read broke its level's
	// contract, or replicas disagree). For the unmodified store that is a
	// false alarm. A stale read that is merely not linearizable is no catch:
	// its level never promised that.
	Caught bool `json:"caught"`
	// Contract is the run's verdict on its reads, each by its level's
	// contract (report.Summary.ReadContract).
	Contract readcheck.Verdict `json:"contract,omitempty"`
	// Verdict and Converged are the run's; Unknown marks a run whose checker
	// ran out of budget or whose keys could not all be read.
	Verdict   linearizability.Verdict `json:"verdict"`
	Converged bool                    `json:"converged"`
	// Detect is the seconds of workload until the first operation that
	// cannot be ordered (nil: none, or caught by divergence only).
	Detect *float64 `json:"detect_s,omitempty"`
	// Dir is the run's artifact folder, Seconds its wall time.
	Dir     string  `json:"dir"`
	Seconds float64 `json:"seconds"`
	// Error is set when the run could not be carried out.
	Error string `json:"error,omitempty"`
	// Unproven says why a run that found nothing did not test what it
	// should (too few faults took effect, a claim not shown): it is
	// unknown, neither a miss nor a clean baseline run.
	Unproven string `json:"unproven,omitempty"`
}

// A Class is what one run counts as in the matrix.
type Class string

// The classes of a run (Cell counts each).
const (
	ClassError   Class = "error"
	ClassCaught  Class = "caught"
	ClassUnknown Class = "unknown"
	ClassClean   Class = "clean"
	ClassMissed  Class = "missed"
)

// Class is what the run counts as: an error or unknown is never clean
// and never a miss.
func (o Outcome) Class() Class {
	switch {
	case o.Error != "":
		return ClassError
	case o.Caught:
		return ClassCaught
	case o.Contract == readcheck.Unknown || o.Contract == "" && o.Verdict == linearizability.Unknown || !o.Converged || o.Unproven != "":
		return ClassUnknown
	case o.Bug == Baseline:
		return ClassClean
	}
	return ClassMissed
}

// Run carries out the cases one after another (the machine's cores belong
// to the cluster under test) and returns every outcome. It stops early
// only when ctx ends; a run that fails to be carried out is recorded with
// its error and the self-test goes on.
func Run(ctx context.Context, cases []Case, o Options) []Outcome {
	if o.Runner == nil {
		o.Runner = ScenarioRunner{}
	}
	var out []Outcome
	start := time.Now()
	for i, c := range cases {
		if ctx.Err() != nil {
			break
		}
		s, ok := scenarios.Lookup(c.Scenario)
		if !ok {
			out = append(out, Outcome{Case: c, Error: "unknown scenario"})
			continue
		}
		if o.Duration > 0 {
			s.Duration = o.Duration
		}
		s = Arm(s, c.Bug)
		ro := o.RunOptions
		ro.Seed = c.Seed
		ro.Out = filepath.Join(o.Out, dirName(c))
		progress(o.Progress, "selftest: [%d/%d] %s …", i+1, len(cases), c)
		t := time.Now()
		sum, err := o.Runner.Run(ctx, s, ro)
		oc := judge(c, sum, err)
		oc.Dir, oc.Seconds = ro.Out, round1(time.Since(t).Seconds())
		out = append(out, oc)
		progress(o.Progress, "selftest: [%d/%d] %s: %s (%.0fs; elapsed %s)", i+1, len(cases), c, oc.word(),
			oc.Seconds, time.Since(start).Round(time.Second))
	}
	return out
}

// judge turns a run's summary into an outcome.
func judge(c Case, sum *report.Summary, err error) Outcome {
	oc := Outcome{Case: c}
	if err != nil {
		oc.Error = err.Error()
		return oc
	}
	if sum == nil {
		oc.Error = "no summary"
		return oc
	}
	oc.Verdict, oc.Converged, oc.Detect = sum.Verdict, sum.Converged, sum.FirstViolation
	// Caught: a read broke its level's contract (for linearizable reads:
	// not linearizable), or the replicas diverged. Stale reads that are not
	// linearizable but keep the stale contract are not a catch.
	oc.Contract = sum.ReadContract()
	oc.Caught = oc.Contract == readcheck.Violated || sum.Diverged()
	var unproven []string
	if fe := sum.FaultEffect; fe != nil && !fe.OK {
		unproven = append(unproven, "too few faults took effect: "+fe.Detail)
	}
	for _, c := range sum.Claims {
		if !c.OK {
			unproven = append(unproven, "claim not shown: "+string(c.Claim)+" ("+c.Detail+")")
		}
	}
	oc.Unproven = strings.Join(unproven, "; ")
	if sum.Interrupted {
		oc.Error = "interrupted"
	}
	return oc
}

// word is the outcome in one word, as the progress line and the page say it.
func (o Outcome) word() string {
	switch o.Class() {
	case ClassError:
		return "error: " + o.Error
	case ClassCaught:
		if o.Bug == Baseline {
			return "FALSE ALARM"
		}
		return "caught"
	case ClassUnknown:
		if o.Unproven != "" && o.Verdict != linearizability.Unknown && o.Converged {
			return "unknown: " + o.Unproven
		}
		return "unknown"
	}
	return string(o.Class())
}

func dirName(c Case) string {
	b := c.Bug
	if b == Baseline {
		b = "unmodified"
	}
	return fmt.Sprintf("%s--%s--seed%d", strings.TrimPrefix(b, "bug-"), c.Scenario, c.Seed)
}

func progress(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format+"\n", args...)
	}
}

func round1(x float64) float64 { return float64(int64(x*10+0.5)) / 10 }
