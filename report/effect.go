package report

import (
	"fmt"
	"strings"

	"github.com/raftlab/raftlab/fault"
)

// Effect is whether a fault window's fault took hold (fault.Effect).
type Effect = fault.Effect

// FaultEffect counts the run's fault windows by whether their fault took
// effect, against what the scenario needs. A run whose faults did not take
// hold tested the quiet store: it is not as expected, whatever its verdict.
type FaultEffect struct {
	// Windows are the fault windows started; Failed those whose injection
	// failed; Ineffective those injected that a probe saw not in place.
	Windows     int `json:"windows"`
	Failed      int `json:"failed"`
	Ineffective int `json:"ineffective"`
	// Effective are the windows whose fault took effect: Probed of them
	// seen by a probe, the rest injected with no probe for their kind (or
	// recorded before effects were: older runs).
	Effective int `json:"effective"`
	Probed    int `json:"probed"`
	// Needed is how many effective windows the scenario needs
	// (Scenario.NeedFaults, or by default half of the windows started,
	// rounded up).
	Needed int  `json:"needed"`
	OK     bool `json:"ok"`
	// Detail says it in words, with the evidence of each window that did
	// not take effect.
	Detail string `json:"detail"`
}

// EvaluateFaultEffect judges the run's fault windows; nil when the scenario
// has no nemeses (nothing to take effect) or the run was interrupted.
func EvaluateFaultEffect(r Run) *FaultEffect {
	if len(r.Scenario.Nemeses) == 0 || r.Interrupted {
		return nil
	}
	fe := &FaultEffect{Windows: len(r.Faults)}
	var bad []string
	for _, w := range r.Faults {
		switch {
		case w.Fault == nil:
			fe.Failed++
			bad = append(bad, w.Nemesis+": injection failed ("+w.Error+")")
		case w.Effect != nil && !w.Effect.Took:
			fe.Ineffective++
			bad = append(bad, w.Fault.String()+": "+w.Effect.Evidence)
		default:
			fe.Effective++
			if w.Effect != nil && w.Effect.Probed {
				fe.Probed++
			}
		}
	}
	fe.Needed = r.Scenario.NeedFaults
	if fe.Needed <= 0 {
		fe.Needed = max(1, (fe.Windows+1)/2)
	}
	fe.OK = fe.Effective >= fe.Needed
	fe.Detail = fmt.Sprintf("%d of %d fault windows took effect (%d seen by a probe), %d needed", fe.Effective, fe.Windows, fe.Probed, fe.Needed)
	if len(bad) > 0 {
		fe.Detail += "; " + strings.Join(bad, "; ")
	}
	return fe
}
