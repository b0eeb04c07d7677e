package fault

import (
	"fmt"
	"strings"
)

// A Fault is an injected fault as recorded (run.json, summary.json): what
// was done to whom and which event closed it. The nemeses' live fault
// (chaos.Fault, which also knows how to heal) turns into one at the end of
// its window.
type Fault struct {
	// Nemesis is the name of the nemesis that injected it.
	Nemesis string `json:"nemesis"`
	// Kind is the f of the history event that opens the fault window.
	Kind Kind `json:"kind"`
	// Value is the value of both history events: the target ("n2"), the
	// partition ("n1 | n2 n3") or the target and rate ("n2 30%").
	Value string `json:"value"`
	// Targets are the nodes the fault acts on (every node for a partition).
	Targets []string `json:"targets"`
	// HealKind is the f of the history event that closes the window
	// ("start", "resume", "heal"); a compound's joins its parts' in the
	// order they were healed ("resume + heal").
	HealKind Kind `json:"heal"`
	// Detail is what the injection measured or found, for people: the
	// spread of a simultaneous crash, whether a failpoint's target crashed
	// at the point (may be empty).
	Detail string `json:"detail,omitempty"`
	// Parts are a compound window's faults, in the order they were
	// injected; empty for a single fault. The history records each part's
	// own opening and closing events.
	Parts []Fault `json:"parts,omitempty"`
}

// String is the fault as people read it: "kill n2".
func (f *Fault) String() string { return strings.TrimSpace(string(f.Kind) + " " + f.Value) }

// A Window is what happened in one planned fault window. Times are on the
// recorder's clock (nanoseconds since the run started).
type Window struct {
	Nemesis string `json:"nemesis"`
	// Fault is nil when the injection failed.
	Fault *Fault `json:"fault,omitempty"`
	// Start is just before the injection, Injected when the fault was in
	// place, Healing when healing began and End when it was done (or when
	// a failed injection had been cleaned up).
	Start    int64  `json:"start_ns"`
	Injected int64  `json:"injected_ns,omitempty"`
	Healing  int64  `json:"healing_ns,omitempty"`
	End      int64  `json:"end_ns"`
	Error    string `json:"error,omitempty"`
	// Effect is whether the injected fault really took hold (nil when the
	// injection failed, and in runs recorded before effects were probed):
	// probed right after the injection, or for a failpoint at its heal
	// (chaos/effect.go).
	Effect *Effect `json:"effect,omitempty"`
	// Recovery (chaos/recovery.go): the highest raft term any node
	// reported just before the injection and once the cluster was whole
	// again (or at the next window: their difference is the elections the
	// fault cost), and when, after the heal, every node answered, agreed on
	// one leader and had applied what it had committed (FullStrength; 0:
	// not before the next window). Zero in older runs.
	TermBefore   uint64 `json:"term_before,omitempty"`
	TermAfter    uint64 `json:"term_after,omitempty"`
	FullStrength int64  `json:"full_strength_ns,omitempty"`
	// RecoveryWatched is how long the cluster was watched after the heal
	// (ns): a window not seen whole in that time is "never whole" only if
	// it was watched at all.
	RecoveryWatched int64 `json:"recovery_watched_ns,omitempty"`
}

// Name is the window's label: the fault, or the nemesis and why it failed.
func (w Window) Name() string {
	if w.Fault != nil {
		return w.Fault.String()
	}
	return fmt.Sprintf("%s (failed: %s)", w.Nemesis, w.Error)
}

// Effect is whether an injected fault took hold: Took as a probe saw it,
// or, when Probed is false, because the injection succeeded and this kind
// has no probe.
type Effect struct {
	// Took: the probe saw the fault in place, or there is no probe for
	// this kind and the injection succeeded (Probed false).
	Took bool `json:"took"`
	// Probed: a probe looked; false when this kind of fault has none.
	Probed bool `json:"probed"`
	// Evidence is what the probe saw ("n2 stopped answering /status").
	Evidence string `json:"evidence"`
}
