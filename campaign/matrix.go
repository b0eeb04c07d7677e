package campaign

import (
	"errors"
	"fmt"
	"time"

	"github.com/raftlab/raftlab/scenarios"
)

// A Matrix is what a campaign runs: every scenario with every seed, and,
// for a self-test, the bug axis (SelfTest).
type Matrix struct {
	Scenarios []string `json:"scenarios"`
	Seeds     []uint64 `json:"seeds"`
	// Duration, if set, replaces every scenario's workload duration.
	Duration time.Duration `json:"duration_ns,omitempty"`
	// Scale, if above 1 and Duration is not set, multiplies every
	// scenario's own workload duration (the nightly campaign's longer runs:
	// more fault windows per run than CI's).
	Scale float64 `json:"duration_scale,omitempty"`
	// CheckTimeout, if set, is the checker's budget per key; it can turn a
	// verdict into unknown, so shards must agree on it and a repro repeats it.
	CheckTimeout time.Duration `json:"check_timeout_ns,omitempty"`
	// System is the system under test ("" = raftkv); shards must agree on it.
	System string `json:"system,omitempty"`
	// SelfTest, if set, is the bug axis: planted bugs × their scenarios ×
	// its seeds, and the unmodified store. Its jobs come after the
	// scenarios × seeds.
	SelfTest *BugAxis `json:"selftest,omitempty"`
}

// A Job is one run of the matrix.
type Job struct {
	// Index is the job's position in the matrix order; shards and merges
	// identify jobs by it.
	Index    int    `json:"index"`
	Scenario string `json:"scenario"`
	Seed     uint64 `json:"seed"`
	// Bug is set for a job of the bug axis: the planted bug switched on,
	// or Unmodified.
	Bug string `json:"bug,omitempty"`
}

// Name is the job's folder name, unique in a matrix: scenario-s<seed>, and
// for the bug axis <bug>--scenario-s<seed> (the bug without "bug-").
func (j Job) Name() string {
	if j.Bug != "" {
		return fmt.Sprintf("%s--%s-s%d", bugShort(j.Bug), j.Scenario, j.Seed)
	}
	return fmt.Sprintf("%s-s%d", j.Scenario, j.Seed)
}

// Seeds returns n consecutive seeds starting at first: readable, and each
// names its run exactly.
func Seeds(first uint64, n int) []uint64 {
	seeds := make([]uint64, n)
	for i := range seeds {
		seeds[i] = first + uint64(i)
	}
	return seeds
}

// Jobs lists the matrix seed by seed: every scenario with the first seed,
// then every scenario with the second, and so on, so that a campaign cut
// short by its budget has run every scenario before it repeats one.
func (m Matrix) Jobs() []Job {
	jobs := make([]Job, 0, len(m.Scenarios)*len(m.Seeds))
	for _, seed := range m.Seeds {
		for _, s := range m.Scenarios {
			jobs = append(jobs, Job{Index: len(jobs), Scenario: s, Seed: seed})
		}
	}
	return append(jobs, m.SelfTest.jobs(len(jobs))...)
}

// plainJobs is the number of jobs before the bug axis's.
func (m Matrix) plainJobs() int { return len(m.Scenarios) * len(m.Seeds) }

// Scenario returns the job's scenario with the matrix's duration applied
// and, for the bug axis, its planted bug switched on.
func (m Matrix) Scenario(j Job) (scenarios.Scenario, error) {
	s, ok := scenarios.Lookup(j.Scenario)
	if !ok {
		return s, fmt.Errorf("unknown scenario %q", j.Scenario)
	}
	if j.Bug != "" {
		if m.SelfTest != nil && m.SelfTest.Duration > 0 {
			s.Duration = m.SelfTest.Duration
		}
		return Arm(s, j.Bug), s.Validate()
	}
	if m.Duration > 0 {
		s.Duration = m.Duration
	} else if m.Scale > 1 {
		s.Duration = time.Duration(float64(s.Duration) * m.Scale).Round(100 * time.Millisecond)
	}
	return s, s.Validate()
}

// Validate reports the first thing wrong with m.
func (m Matrix) Validate() error {
	if len(m.Scenarios) == 0 && m.SelfTest == nil {
		return fmt.Errorf("no scenarios")
	}
	if len(m.Scenarios) > 0 && len(m.Seeds) == 0 {
		return fmt.Errorf("no seeds")
	}
	if a := m.SelfTest; a != nil {
		switch {
		case len(a.Bugs) == 0:
			return errors.New("self-test: no planted bug")
		case len(a.Seeds) == 0:
			return errors.New("self-test: no seeds")
		case a.Duration < 0:
			return errors.New("self-test: negative duration")
		case m.System != "":
			return fmt.Errorf("self-test: planted bugs are raftkv's, the matrix's system is %s", m.System)
		}
	}
	if m.Duration < 0 {
		return fmt.Errorf("negative duration")
	}
	if m.Scale < 0 || m.Scale > 20 {
		return fmt.Errorf("duration scale %g: want 1..20", m.Scale)
	}
	seen := map[string]bool{}
	for _, j := range m.Jobs() {
		if seen[j.Name()] {
			return fmt.Errorf("%s appears twice", j.Name())
		}
		seen[j.Name()] = true
		if _, err := m.Scenario(j); err != nil {
			return err
		}
	}
	return nil
}

// Equal reports whether two matrices have the same jobs.
func (m Matrix) Equal(o Matrix) bool {
	if !m.SelfTest.equal(o.SelfTest) {
		return false
	}
	if m.Duration != o.Duration || m.Scale != o.Scale || m.CheckTimeout != o.CheckTimeout || m.System != o.System || len(m.Scenarios) != len(o.Scenarios) || len(m.Seeds) != len(o.Seeds) {
		return false
	}
	for i := range m.Scenarios {
		if m.Scenarios[i] != o.Scenarios[i] {
			return false
		}
	}
	for i := range m.Seeds {
		if m.Seeds[i] != o.Seeds[i] {
			return false
		}
	}
	return true
}
