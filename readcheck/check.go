package readcheck

import (
	"context"
	"fmt"
	"sort"

	"github.com/raftlab/raftlab/linearizability"
)

// Options tune [Check]. The zero value is ready to use.
type Options struct {
	// Linearizability tunes the porcupine checks (its ReadLevels is set by
	// Check, per level).
	Linearizability linearizability.Options
	// ContractsOnly skips porcupine: the levels' Linearizable stays empty
	// and the linearizable level's contract is judged by its anomalies only
	// (Unknown when it has none). For benchmarks and quick looks.
	ContractsOnly bool
	// Full, if set, is linearizability.Check's result of these very events
	// (every read), which the caller already has: it is not run again.
	Full *linearizability.Result
}

// Check judges every read of a history by its level's contract. It returns
// a [*linearizability.LineError] only when the history is malformed.
func Check(ctx context.Context, events []linearizability.Event, opts Options) (*Result, error) {
	ops, err := linearizability.Pair(events)
	if err != nil {
		return nil, err
	}
	res := contracts(events, ops)
	if !opts.ContractsOnly {
		if err := judgeLinearizability(ctx, events, res, opts.Linearizability, opts.Full); err != nil {
			return nil, err
		}
	}
	finish(res, !opts.ContractsOnly)
	return res, nil
}

// Contracts is Check without porcupine (Options.ContractsOnly): the
// evidence-based and history-based contract checks alone.
func Contracts(events []linearizability.Event) (*Result, error) {
	return Check(context.Background(), events, Options{ContractsOnly: true})
}

// judgeLinearizability runs porcupine on the whole history (as before this
// package) and, where several levels are present, on each level's reads with
// every write.
func judgeLinearizability(ctx context.Context, events []linearizability.Event, res *Result, lo linearizability.Options, full *linearizability.Result) error {
	lo.ReadLevels = nil
	if full == nil {
		var err error
		if full, err = linearizability.Check(ctx, events, lo); err != nil {
			return err
		}
	}
	lo.Progress = nil // the full check reported progress; the levels' checks are extra
	res.Linearizability = full
	for i := range res.Levels {
		lr := &res.Levels[i]
		r := full
		var err error
		// Leaving reads out cannot make a linearizable history
		// non-linearizable: only a full check that failed needs the levels'
		// own.
		if len(res.Levels) > 1 && full.Verdict != linearizability.Linearizable {
			lo.ReadLevels = []string{lr.Level}
			if r, err = linearizability.Check(ctx, events, lo); err != nil {
				return err
			}
		}
		lr.Linearizable, lr.Check = r.Verdict, r
		lr.NotLinearizableKeys = r.KeysWith(linearizability.NotLinearizable)
	}
	if lin := res.Level(linearizability.LevelLinearizable); len(res.Levels) > 0 && (lin == nil || len(res.Levels) > 1) {
		if full.Verdict == linearizability.Linearizable {
			res.Writes = linearizability.Linearizable
			return nil
		}
		// The writes on their own: no get has this level.
		lo.ReadLevels = []string{"writes only"}
		r, err := linearizability.Check(ctx, events, lo)
		if err != nil {
			return err
		}
		res.Writes = r.Verdict
	}
	return nil
}

// LinearizableOnly returns the events without the gets of other levels than
// linearizable: the history porcupine judges for the linearizable contract
// (a history file; shrink it with linearizability.Shrink).
func LinearizableOnly(events []linearizability.Event) []linearizability.Event {
	drop := map[int]bool{} // processes whose outstanding get is dropped
	out := make([]linearizability.Event, 0, len(events))
	for _, e := range events {
		if e.IsNemesis() {
			out = append(out, e)
			continue
		}
		if e.Type == linearizability.TypeInvoke {
			drop[e.Process] = e.F == linearizability.FGet && e.ReadLevel() != linearizability.LevelLinearizable
		}
		if !drop[e.Process] {
			out = append(out, e)
		}
	}
	return out
}

// finish sets the verdicts from the anomalies (and porcupine, when run).
func finish(res *Result, porcupine bool) {
	sort.SliceStable(res.Anomalies, func(i, j int) bool { return res.Anomalies[i].Time < res.Anomalies[j].Time })
	res.AnomaliesTotal = len(res.Anomalies)
	general := 0 // anomalies of the evidence of writes, which every level relies on
	for _, a := range res.Anomalies {
		if a.Level == "" {
			general++
		}
	}
	for i := range res.Levels {
		lr := &res.Levels[i]
		for _, a := range res.Anomalies {
			if a.Level == lr.Level {
				lr.Anomalies++
			}
		}
		switch {
		case lr.Anomalies > 0 || general > 0 || res.Writes == linearizability.NotLinearizable:
			lr.Contract = Violated
		case lr.OkReads == 0:
			lr.Contract = Unknown
		case lr.Level != linearizability.LevelLinearizable:
			lr.Contract = OK
		case !porcupine:
			lr.Contract = Unknown
		case lr.Linearizable == linearizability.NotLinearizable:
			lr.Contract = Violated
		case lr.Linearizable == linearizability.Linearizable:
			lr.Contract = OK
		default:
			lr.Contract = Unknown
		}
	}
	res.Contract = OK
	if len(res.Levels) == 0 {
		// No read: the writes alone, as linearizability judged them before.
		res.Contract = Unknown
		if full := res.Linearizability; full != nil && res.Operations > 0 {
			res.Contract = contractOf(full.Verdict)
		}
	}
	if general > 0 || res.Writes == linearizability.NotLinearizable {
		res.Contract = Violated
	}
	for _, lr := range res.Levels {
		switch {
		case lr.Contract == Violated:
			res.Contract = Violated
		case lr.Contract == Unknown && res.Contract == OK:
			res.Contract = Unknown
		}
	}
	if len(res.Anomalies) > MaxAnomalies {
		res.Anomalies = res.Anomalies[:MaxAnomalies]
	}
}

// ref describes operation op for an anomaly.
func ref(op *linearizability.Operation) OpRef {
	r := OpRef{
		Line: op.Line, ReturnLine: op.ReturnLine, Process: op.Process, F: op.F, Key: op.Key, Value: op.Value,
		Type: op.Type, Node: op.Node, Incarnation: op.Incarnation, Index: op.Index, Call: op.Call, Return: op.Return,
	}
	if op.F == linearizability.FGet {
		r.Level = op.ReadLevel()
	}
	return r
}

// String is the operation in words: `get "k" → "v3" on n2 at index 41 (lines 7–9)`.
func (r OpRef) String() string {
	var s string
	switch r.F {
	case linearizability.FGet:
		s = fmt.Sprintf("%s get %q → %s", r.Level, r.Key, show(r.Value))
	case linearizability.FSet:
		s = fmt.Sprintf("set %q = %s", r.Key, show(r.Value))
	case linearizability.FDelete:
		s = fmt.Sprintf("delete %q", r.Key)
	case linearizability.FCAS:
		s = fmt.Sprintf("cas %q → %s", r.Key, show(r.Value))
	}
	if r.Type != linearizability.TypeOk {
		s += " (" + r.Type + ")"
	}
	if r.Node != "" {
		s += " on " + r.Node
	}
	if r.Index > 0 {
		s += fmt.Sprintf(" at index %d", r.Index)
	}
	if r.ReturnLine > 0 {
		s += fmt.Sprintf(" (lines %d–%d)", r.Line, r.ReturnLine)
	} else {
		s += fmt.Sprintf(" (line %d, no reply)", r.Line)
	}
	return s
}

func show(v *string) string {
	if v == nil {
		return "absent"
	}
	return fmt.Sprintf("%q", *v)
}

func contractOf(v linearizability.Verdict) Verdict {
	switch v {
	case linearizability.Linearizable:
		return OK
	case linearizability.NotLinearizable:
		return Violated
	}
	return Unknown
}
