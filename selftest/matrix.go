package selftest

import (
	"slices"
	"sort"

	"github.com/raftlab/raftlab/bugs"
)

// A Cell is one bug in one scenario over its seeds (Bug Baseline: the
// unmodified store).
type Cell struct {
	Bug      string `json:"bug"`
	Scenario string `json:"scenario"`
	Runs     int    `json:"runs"`
	// Every run is exactly one of: Caught (found a violation: for the
	// unmodified store a false alarm), Clean (the unmodified store, nothing
	// found, faults in place: the only baseline pass), Missed (a planted
	// bug not found although the run tested what it should), Unknown (the
	// checker ran out of budget, keys not read on every node, or too few
	// faults took effect: the run says nothing) and Errors (not carried
	// out). Unknown and Errors are never counted as clean nor as caught.
	Caught  int `json:"caught"`
	Clean   int `json:"clean"`
	Missed  int `json:"missed"`
	Unknown int `json:"unknown"`
	Errors  int `json:"errors"`
	// MedianDetect is the median seconds of workload until the first
	// violation (a read breaking its contract), over the caught runs that have one.
	MedianDetect *float64 `json:"median_detect_s,omitempty"`
}

// A BugRow is a planted bug and its cells, as the matrix shows it.
type BugRow struct {
	bugs.Bug
	Cells []Cell `json:"cells"`
	// Caught and Runs sum the cells: a bug counts as caught in a seed when
	// any of its scenarios caught it with that seed.
	CaughtSeeds int `json:"caught_seeds"`
	Seeds       int `json:"seeds"`
}

// A Matrix is the result of a self-test.
type Matrix struct {
	Bugs []BugRow `json:"bugs"`
	// Baseline are the unmodified store's cells: Caught there are false
	// alarms and must be 0.
	Baseline []Cell `json:"baseline"`
	// FalseAlarms sums Baseline's Caught; BaselineRuns, BaselineClean,
	// BaselineUnknown and BaselineErrors sum its runs, clean runs, unknown
	// runs and runs not carried out. Only clean runs show the unmodified
	// store clean: "0 false alarms" over runs that errored proves nothing.
	FalseAlarms     int       `json:"false_alarms"`
	BaselineRuns    int       `json:"baseline_runs"`
	BaselineClean   int       `json:"baseline_clean"`
	BaselineUnknown int       `json:"baseline_unknown"`
	BaselineErrors  int       `json:"baseline_errors"`
	Outcomes        []Outcome `json:"outcomes"`
}

// Aggregate builds the matrix from the outcomes of runs of the given bugs.
func Aggregate(bs []bugs.Bug, outs []Outcome) *Matrix {
	m := &Matrix{Outcomes: outs}
	cell := func(bug, sc string) Cell {
		c := Cell{Bug: bug, Scenario: sc}
		var detect []float64
		for _, o := range outs {
			if o.Bug != bug || o.Scenario != sc {
				continue
			}
			c.Runs++
			switch o.Class() {
			case ClassError:
				c.Errors++
			case ClassCaught:
				c.Caught++
				if o.Detect != nil {
					detect = append(detect, *o.Detect)
				}
			case ClassUnknown:
				c.Unknown++
			case ClassClean:
				c.Clean++
			default:
				c.Missed++
			}
		}
		c.MedianDetect = median(detect)
		return c
	}
	var used []string
	for _, b := range bs {
		row := BugRow{Bug: b}
		seeds := map[uint64]bool{}
		caught := map[uint64]bool{}
		for _, sc := range b.Scenarios {
			c := cell(b.Name, sc)
			if c.Runs == 0 {
				continue
			}
			row.Cells = append(row.Cells, c)
			if !slices.Contains(used, sc) {
				used = append(used, sc)
			}
		}
		for _, o := range outs {
			if o.Bug == b.Name {
				seeds[o.Seed] = true
				if o.Caught {
					caught[o.Seed] = true
				}
			}
		}
		row.Seeds, row.CaughtSeeds = len(seeds), len(caught)
		if row.Seeds > 0 {
			m.Bugs = append(m.Bugs, row)
		}
	}
	for _, o := range outs {
		if o.Bug == Baseline && !slices.Contains(used, o.Scenario) {
			used = append(used, o.Scenario)
		}
	}
	for _, sc := range used {
		if c := cell(Baseline, sc); c.Runs > 0 {
			m.Baseline = append(m.Baseline, c)
			m.FalseAlarms += c.Caught
			m.BaselineRuns += c.Runs
			m.BaselineClean += c.Clean
			m.BaselineUnknown += c.Unknown
			m.BaselineErrors += c.Errors
		}
	}
	return m
}

// BaselineShown reports whether every run of the unmodified store came out
// clean (none errored, none unknown, no false alarm), and there was one.
func (m *Matrix) BaselineShown() bool {
	return m.BaselineRuns > 0 && m.BaselineClean == m.BaselineRuns
}

// Weak returns the bugs caught in fewer than min of their seeds (the
// lab's blind spots at these durations).
func (m *Matrix) Weak(min float64) []string {
	var out []string
	for _, r := range m.Bugs {
		if r.Seeds > 0 && float64(r.CaughtSeeds) < min*float64(r.Seeds) {
			out = append(out, r.Name)
		}
	}
	return out
}

func median(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	s := slices.Clone(xs)
	sort.Float64s(s)
	v := s[len(s)/2]
	if len(s)%2 == 0 {
		v = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	v = float64(int64(v*10+0.5)) / 10
	return &v
}
