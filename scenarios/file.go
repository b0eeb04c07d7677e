package scenarios

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/raftlab/raftlab/bugs"
	"github.com/raftlab/raftlab/chaos"
	"github.com/raftlab/raftlab/failpoint"
)

// FileVersion is the version of the scenario file format.
const FileVersion = 1

// A File is a scenario with an explicit fault schedule, as JSON: a
// built-in scenario (its workload and nemeses) by name, the seed of its
// operations, the settings that differ, and the fault windows as data.
// chaoslab shrink-faults writes one; chaoslab run --scenario-file replays
// it, injecting exactly these windows.
type File struct {
	Version  int    `json:"version"`
	Scenario string `json:"scenario"`
	Seed     uint64 `json:"seed"`
	// Duration is the workload's length ("24.5s"); empty: the scenario's.
	Duration string `json:"duration,omitempty"`
	Nodes    int    `json:"nodes,omitempty"`
	Clients  int    `json:"clients,omitempty"`
	Keys     int    `json:"keys,omitempty"`
	// OpsPerKey: nil is the scenario's.
	OpsPerKey *int `json:"ops_per_key,omitempty"`
	// Bug, when set, is a planted bug switched on in every node (the
	// failpoint image, as the self-test arms it; 'chaoslab selftest
	// --list' names them).
	Bug string `json:"bug,omitempty"`
	// Node are node settings by flag name ("snapshot-threshold": "64"),
	// set on top of the scenario's; NewFile writes every setting the run
	// had, so a file replays the same cluster even if the built-in
	// scenario changes. Absent: the scenario's.
	Node map[string]string `json:"node,omitempty"`
	// Failpoints are armed in every node from its start, besides Bug.
	Failpoints []StartFailpoint `json:"failpoints,omitempty"`
	// Windows are the fault windows, in order. An empty list is a run
	// without faults.
	Windows []FileWindow `json:"windows"`
	// Note says where the file came from (free text).
	Note string `json:"note,omitempty"`
}

// A FileWindow is one fault window: when, for how long, which of the
// scenario's nemeses, and the seed its targets are picked with (the same
// seed aims the same way: e.g. "a random node" is the same node).
type FileWindow struct {
	At      string `json:"at"`     // offset from the workload's start, "4.5s"
	Length  string `json:"length"` // "2.5s"
	Nemesis string `json:"nemesis"`
	// NemesisIndex is the nemesis's index in the scenario's list (names
	// may repeat); Nemesis must name it.
	NemesisIndex int    `json:"nemesis_index"`
	Seed         uint64 `json:"seed"`
	// Original is the window's index in the run it was taken from
	// (informational).
	Original *int `json:"original,omitempty"`
}

// NewFile describes s (a built-in scenario with settings applied) run
// with seed and the fault windows steps.
func NewFile(s Scenario, seed uint64, steps []chaos.Step, original []int) File {
	f := File{
		Version: FileVersion, Scenario: s.Name, Seed: seed,
		Duration: s.Duration.String(), Nodes: s.Nodes, Clients: s.Clients, Keys: s.Keys,
		Windows: []FileWindow{}, Bug: s.Bug, Node: nodeMap(s.Node),
	}
	for _, fp := range s.Failpoints {
		if s.Bug == "" || fp != (StartFailpoint{Name: s.Bug, Term: "on"}) {
			f.Failpoints = append(f.Failpoints, fp)
		}
	}
	ops := s.OpsPerKey
	f.OpsPerKey = &ops
	for i, st := range steps {
		w := FileWindow{
			At: st.At.String(), Length: st.Length.String(),
			Nemesis: s.Nemeses[st.Nemesis].Name(), NemesisIndex: st.Nemesis, Seed: st.Seed,
		}
		if i < len(original) {
			o := original[i]
			w.Original = &o
		}
		f.Windows = append(f.Windows, w)
	}
	return f
}

// ArmBug switches the planted bug on in every node of s's cluster from
// its start (a failpoint armed "on") and records it in s.Bug.
func ArmBug(s Scenario, bug string) Scenario {
	s.Failpoints = append(slices.Clone(s.Failpoints), StartFailpoint{Name: bug, Term: "on"})
	s.Bug = bug
	return s
}

// WriteFile writes f to path as indented JSON.
func WriteFile(path string, f File) error {
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write scenario file: %w", err)
	}
	return nil
}

// LoadFile reads a scenario file and returns the scenario it describes
// (validated, with Steps set) and its seed. Errors name the file and, for
// bad JSON, the line.
func LoadFile(path string) (Scenario, uint64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Scenario{}, 0, err
	}
	var f File
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return Scenario{}, 0, fmt.Errorf("%s:%d: %w", path, lineAt(b, se.Offset), err)
		case errors.As(err, &te):
			return Scenario{}, 0, fmt.Errorf("%s:%d: %w", path, lineAt(b, te.Offset), err)
		}
		return Scenario{}, 0, fmt.Errorf("%s: %w", path, err)
	}
	s, err := f.Build()
	if err != nil {
		return Scenario{}, 0, fmt.Errorf("%s: %w", path, err)
	}
	return s, f.Seed, nil
}

func lineAt(b []byte, off int64) int {
	return bytes.Count(b[:min(int(off), len(b))], []byte("\n")) + 1
}

// Build returns the scenario f describes.
func (f File) Build() (Scenario, error) {
	if f.Version != FileVersion {
		return Scenario{}, fmt.Errorf("version %d; want %d", f.Version, FileVersion)
	}
	s, ok := Lookup(f.Scenario)
	if !ok {
		return Scenario{}, fmt.Errorf("unknown scenario %q", f.Scenario)
	}
	if f.Seed == 0 {
		return Scenario{}, errors.New("seed: want a positive integer")
	}
	if f.Duration != "" {
		d, err := time.ParseDuration(f.Duration)
		if err != nil || d < time.Second {
			return Scenario{}, fmt.Errorf("duration %q: want at least 1s", f.Duration)
		}
		s.Duration = d
	}
	if f.Nodes != 0 {
		s.Nodes = f.Nodes
	}
	if f.Clients != 0 {
		s.Clients = f.Clients
	}
	if f.Keys != 0 {
		s.Keys = f.Keys
	}
	if f.OpsPerKey != nil {
		s.OpsPerKey = *f.OpsPerKey
	}
	node, err := withNodeMap(s.Node, f.Node)
	if err != nil {
		return Scenario{}, err
	}
	s.Node = node
	for i, fp := range f.Failpoints {
		if fp.Name == "" {
			return Scenario{}, fmt.Errorf("failpoints[%d]: needs a name", i)
		}
		if _, err := failpoint.ParseTerm(fp.Term); err != nil {
			return Scenario{}, fmt.Errorf("failpoints[%d] (%s): %w", i, fp.Name, err)
		}
		s.Failpoints = append(slices.Clone(s.Failpoints), fp)
	}
	if f.Bug != "" {
		if _, ok := bugs.Lookup(f.Bug); !ok {
			return Scenario{}, fmt.Errorf("bug %q: no such planted bug", f.Bug)
		}
		s = ArmBug(s, f.Bug)
	}
	if f.Windows == nil {
		return Scenario{}, errors.New(`"windows" missing (an empty list is a run without faults)`)
	}
	s.Steps = []chaos.Step{}
	var prevEnd time.Duration
	for i, w := range f.Windows {
		at, err := time.ParseDuration(w.At)
		if err != nil || at < 0 {
			return Scenario{}, fmt.Errorf("windows[%d]: at %q: want a duration ≥ 0", i, w.At)
		}
		length, err := time.ParseDuration(w.Length)
		if err != nil || length <= 0 {
			return Scenario{}, fmt.Errorf("windows[%d]: length %q: want a positive duration", i, w.Length)
		}
		if w.NemesisIndex < 0 || w.NemesisIndex >= len(s.Nemeses) {
			return Scenario{}, fmt.Errorf("windows[%d]: nemesis_index %d: %s has %d nemeses", i, w.NemesisIndex, s.Name, len(s.Nemeses))
		}
		if name := s.Nemeses[w.NemesisIndex].Name(); name != w.Nemesis {
			return Scenario{}, fmt.Errorf("windows[%d]: nemesis %q, but %s's nemesis %d is %q", i, w.Nemesis, s.Name, w.NemesisIndex, name)
		}
		if at < prevEnd {
			return Scenario{}, fmt.Errorf("windows[%d]: starts at %s, before the previous window ends (%s)", i, at, prevEnd)
		}
		if at+100*time.Millisecond > s.Duration {
			return Scenario{}, fmt.Errorf("windows[%d]: starts at %s, too late for the duration %s", i, at, s.Duration)
		}
		prevEnd = at + length
		s.Steps = append(s.Steps, chaos.Step{At: at, Length: min(length, s.Duration-at), Nemesis: w.NemesisIndex, Seed: w.Seed})
	}
	if err := s.Validate(); err != nil {
		return Scenario{}, err
	}
	return s, nil
}
