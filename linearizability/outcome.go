package linearizability

// An Outcome is what the completion of a client operation says about it.
// Classify is the one place that decides it; the workload's live counters,
// the run's statistics and its summary all use it, so they cannot disagree.
type Outcome int

const (
	// OutcomeOK: the operation took effect (an ok completion).
	OutcomeOK Outcome = iota
	// OutcomeMismatch: a cas found another value than it expected (a fail
	// completion without an error). The store answered definitely.
	OutcomeMismatch
	// OutcomeFail: definitely refused without effect, for a reason (no
	// leader, shutting down): a fail completion with an error.
	OutcomeFail
	// OutcomeInfo: the outcome is unknown (an info completion, or none).
	OutcomeInfo
	// NumOutcomes is the number of outcomes, for arrays indexed by Outcome.
	NumOutcomes
)

var outcomeNames = [NumOutcomes]string{"ok", "cas-mismatch", "fail", "info"}

// String is the outcome's name: ok, cas-mismatch, fail or info.
func (o Outcome) String() string {
	if o < 0 || o >= NumOutcomes {
		return "invalid"
	}
	return outcomeNames[o]
}

// Definite reports whether the store answered definitely and in time: ok or
// a cas mismatch. Availability counts these.
func (o Outcome) Definite() bool { return o == OutcomeOK || o == OutcomeMismatch }

// Classify maps a completion (its f, type and error field, as in a history
// line; typ "" or "invoke" for an operation never completed) to its
// outcome, following DESIGN.md's history format.
func Classify(f, typ, errText string) Outcome {
	switch typ {
	case TypeOk:
		return OutcomeOK
	case TypeFail:
		if f == FCAS && errText == "" {
			return OutcomeMismatch
		}
		return OutcomeFail
	default:
		return OutcomeInfo
	}
}

// Outcome classifies the operation's completion.
func (o *Operation) Outcome() Outcome {
	if o.Open {
		return OutcomeInfo
	}
	return Classify(o.F, o.Type, o.Error)
}
