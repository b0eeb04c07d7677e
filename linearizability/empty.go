package linearizability

// EmptyReason is why a history with no client operation is Unknown.
const EmptyReason = "the history has no client operation: nothing was checked"

// Empty reports whether r checked no client operation (an empty history,
// or nemesis events only). Porcupine accepts such a history, but it proves
// nothing: every tool of the lab (chaoslab check, a run's summary, a
// campaign, the self-test) reports it as Unknown, never as linearizable.
// This is the one place that rule lives.
func (r *Result) Empty() bool { return r != nil && r.Operations == 0 }
