package compare

import (
	"github.com/raftlab/raftlab/linearizability"
	"github.com/raftlab/raftlab/report"
)

// Recovery is one fault window's time to recover: from the injection and
// from the start of healing to the first acknowledged write invoked at or
// after that moment, in seconds (-1: no write was acknowledged after it in
// the run). A write in flight before the moment is no evidence of recovery.
type Recovery struct {
	Kind          string  `json:"kind"`
	FromInjection float64 `json:"from_injection_s"`
	FromHeal      float64 `json:"from_heal_s"`
}

// Recoveries computes the recovery of every fault window that was injected
// (ops and faults on the same clock: the history's).
func Recoveries(ops []linearizability.Operation, faults []report.FaultWindow) []Recovery {
	firstAck := func(at int64) float64 {
		best := int64(-1)
		for _, op := range ops {
			if op.Type != linearizability.TypeOk || op.F == linearizability.FGet || op.Call < at {
				continue
			}
			if best < 0 || op.Return < best {
				best = op.Return
			}
		}
		if best < 0 {
			return -1
		}
		return float64(best-at) / 1e9
	}
	var out []Recovery
	for _, w := range faults {
		if w.Fault == nil || w.Injected == 0 {
			continue // not injected: no fault to recover from
		}
		r := Recovery{Kind: string(w.Fault.Kind), FromInjection: firstAck(w.Injected), FromHeal: -1}
		if w.Healing > 0 {
			r.FromHeal = firstAck(w.Healing)
		}
		out = append(out, r)
	}
	return out
}
