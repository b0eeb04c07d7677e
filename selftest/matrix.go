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
	// Caught is how many runs found a violation; Errors how many could not
	// be carried out (they count as runs that did not catch).
	Caught int `json:"caught"`
	Errors int `json:"errors"`
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
	// FalseAlarms sums Baseline's Caught.
	FalseAlarms int       `json:"false_alarms"`
	Outcomes    []Outcome `json:"outcomes"`
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
			if o.Error != "" {
				c.Errors++
			}
			if o.Caught {
				c.Caught++
				if o.Detect != nil {
					detect = append(detect, *o.Detect)
				}
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
		}
	}
	return m
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
