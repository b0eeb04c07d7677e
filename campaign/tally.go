package campaign

import (
	"fmt"

	"github.com/raftlab/raftlab/scenarios"
)

// Tally counts a campaign's results by status.
type Tally struct {
	Runs, Pass, Fail, Unknown, Error, Skipped, Pending int
	// Violations counts runs that found a violation, expected or not;
	// Unexpected those among them whose scenario expected none.
	Violations, Unexpected int
	// Seconds is the wall-clock time of the runs that ran.
	Seconds float64
	// MustFail counts the runs of scenarios that expect a violation that
	// ran; MustFailAttempts their attempts (a run that missed is retried)
	// and MustFailCaught the attempts that caught it. RetryCatches are the
	// runs caught only after a missed attempt: a pass, but the misses are
	// figures too (caught k of n attempts).
	MustFail, MustFailAttempts, MustFailCaught, RetryCatches int
}

// Count tallies results.
func Count(results []Result) Tally {
	var t Tally
	for _, r := range results {
		t.Runs++
		switch r.Status {
		case Pass:
			t.Pass++
		case Fail:
			t.Fail++
		case Unknown:
			t.Unknown++
		case Error:
			t.Error++
		case Skipped:
			t.Skipped++
		default:
			t.Pending++
		}
		if r.Violation() {
			t.Violations++
			if r.Status == Fail {
				t.Unexpected++
			}
		}
		t.Seconds += r.Elapsed
		if r.Expect == scenarios.ExpectViolation && r.Status != Skipped && r.Status != Pending {
			t.MustFail++
			t.MustFailAttempts += r.AttemptsMade()
			t.MustFailCaught += r.CaughtAttempts()
			if r.CaughtAttempts() > 0 && r.AttemptsMade() > 1 {
				t.RetryCatches++
			}
		}
	}
	return t
}

// Ran is the number of runs that were started.
func (t Tally) Ran() int { return t.Runs - t.Skipped - t.Pending }

// MustFailLine is "must-fail attempts: caught 3 of 5 (2 runs caught only on
// a retry)", or "" when no must-fail scenario ran.
func (t Tally) MustFailLine() string {
	if t.MustFail == 0 {
		return ""
	}
	line := fmt.Sprintf("must-fail attempts: caught %d of %d", t.MustFailCaught, t.MustFailAttempts)
	if t.RetryCatches > 0 {
		line += fmt.Sprintf(" (%d run%s caught only on a retry)", t.RetryCatches, map[bool]string{true: "", false: "s"}[t.RetryCatches == 1])
	}
	return line
}

// Verdict is the campaign's overall outcome, worst first.
type Verdict int

const (
	// AllPassed: every run had its expected verdict.
	AllPassed Verdict = iota
	// Incomplete: every run that ran had its expected verdict, but some
	// were skipped (budget).
	Incomplete
	// Errors: some runs could not be carried out or never ran.
	Errors
	// Undecided: some run's verdict is unknown (and none failed).
	Undecided
	// Failed: some run had a definite unexpected verdict.
	Failed
	// NothingRan: the campaign (or shard) had runs but started none (the
	// budget or an interrupt skipped them all): it shows nothing, and is
	// never a pass nor merely incomplete.
	NothingRan
)

// Verdict is the overall outcome: the worst status present.
func (t Tally) Verdict() Verdict {
	switch {
	case t.Fail > 0:
		return Failed
	case t.Unknown > 0:
		return Undecided
	case t.Error > 0 || t.Pending > 0:
		return Errors
	case t.Runs > 0 && t.Ran() == 0:
		return NothingRan
	case t.Skipped > 0:
		return Incomplete
	}
	return AllPassed
}

func (v Verdict) String() string {
	return [...]string{"passed", "incomplete", "errors", "unknown", "failed", "nothing ran"}[v]
}

// Headline is the overall outcome in one sentence.
func (t Tally) Headline() string {
	switch t.Verdict() {
	case Failed:
		return "FAILED: a run did not have its expected verdict"
	case Undecided:
		return "UNDECIDED: the checker could not decide a run"
	case Errors:
		return "ERRORS: some runs could not be carried out"
	case NothingRan:
		return "NOTHING RAN: every run was skipped (budget or interrupt); this shows nothing"
	case Incomplete:
		return "INCOMPLETE: every run had its expected verdict, but the budget skipped some"
	}
	return "PASSED: every run had its expected verdict"
}
