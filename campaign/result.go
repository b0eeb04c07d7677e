package campaign

import (
	"fmt"
	"strings"
	"time"

	"github.com/raftlab/raftlab/linearizability"
	"github.com/raftlab/raftlab/readcheck"
	"github.com/raftlab/raftlab/report"
	"github.com/raftlab/raftlab/scenarios"
)

// Status is how a run of the campaign ended, judged against its scenario's
// expectation.
type Status string

const (
	// Pass: the run had the verdict its scenario expects.
	Pass Status = "pass"
	// Fail: the run had a definite verdict other than the expected one (a
	// violation where none was expected, a planted bug the lab missed,
	// replicas that did not converge).
	Fail Status = "fail"
	// Unknown: the checker's budget ran out, or too few of the run's faults
	// took effect (the scenario was not tested). Never a pass.
	Unknown Status = "unknown"
	// Error: the run could not be carried out or was cut short.
	Error Status = "error"
	// Skipped: the run was not started (the budget ran out, or the
	// campaign was interrupted). Reason says which.
	Skipped Status = "skipped"
	// Pending: the run has not finished; in a finished campaign, its shard
	// never reported.
	Pending Status = "pending"
)

// Skip reasons.
const (
	ReasonBudget      = "budget"
	ReasonInterrupted = "interrupted"
)

// Label is the status as a page and a terminal show it.
func (s Status) Label(reason string) string {
	switch s {
	case Skipped:
		return "skipped (" + reason + ")"
	case Pending:
		return "not run"
	}
	return string(s)
}

// Result is one job of the campaign and how it ended.
type Result struct {
	Job
	Expect   scenarios.Expect `json:"expect"`
	Duration float64          `json:"duration"` // planned workload seconds
	Status   Status           `json:"status"`
	// Reason says why a run was skipped, failed to run, or is pending.
	Reason string `json:"reason,omitempty"`

	// Verdict is porcupine's on the whole history (every read of every
	// level together); Contract the read contracts' (each read by its
	// level's: report.Summary.ReadContract, what the bug axis judges by),
	// with Reads saying it per level ("" in a campaign.json written before
	// read contracts).
	Verdict   linearizability.Verdict `json:"verdict,omitempty"`
	Contract  readcheck.Verdict       `json:"contract,omitempty"`
	Reads     string                  `json:"reads,omitempty"`
	Converged bool                    `json:"converged,omitempty"`
	Outcome   string                  `json:"outcome,omitempty"`
	Ops       int                     `json:"ops,omitempty"`
	// FaultAvailability is the share of operations answered definitely
	// while faults were in place (nil: no fault window).
	FaultAvailability *float64 `json:"fault_availability,omitempty"`
	// FirstViolation is when the first operation that cannot be ordered
	// completed, seconds into the workload.
	FirstViolation *float64 `json:"first_violation,omitempty"`
	Explanations   []string `json:"explanations,omitempty"`
	Problems       []string `json:"problems,omitempty"` // the run's own errors (a fault not healed, ...)
	// Recovery are the run's recovery figures per fault kind.
	Recovery []report.RecoveryStats `json:"recovery,omitempty"`
	Elapsed  float64                `json:"elapsed"` // wall-clock seconds of the whole run, all attempts
	// Attempts is the number of runs made when more than one: a scenario
	// that expects a violation is run again when a run misses it; the
	// result is the last run's.
	Attempts int `json:"attempts,omitempty"`
	// Missed are the folders of the earlier attempts that missed the
	// violation (relative like Dir): a catch on attempt 3 is caught in 1 of
	// 3 attempts, and the two misses count in the tally, the page and JUnit.
	Missed []string `json:"missed_attempts,omitempty"`

	// Dir is the run's artifact folder and Report its report.html, relative
	// to the folder of the campaign.json that lists them.
	Dir    string `json:"dir,omitempty"`
	Report string `json:"report,omitempty"`
	// Repro is the command that repeats this run exactly.
	Repro string `json:"repro"`
}

// newResult is the pending result of job j.
func newResult(m Matrix, j Job) Result {
	r := Result{Job: j, Status: Pending}
	if s, err := m.Scenario(j); err == nil {
		r.Expect = s.Expect
		r.Duration = s.Duration.Seconds()
		r.Repro = fmt.Sprintf("chaoslab run --scenario %s --seed %d --duration %s", j.Scenario, j.Seed, s.Duration)
		if j.Bug != "" {
			// chaoslab run cannot switch a planted bug on; the self-test
			// with this bug and seeds 1..seed repeats this run among others.
			r.Repro = fmt.Sprintf("chaoslab selftest --bugs %s --seeds %d --duration %s", j.Bug, j.Seed, s.Duration)
			if j.Bug == Unmodified {
				r.Repro = fmt.Sprintf("chaoslab run --scenario %s --seed %d --duration %s", j.Scenario, j.Seed, s.Duration)
			}
		}
		if m.System != "" && m.System != "raftkv" {
			r.Repro += " --system " + m.System
		}
		if m.CheckTimeout > 0 {
			r.Repro += fmt.Sprintf(" --check-timeout %s", m.CheckTimeout)
		}
	}
	return r
}

// record fills r from a run's summary and error (either may be nil).
func (r *Result) record(sum *report.Summary, err error, elapsed time.Duration) {
	r.Elapsed = round1(elapsed.Seconds())
	if sum != nil {
		r.Verdict = sum.Verdict
		r.Contract = sum.ReadContract()
		if sum.Contract != "" {
			r.Reads = sum.ReadWords()
		}
		r.Converged = sum.Converged
		r.Outcome = sum.Outcome
		if r.Bug != "" {
			// The run's own "as expected" is against its scenario's
			// expectation, not the bug axis's (judgeBugRun): cut it.
			for _, tail := range []string{" — as expected", " — NOT as expected"} {
				if i := strings.Index(r.Outcome, tail); i >= 0 {
					r.Outcome = r.Outcome[:i]
				}
			}
		}
		r.Ops = sum.Counts.Ops
		if st, ok := sum.Phases[report.PhaseFault]; ok {
			a := st.Availability
			r.FaultAvailability = &a
		}
		r.FirstViolation = sum.FirstViolation
		r.Explanations = sum.Explanations
		r.Recovery = sum.Recovery
		r.Problems = append([]string(nil), sum.Errors...)
		if fe := sum.FaultEffect; fe != nil && fe.Failed+fe.Ineffective > 0 {
			r.Problems = append(r.Problems, fmt.Sprintf("%d of %d fault windows did not take effect: %s", fe.Failed+fe.Ineffective, fe.Windows, fe.Detail))
		}
	}
	switch {
	case r.Bug != "" && sum != nil && err == nil && !sum.Interrupted:
		r.Status, r.Reason = judgeBugRun(r.Job, sum)
	case sum == nil || err != nil || sum.Interrupted:
		r.Status = Error
		r.Reason = "the run could not be carried out"
		if sum != nil && sum.Interrupted {
			r.Reason = "interrupted"
		}
		if err != nil {
			r.Reason += ": " + err.Error()
		}
	case sum.AsExpected:
		r.Status = Pass
	case sum.Verdict == linearizability.Unknown:
		r.Status = Unknown
	case sum.FaultEffect != nil && !sum.FaultEffect.OK && sum.ReadContract() != readcheck.Violated && !sum.Diverged():
		// Too few faults took hold: neither a pass nor a definite failure
		// of the store; the scenario was not tested.
		r.Status = Unknown
		r.Reason = "too few faults took effect: " + sum.FaultEffect.Detail
	default:
		r.Status = Fail
	}
}

// judgeBugRun is the status of a bug-axis run that was carried out. The
// expectation is the job's, not the scenario's: a planted bug must be
// caught (a read broke its level's contract, or the replicas diverged), the
// unmodified store must come out clean. A run that found nothing but did
// not test what it should (the checker undecided, keys not read on every
// node, too few faults took effect, a claim not shown) is unknown: neither
// a miss nor a clean baseline run. A catch stands whatever the faults did.
func judgeBugRun(j Job, sum *report.Summary) (Status, string) {
	caught := sum.ReadContract() == readcheck.Violated || sum.Diverged()
	var unproven []string
	switch c := sum.ReadContract(); {
	case c == readcheck.Unknown, c == "" && sum.Verdict == linearizability.Unknown:
		unproven = append(unproven, "the checker could not decide")
	case !sum.Converged:
		unproven = append(unproven, "keys not read on every node")
	}
	if fe := sum.FaultEffect; fe != nil && !fe.OK {
		unproven = append(unproven, "too few faults took effect: "+fe.Detail)
	}
	for _, c := range sum.Claims {
		if !c.OK {
			unproven = append(unproven, "claim not shown: "+string(c.Claim)+" ("+c.Detail+")")
		}
	}
	switch {
	case caught && j.Planted():
		return Pass, ""
	case caught:
		return Fail, "false alarm: the unmodified store broke a read contract or diverged"
	case len(unproven) > 0:
		return Unknown, strings.Join(unproven, "; ")
	case j.Planted():
		return Fail, "planted bug missed"
	}
	return Pass, ""
}

// Caught reports whether a bug-axis run found what the planted bug does
// (for the unmodified store: a false alarm).
func (r Result) Caught() bool {
	return r.Planted() && r.Status == Pass || r.Bug == Unmodified && r.Status == Fail
}

// AttemptsMade is how many runs were made for r (1 unless retried).
func (r Result) AttemptsMade() int { return max(r.Attempts, 1, len(r.Missed)+1) }

// CaughtAttempts is how many of r's attempts found the violation its
// scenario expects: 1 when the last one did (the retries stop there), 0
// otherwise; for a scenario that expects none, 0.
func (r Result) CaughtAttempts() int {
	if r.Expect == scenarios.ExpectViolation && r.Violation() {
		return 1
	}
	return 0
}

// AttemptWords is "caught 1 of 3 attempts" for a must-fail run that was
// retried, "" otherwise.
func (r Result) AttemptWords() string {
	if r.Expect != scenarios.ExpectViolation || r.AttemptsMade() < 2 {
		return ""
	}
	return fmt.Sprintf("caught %d of %d attempts", r.CaughtAttempts(), r.AttemptsMade())
}

// Failed reports whether r counts against the campaign: every status but
// pass and skipped.
func (r Result) Failed() bool { return r.Status != Pass && r.Status != Skipped }

// Violation reports whether the run found a violation of what it checks:
// a read contract broken (each read judged by its level's), or, for a
// scenario that must find one in the whole history (stale or lease reads
// broken on purpose), a history that is not linearizable. A history that
// is not linearizable only because its reads were stale, as their level
// allows (stale-reads-membership: the stale contract held), is none: it
// is no false alarm and no catch. A run stored before contracts were
// judged, or whose contracts were not all decided, falls back to the whole
// history's verdict.
func (r Result) Violation() bool {
	if r.Contract == readcheck.Violated {
		return true
	}
	return r.Verdict == linearizability.NotLinearizable && (r.Expect == scenarios.ExpectViolation || r.Contract != readcheck.OK)
}

// Message is one line saying why r is not a pass: the outcome, and for a
// violation the first sentence of its first explanation.
func (r Result) Message() string {
	switch r.Status {
	case Pass:
		return r.Outcome
	case Skipped:
		return "not started: " + r.Reason
	case Pending:
		if r.Reason != "" {
			return "did not run: " + r.Reason
		}
		return "did not run"
	case Error:
		return r.Reason
	}
	msg := r.Outcome
	if r.Bug != "" && r.Reason != "" {
		msg = strings.TrimSuffix(r.Reason+" — "+msg, " — ")
	}
	if len(r.Explanations) > 0 {
		first, _, _ := strings.Cut(strings.TrimSpace(r.Explanations[0]), "\n")
		msg += ": " + first
	}
	return msg
}

func round1(x float64) float64 { return float64(int64(x*10+0.5)) / 10 }
