// Package compare puts runs of the same scenarios and seeds on several
// systems side by side: per scenario and system the verdicts, throughput
// quiet and under faults, availability and p99 per fault kind, unknown
// operations per fault window. It works on plain run summaries; `chaoslab
// compare` runs them (cmd/chaoslab/compare.go) and writes compare.json and
// compare.html with Write.
package compare

import (
	"slices"
	"sort"

	"github.com/raftlab/raftlab/report"
)

// A Run is one run's summary on one system.
type Run struct {
	System  string          `json:"system"`
	Summary *report.Summary `json:"-"`
	// Dir is the run's folder relative to the comparison's folder.
	Dir string `json:"dir"`
	// Recoveries are its fault windows' recovery times (see Recoveries).
	Recoveries []Recovery `json:"-"`
}

// Comparison is compare.json.
type Comparison struct {
	Version   int      `json:"version"`
	Systems   []string `json:"systems"`
	Scenarios []string `json:"scenarios"`
	Seeds     []uint64 `json:"seeds"`
	// Cells are one per scenario and system, in Scenarios × Systems order.
	Cells []Cell `json:"cells"`
	// Kinds are the fault kinds seen, with every system's figures.
	Kinds []KindRow `json:"by_fault_kind"`
}

// Cell is one scenario on one system over its seeds.
type Cell struct {
	Scenario string `json:"scenario"`
	System   string `json:"system"`
	// NotApplicable, when set, says why the scenario did not run on the
	// system; the figures are then empty.
	NotApplicable string `json:"not_applicable,omitempty"`
	Runs          int    `json:"runs"`
	AsExpected    int    `json:"as_expected"`
	// Verdicts counts the linearizability verdicts by name.
	Verdicts map[string]int `json:"verdicts"`
	Errors   int            `json:"errors"` // runs that could not be carried out
	// Quiet and Fault add up every run's quiet and fault phases.
	Quiet Figures `json:"quiet"`
	Fault Figures `json:"fault"`
	// Dirs are the runs' folders.
	Dirs []string `json:"dirs"`
}

// Figures are throughput and availability over phases of several runs.
type Figures struct {
	Seconds      float64 `json:"seconds"`
	Ops          int     `json:"ops"`
	OK           int     `json:"ok"`
	Definite     int     `json:"definite"` // ok + cas mismatch
	Info         int     `json:"info"`
	OKPerSec     float64 `json:"ok_per_sec"`
	Availability float64 `json:"availability"`
	// P99ms is the highest per-run p99 (a p99 of p99s would be made up).
	P99ms float64 `json:"p99_ms_max"`
}

// KindRow is one fault kind on every system.
type KindRow struct {
	Kind    string       `json:"kind"`
	Systems []KindFigure `json:"systems"`
}

// KindFigure is a fault kind's windows on one system, over every run.
type KindFigure struct {
	System        string  `json:"system"`
	Windows       int     `json:"windows"`
	Ops           int     `json:"ops"`
	Availability  float64 `json:"availability"`
	Info          int     `json:"info"`
	InfoPerWindow float64 `json:"info_per_window"`
	// Mean times to the first acknowledged write after the injection and
	// after the heal began, over the windows that had one, in seconds (-1:
	// none); NoRecovery counts windows with no acknowledged write after.
	RecoverFromInjection float64 `json:"recover_from_injection_s"`
	RecoverFromHeal      float64 `json:"recover_from_heal_s"`
	NoRecovery           int     `json:"no_recovery"`
}

func (f *Figures) add(s report.Stats) {
	f.Seconds += s.Seconds
	f.Ops += s.Ops
	f.OK += s.OK
	f.Definite += s.OK + s.Mismatch
	f.Info += s.Info
	f.P99ms = max(f.P99ms, s.P99ms)
}

func (f *Figures) finish() {
	if f.Seconds > 0 {
		f.OKPerSec = float64(f.OK) / f.Seconds
	}
	if f.Ops > 0 {
		f.Availability = float64(f.Definite) / float64(f.Ops)
	}
}

// Build compares runs. notApplicable maps "scenario/system" to the reason
// a scenario did not run there; errored counts runs that could not be
// carried out, by the same key.
func Build(systems, scenarios []string, seeds []uint64, runs []Run, notApplicable map[string]string, errored map[string]int) Comparison {
	c := Comparison{Version: 1, Systems: systems, Scenarios: scenarios, Seeds: seeds}
	type kindKey struct{ kind, system string }
	kinds := map[kindKey]*KindFigure{}
	kindDefinite := map[kindKey]int{}
	type sums struct {
		inj, heal   float64
		nInj, nHeal int
	}
	rec := map[kindKey]*sums{}
	for _, sc := range scenarios {
		for _, sys := range systems {
			cell := Cell{Scenario: sc, System: sys, Verdicts: map[string]int{}, Dirs: []string{},
				NotApplicable: notApplicable[sc+"/"+sys], Errors: errored[sc+"/"+sys]}
			for _, r := range runs {
				s := r.Summary
				if r.System != sys || s == nil || s.Scenario != sc {
					continue
				}
				cell.Runs++
				cell.Dirs = append(cell.Dirs, r.Dir)
				if s.AsExpected {
					cell.AsExpected++
				}
				cell.Verdicts[string(s.Verdict)]++
				for _, rv := range r.Recoveries {
					key := kindKey{rv.Kind, sys}
					sm := rec[key]
					if sm == nil {
						sm = &sums{}
						rec[key] = sm
					}
					if rv.FromInjection >= 0 {
						sm.inj += rv.FromInjection
						sm.nInj++
					}
					if rv.FromHeal >= 0 {
						sm.heal += rv.FromHeal
						sm.nHeal++
					} else {
						kinds[key] = ensure(kinds[key], sys)
						kinds[key].NoRecovery++
					}
				}
				cell.Quiet.add(s.Phases[report.PhaseQuiet])
				cell.Fault.add(s.Phases[report.PhaseFault])
				for _, k := range s.ByFaultKind {
					key := kindKey{k.Kind, sys}
					kf := ensure(kinds[key], sys)
					kinds[key] = kf
					kf.Windows += k.Windows
					kf.Ops += k.Ops
					kf.Info += k.Info
					kindDefinite[key] += k.OK + k.Mismatch
				}
			}
			cell.Quiet.finish()
			cell.Fault.finish()
			c.Cells = append(c.Cells, cell)
		}
	}
	var names []string
	for k := range kinds {
		if !slices.Contains(names, k.kind) {
			names = append(names, k.kind)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		row := KindRow{Kind: n}
		for _, sys := range systems {
			key := kindKey{n, sys}
			kf := KindFigure{System: sys, RecoverFromInjection: -1, RecoverFromHeal: -1}
			if sm := rec[key]; sm != nil {
				if sm.nInj > 0 {
					kf.RecoverFromInjection = sm.inj / float64(sm.nInj)
				}
				if sm.nHeal > 0 {
					kf.RecoverFromHeal = sm.heal / float64(sm.nHeal)
				}
			}
			if p := kinds[key]; p != nil {
				inj, heal := kf.RecoverFromInjection, kf.RecoverFromHeal
				kf = *p
				kf.RecoverFromInjection, kf.RecoverFromHeal = inj, heal
				if kf.Ops > 0 {
					kf.Availability = float64(kindDefinite[key]) / float64(kf.Ops)
				}
				if kf.Windows > 0 {
					kf.InfoPerWindow = float64(kf.Info) / float64(kf.Windows)
				}
			}
			row.Systems = append(row.Systems, kf)
		}
		c.Kinds = append(c.Kinds, row)
	}
	return c
}

func ensure(kf *KindFigure, sys string) *KindFigure {
	if kf == nil {
		return &KindFigure{System: sys}
	}
	return kf
}
