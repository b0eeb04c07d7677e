package scenarios

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/raftlab/raftlab/chaos"
	"github.com/raftlab/raftlab/linearizability"
)

// Summary is the outcome of a run, written as summary.json. Times are
// seconds unless a field name says otherwise; *_ns fields are nanoseconds on
// the history's clock.
type Summary struct {
	Scenario    string    `json:"scenario"`
	Description string    `json:"description"`
	Expect      Expect    `json:"expect"`
	Seed        uint64    `json:"seed"`
	Started     time.Time `json:"started"`
	Nodes       int       `json:"nodes"`
	Clients     int       `json:"clients"`
	Keys        int       `json:"keys"`
	ReadLevel   string    `json:"read_level"`
	Nemeses     []string  `json:"nemeses"`
	Duration    float64   `json:"duration"`     // planned workload duration
	FaultWindow float64   `json:"fault_window"` // planned fault window length
	QuietWindow float64   `json:"quiet_window"` // planned quiet window length

	// Verdict is the linearizability verdict of the whole history.
	Verdict linearizability.Verdict `json:"verdict"`
	// Converged: every node's stale read of every key agreed after healing.
	Converged bool `json:"converged"`
	// AsExpected: the outcome is what the scenario expects (see Expect).
	AsExpected bool `json:"as_expected"`
	// Outcome is the verdict in one sentence.
	Outcome string `json:"outcome"`
	// Interrupted: the run was cut short; the history is partial and was
	// not checked.
	Interrupted bool `json:"interrupted,omitempty"`

	KeyVerdicts  map[string]linearizability.KeyResult `json:"key_verdicts"`
	Explanations []string                             `json:"explanations,omitempty"`
	// FirstViolation is when the earliest operation that cannot be ordered
	// completed, in seconds since the workload started (absent when the
	// history is linearizable): how long the faults took to break the store.
	FirstViolation *float64 `json:"first_violation,omitempty"`

	// Counts are the workload's operations (final reads excluded), overall
	// and by f.
	Counts Counts            `json:"counts"`
	ByF    map[string]Counts `json:"by_f"`
	// Phases are availability and latency over all quiet and all fault
	// phases; Windows phase by phase.
	Phases  map[string]Stats `json:"phases"`
	Windows []PhaseStats     `json:"windows"`
	// Faults are the schedule's windows as they happened.
	Faults      []chaos.Window `json:"faults"`
	FinalReads  Counts         `json:"final_reads"`
	Convergence Convergence    `json:"convergence"`
	Timings     Timings        `json:"timings"`
	Artifacts   Artifacts      `json:"artifacts"`
	// Errors are problems of the run itself (a fault that could not be
	// healed, a cluster that did not recover); they make the outcome suspect.
	Errors []string `json:"errors,omitempty"`
}

// Convergence is the result of the replica check after healing.
type Convergence struct {
	Converged bool `json:"converged"`
	// Waited is how long it took the replicas to agree (or the deadline).
	Waited float64 `json:"waited"`
	// Final is each key's value as the final linearizable reads saw it
	// (null: absent; a key no final read answered for is missing).
	Final map[string]*string `json:"final"`
	// Values are the last stale reads: key → node → value (null: absent).
	Values map[string]map[string]*string `json:"values"`
	// Diverged lists the keys whose replicas still disagreed at the deadline.
	Diverged []string `json:"diverged,omitempty"`
}

// Timings are how long each stage of the run took, in seconds.
type Timings struct {
	ClusterStart float64 `json:"cluster_start"`
	Workload     float64 `json:"workload"`
	Recovery     float64 `json:"recovery"`
	FinalReads   float64 `json:"final_reads"`
	Convergence  float64 `json:"convergence"`
	ClusterClose float64 `json:"cluster_close"`
	Check        float64 `json:"check"`
	Total        float64 `json:"total"`
}

// Artifacts are the files of a run, relative to Dir.
type Artifacts struct {
	Dir           string `json:"dir"`
	History       string `json:"history"`
	Summary       string `json:"summary"`
	Report        string `json:"report"`
	Visualization string `json:"visualization,omitempty"`
	RunLog        string `json:"run_log"`
	NodeLogs      string `json:"node_logs"`
}

// Artifact file names inside a run's folder.
const (
	HistoryFile = "history.jsonl"
	SummaryFile = "summary.json"
	ReportFile  = "report.html"
	VisualFile  = "history.html"
	RunLogFile  = "run.log"
	LogsDir     = "logs"
)

// Passed reports whether a run that expects linearizability passed all
// checks: linearizable and converged.
func (s *Summary) Passed() bool {
	return s.Verdict == linearizability.Linearizable && s.Converged && !s.Interrupted
}

// judge fills Outcome and AsExpected from the verdict and convergence.
func (s *Summary) judge() {
	var parts []string
	switch {
	case s.Interrupted:
		parts = append(parts, "interrupted before the checks")
	case s.Verdict == linearizability.NotLinearizable:
		bad := 0
		for _, kr := range s.KeyVerdicts {
			if kr.Verdict == linearizability.NotLinearizable {
				bad++
			}
		}
		parts = append(parts, fmt.Sprintf("NOT linearizable (%d of %d keys)", bad, len(s.KeyVerdicts)))
	case s.Verdict == linearizability.Unknown:
		parts = append(parts, "linearizability unknown (the checker's budget ran out)")
	default:
		parts = append(parts, "linearizable")
	}
	if !s.Interrupted {
		if s.Converged {
			parts = append(parts, "replicas converged")
		} else {
			parts = append(parts, "replicas did NOT converge")
		}
	}
	switch s.Expect {
	case ExpectViolation:
		s.AsExpected = s.Verdict == linearizability.NotLinearizable && !s.Interrupted
	default:
		s.AsExpected = s.Passed()
	}
	out := strings.Join(parts, ", ")
	switch {
	case s.Interrupted:
	case s.AsExpected && s.Expect == ExpectViolation:
		out += " — as expected: this scenario is broken on purpose"
	case s.AsExpected:
		out += " — as expected"
	default:
		out += fmt.Sprintf(" — NOT as expected (expected %s)", s.Expect)
	}
	s.Outcome = out
}

// writeJSON writes v to path, indented.
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", filepath.Base(path), err)
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// ReadSummary reads a run's summary.json.
func ReadSummary(path string) (*Summary, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s Summary
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &s, nil
}
