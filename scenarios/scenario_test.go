package scenarios

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/raftlab/raftlab/api"
	"github.com/raftlab/raftlab/report"
)

func TestRegistry(t *testing.T) {
	want := map[string]struct {
		level  api.ReadLevel
		expect Expect
	}{
		"kill-leader":            {api.ReadLinearizable, ExpectLinearizable},
		"partition-leader":       {api.ReadLinearizable, ExpectLinearizable},
		"pause":                  {api.ReadLinearizable, ExpectLinearizable},
		"mixed":                  {api.ReadLinearizable, ExpectLinearizable},
		"leader-reads-partition": {api.ReadLeader, ExpectViolation},
		"stale-reads":            {api.ReadStale, ExpectViolation},
		"slow-network":           {api.ReadLinearizable, ExpectLinearizable},
		"long-pause":             {api.ReadLinearizable, ExpectLinearizable},
		"partition-ring":         {api.ReadLinearizable, ExpectLinearizable},
		"partition-bridge":       {api.ReadLinearizable, ExpectLinearizable},
		"partition-one-way":      {api.ReadLinearizable, ExpectLinearizable},
		"bandwidth":              {api.ReadLinearizable, ExpectLinearizable},
		"snapshot-install":       {api.ReadLinearizable, ExpectLinearizable},
		// Every read by its level's contract (issue 14).
		"stale-reads-restart":          {api.ReadStale, ExpectLinearizable},
		"stale-reads-snapshot-install": {api.ReadStale, ExpectLinearizable},
		"stale-reads-membership":       {api.ReadStale, ExpectLinearizable},
		"leader-reads-restart":         {api.ReadLeader, ExpectLinearizable},
	}
	seen := map[string]bool{}
	for _, s := range All() {
		if err := s.Validate(); err != nil {
			t.Errorf("%s: %v", s.Name, err)
		}
		if seen[s.Name] {
			t.Errorf("%s listed twice", s.Name)
		}
		seen[s.Name] = true
		if s.Description == "" || len(s.Nemeses) == 0 {
			t.Errorf("%s: no description or no nemeses", s.Name)
		}
		if s.CI && s.Duration > 25*time.Second {
			t.Errorf("%s: %v is too long for the CI suite", s.Name, s.Duration)
		}
		if w, ok := want[s.Name]; ok && (s.ReadLevel != w.level || s.Expect != w.expect) {
			t.Errorf("%s: reads %s expect %s, want %s %s", s.Name, s.ReadLevel, s.Expect, w.level, w.expect)
		}
		// At least one full fault window fits.
		if p := s.Schedule().Plan(1); len(p) == 0 || p[0].Length != s.Fault {
			t.Errorf("%s: no full fault window in %v", s.Name, s.Duration)
		}
	}
	for name := range want {
		if !seen[name] {
			t.Errorf("scenario %s missing", name)
		}
	}
	// Scenarios about a mechanism claim to exercise it (TestScenarios
	// checks the claims on real runs).
	for name, claim := range map[string]Claim{
		"snapshot-install":             report.ClaimSnapshotsInstalled,
		"membership-remove":            report.ClaimMembershipChanged,
		"membership-replace":           report.ClaimNodeReplaced,
		"grow-shrink":                  report.ClaimMembershipChanged,
		"crash-all":                    report.ClaimAllRestarted,
		"stale-reads-snapshot-install": report.ClaimSnapshotsInstalled,
		"stale-reads-membership":       report.ClaimMembershipChanged,
	} {
		s, _ := Lookup(name)
		if !slices.Contains(s.Proves, claim) {
			t.Errorf("%s: claims %v, want %s among them", name, s.Proves, claim)
		}
	}
	if s, _ := Lookup("mixed-levels"); s.ReadMix() != "linearizable+stale" {
		t.Errorf("mixed-levels reads %s, want linearizable+stale", s.ReadMix())
	}
	if _, ok := Lookup("nope"); ok {
		t.Error("Lookup found a scenario that does not exist")
	}
	a, _ := Lookup("mixed")
	a.Nemeses = nil
	if b, _ := Lookup("mixed"); len(b.Nemeses) == 0 {
		t.Error("Lookup returns shared state")
	}
}

func TestSameSeedSameSchedule(t *testing.T) {
	s, _ := Lookup("mixed")
	if !reflect.DeepEqual(s.Schedule().Plan(5), s.Schedule().Plan(5)) {
		t.Error("same seed, different fault plans")
	}
}

func TestValidate(t *testing.T) {
	ok, _ := Lookup("pause")
	for name, mutate := range map[string]func(*Scenario){
		"no name":     func(s *Scenario) { s.Name = "" },
		"8 nodes":     func(s *Scenario) { s.Nodes = 8 },
		"no clients":  func(s *Scenario) { s.Clients = 0 },
		"no keys":     func(s *Scenario) { s.Keys = 0 },
		"no duration": func(s *Scenario) { s.Duration = 0 },
		"no window":   func(s *Scenario) { s.Fault = 0 },
		"bad expect":  func(s *Scenario) { s.Expect = "maybe" },
		"bad level":   func(s *Scenario) { s.ReadLevel = "eventual" },
		"bad claim":   func(s *Scenario) { s.Proves = []Claim{"worked-hard"} },
	} {
		s := ok
		mutate(&s)
		if s.Validate() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
