package trend

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"

	"github.com/raftlab/raftlab/campaign"
	"github.com/raftlab/raftlab/scenarios"
)

// A Line is one night.
type Line struct {
	// Night names the night (a date, or the workflow run).
	Night string `json:"night"`
	// Bugs are the self-test's planted bugs: caught in Caught of Runs runs
	// (over all its scenarios and seeds; errored and unknown runs are runs
	// that did not catch), with the median and the worst seconds to the
	// first violation over its caught runs.
	Bugs map[string]BugFigures `json:"bugs,omitempty"`
	// Scenarios are the campaign's scenarios (and the self-test's
	// unmodified store, as "selftest:<scenario>").
	Scenarios map[string]ScenarioFigures `json:"scenarios,omitempty"`
	// Recovery are the campaign's recovery figures per fault kind
	// (campaign.Recovery): medians over the runs, in seconds.
	Recovery map[string]RecoveryFigures `json:"recovery,omitempty"`
}

// RecoveryFigures are one fault kind's recovery figures of a night.
type RecoveryFigures struct {
	Windows            int      `json:"windows"`
	FirstAckMedian     *float64 `json:"first_ack_write_median_s,omitempty"`
	FullStrengthMedian *float64 `json:"full_strength_median_s,omitempty"`
	ElectionsPerWindow float64  `json:"elections_per_window"`
}

// BugFigures are one planted bug's figures of a night.
type BugFigures struct {
	Caught       int      `json:"caught"`
	Runs         int      `json:"runs"`
	MedianDetect *float64 `json:"median_detect_s,omitempty"`
	WorstDetect  *float64 `json:"worst_detect_s,omitempty"`
}

// Rate is Caught / Runs (0 with no runs).
func (b BugFigures) Rate() float64 {
	if b.Runs == 0 {
		return 0
	}
	return float64(b.Caught) / float64(b.Runs)
}

// ScenarioFigures are one scenario's figures of a night.
type ScenarioFigures struct {
	Runs int `json:"runs"`
	// FalseAlarms are runs of a scenario that must stay linearizable that
	// found a violation or diverged replicas.
	FalseAlarms int `json:"false_alarms"`
	// Availability is the mean share of operations answered definitely
	// while faults were in place (nil: no figure).
	Availability *float64 `json:"availability,omitempty"`
}

// FromCampaign fills l's scenarios from a campaign's manifest, and its
// bugs from the manifest's bug axis (a self-test, or a nightly page that
// merged one).
func (l *Line) FromCampaign(m *campaign.Manifest) {
	if l.Scenarios == nil {
		l.Scenarios = map[string]ScenarioFigures{}
	}
	sums := map[string][2]float64{}
	if p := m.Power(); p != nil {
		l.fromPower(p)
	}
	for _, r := range m.Results {
		if r.Status == campaign.Skipped || r.Status == campaign.Pending || r.Bug != "" {
			continue // not run, or the bug axis's (fromPower)
		}
		f := l.Scenarios[r.Scenario]
		f.Runs++
		if r.Expect == scenarios.ExpectLinearizable && (r.Violation() || (r.Status == campaign.Fail && !r.Converged)) {
			f.FalseAlarms++
		}
		if r.FaultAvailability != nil {
			s := sums[r.Scenario]
			sums[r.Scenario] = [2]float64{s[0] + *r.FaultAvailability, s[1] + 1}
		}
		l.Scenarios[r.Scenario] = f
	}
	// Recovery is the campaign's: the bug axis's runs (a planted bug on,
	// or a self-test's baseline that changes with its bugs) are left out.
	var plain []campaign.Result
	for _, r := range m.Results {
		if r.Bug == "" {
			plain = append(plain, r)
		}
	}
	for _, k := range campaign.Recovery(plain) {
		if l.Recovery == nil {
			l.Recovery = map[string]RecoveryFigures{}
		}
		l.Recovery[k.Kind] = RecoveryFigures{Windows: k.Windows, FirstAckMedian: round3(k.FirstAckMedian),
			FullStrengthMedian: round3(k.FullStrengthMedian), ElectionsPerWindow: math.Round(1000*k.ElectionsPerWindow) / 1000}
	}
	for sc, s := range sums {
		f := l.Scenarios[sc]
		v := math.Round(1000*s[0]/s[1]) / 1000
		f.Availability = &v
		l.Scenarios[sc] = f
	}
}

// fromPower fills l's bugs, and the unmodified store's false alarms, from
// a campaign's bug axis (the self-test). A bug's rate is over every run
// started: errored and unknown runs are runs that did not catch.
func (l *Line) fromPower(p *campaign.Power) {
	if l.Bugs == nil {
		l.Bugs = map[string]BugFigures{}
	}
	for _, r := range p.Bugs {
		l.Bugs[r.Name] = BugFigures{Caught: r.Caught, Runs: r.Runs, MedianDetect: r.MedianDetect, WorstDetect: r.WorstDetect}
	}
	for _, c := range p.Baseline {
		l.Scenarios["selftest:"+c.Scenario] = ScenarioFigures{Runs: c.Runs, FalseAlarms: c.Caught}
	}
}

func round3(p *float64) *float64 {
	if p == nil {
		return nil
	}
	v := math.Round(1000**p) / 1000
	return &v
}

// Read reads a trend file (missing: no lines).
func Read(path string) ([]Line, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines []Line
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for n := 1; sc.Scan(); n++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var l Line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		lines = append(lines, l)
	}
	return lines, sc.Err()
}

// Append writes l as the file's last line.
func Append(path string, l Line) error {
	b, err := json.Marshal(l)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
