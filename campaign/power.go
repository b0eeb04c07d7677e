package campaign

import (
	"math"

	"github.com/raftlab/raftlab/bugs"
	"github.com/raftlab/raftlab/report"
)

// A PowerCell is one planted bug (or the unmodified store) in one scenario,
// over the bug axis's seeds.
type PowerCell struct {
	Bug      string `json:"bug"`
	Scenario string `json:"scenario"`
	// Runs are the runs that were started. Every one is exactly one of:
	// Caught (found a violation: for the unmodified store a false alarm),
	// Clean (the unmodified store, nothing found, faults in place: the only
	// baseline pass), Missed (a planted bug not found although the run
	// tested what it should), Unknown (the run says nothing: checker
	// undecided, keys not read on every node, too few faults took effect)
	// and Errors (not carried out). Unknown and Errors are never clean nor
	// caught. NotRun are jobs never started (budget, interrupt, a shard
	// that reported nothing): not in Runs.
	Runs    int `json:"runs"`
	Caught  int `json:"caught"`
	Clean   int `json:"clean"`
	Missed  int `json:"missed"`
	Unknown int `json:"unknown"`
	Errors  int `json:"errors"`
	NotRun  int `json:"not_run,omitempty"`
	// MedianDetect and WorstDetect are the median and the largest seconds
	// of workload until the first operation that cannot be ordered, over
	// the caught runs that have one (a catch by divergence has none).
	MedianDetect *float64 `json:"median_detect_s,omitempty"`
	WorstDetect  *float64 `json:"worst_detect_s,omitempty"`
	// Results are the cell's runs, by seed.
	Results []Result `json:"-"`
}

// A BugPower is a planted bug and its cells.
type BugPower struct {
	bugs.Bug
	Cells []PowerCell `json:"cells"`
	// Caught and Runs sum the cells; MedianDetect and WorstDetect are over
	// all its caught runs.
	Caught       int      `json:"caught"`
	Runs         int      `json:"runs"`
	MedianDetect *float64 `json:"median_detect_s,omitempty"`
	WorstDetect  *float64 `json:"worst_detect_s,omitempty"`
	// CaughtSeeds and Seeds: a seed counts as caught when any of the bug's
	// scenarios caught it with that seed.
	CaughtSeeds int `json:"caught_seeds"`
	Seeds       int `json:"seeds"`
}

// Power is what the bug axis of a campaign measured: the lab's detection
// power.
type Power struct {
	Bugs []BugPower `json:"bugs"`
	// Baseline are the unmodified store's cells: Caught there are false
	// alarms and must be 0.
	Baseline []PowerCell `json:"baseline"`
	// FalseAlarms sums Baseline's Caught; BaselineRuns, BaselineClean,
	// BaselineUnknown and BaselineErrors its runs, clean runs, unknown runs
	// and errors. Only clean runs show the unmodified store clean: "0 false
	// alarms" over runs that errored proves nothing.
	FalseAlarms int `json:"false_alarms"`
	// Caught and Runs sum the planted bugs' runs.
	Caught          int `json:"caught"`
	Runs            int `json:"runs"`
	BaselineRuns    int `json:"baseline_runs"`
	BaselineClean   int `json:"baseline_clean"`
	BaselineUnknown int `json:"baseline_unknown"`
	BaselineErrors  int `json:"baseline_errors"`
}

// Power aggregates m's bug axis (nil when m has none).
func (m *Manifest) Power() *Power {
	a := m.Matrix.SelfTest
	if a == nil {
		return nil
	}
	p := &Power{}
	for _, bs := range a.Bugs {
		if bs.Bug == Unmodified {
			for _, sc := range bs.Scenarios {
				c := m.powerCell(bs.Bug, sc)
				p.Baseline = append(p.Baseline, c)
				p.FalseAlarms += c.Caught
				p.BaselineRuns += c.Runs
				p.BaselineClean += c.Clean
				p.BaselineUnknown += c.Unknown
				p.BaselineErrors += c.Errors
			}
			continue
		}
		b, ok := bugs.Lookup(bs.Bug)
		if !ok {
			b = bugs.Bug{Name: bs.Bug}
		}
		row := BugPower{Bug: b}
		seeds, caught := map[uint64]bool{}, map[uint64]bool{}
		var detect []float64
		for _, sc := range bs.Scenarios {
			c := m.powerCell(bs.Bug, sc)
			row.Cells = append(row.Cells, c)
			row.Caught += c.Caught
			row.Runs += c.Runs
			for _, r := range c.Results {
				if !r.Status.started() {
					continue
				}
				seeds[r.Seed] = true
				if r.Caught() {
					caught[r.Seed] = true
					if r.FirstViolation != nil {
						detect = append(detect, *r.FirstViolation)
					}
				}
			}
		}
		row.MedianDetect, row.WorstDetect = round1p(report.Median(detect)), round1p(report.Max(detect))
		row.Seeds, row.CaughtSeeds = len(seeds), len(caught)
		p.Caught += row.Caught
		p.Runs += row.Runs
		p.Bugs = append(p.Bugs, row)
	}
	return p
}

// powerCell counts the runs of bug in scenario sc.
func (m *Manifest) powerCell(bug, sc string) PowerCell {
	c := PowerCell{Bug: bug, Scenario: sc}
	var detect []float64
	for _, r := range m.Results {
		if r.Bug != bug || r.Scenario != sc {
			continue
		}
		c.Results = append(c.Results, r)
		if !r.Status.started() {
			c.NotRun++
			continue
		}
		c.Runs++
		switch {
		case r.Status == Error:
			c.Errors++
		case r.Caught():
			c.Caught++
			if r.FirstViolation != nil {
				detect = append(detect, *r.FirstViolation)
			}
		case r.Status == Unknown:
			c.Unknown++
		case bug == Unmodified:
			c.Clean++
		default:
			c.Missed++
		}
	}
	c.MedianDetect, c.WorstDetect = round1p(report.Median(detect)), round1p(report.Max(detect))
	return c
}

// started reports whether a run with this status was started.
func (s Status) started() bool { return s != Skipped && s != Pending }

// BaselineShown reports whether every run of the unmodified store came out
// clean (none errored, none unknown, no false alarm), and there was one.
func (p *Power) BaselineShown() bool {
	return p.BaselineRuns > 0 && p.BaselineClean == p.BaselineRuns
}

// Weak returns the bugs caught in fewer than min of their seeds (the
// lab's blind spots at these durations), and those never run.
func (p *Power) Weak(min float64) []string {
	var out []string
	for _, r := range p.Bugs {
		if r.Seeds == 0 || float64(r.CaughtSeeds) < min*float64(r.Seeds) {
			out = append(out, r.Name)
		}
	}
	return out
}

func round1p(v *float64) *float64 {
	if v == nil {
		return nil
	}
	x := math.Round(*v*10) / 10
	return &x
}
