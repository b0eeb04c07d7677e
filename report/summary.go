package report

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/raftlab/raftlab/linearizability"
	"github.com/raftlab/raftlab/readcheck"
)

// Summary is the outcome of a run, written as summary.json. Times are
// seconds unless a field name says otherwise; *_ns fields are nanoseconds on
// the history's clock. Fields are as before the report package existed;
// not_read, by_node, node_figures and rebuilt were added.
type Summary struct {
	// FirstViolation is how long after the workload started the earliest
	// operation that cannot be ordered ended (s): the lab's time to
	// detection. Nil when the history is linearizable.
	FirstViolation *float64 `json:"first_violation,omitempty"`

	// Counterexample is the minimal counterexample of a violation (the
	// first key that is not linearizable, shrunk), nil otherwise.
	Counterexample *Counterexample `json:"counterexample,omitempty"`

	Scenario    string    `json:"scenario"`
	Description string    `json:"description"`
	Expect      Expect    `json:"expect"`
	Seed        uint64    `json:"seed"`
	Started     time.Time `json:"started"`
	Nodes       int       `json:"nodes"`
	Clients     int       `json:"clients"`
	Keys        int       `json:"keys"`
	OpsPerKey   int       `json:"ops_per_key,omitempty"`
	ReadLevel   string    `json:"read_level"`
	Nemeses     []string  `json:"nemeses"`
	Duration    float64   `json:"duration"`     // planned workload duration
	FaultWindow float64   `json:"fault_window"` // planned fault window length
	QuietWindow float64   `json:"quiet_window"` // planned quiet window length
	// NodeImage is the image the nodes ran (the system under test); NodeSrc
	// the source tree it was built from, when not this one.
	NodeImage string `json:"node_image,omitempty"`
	NodeSrc   string `json:"node_src,omitempty"`
	// System is the system under test (Scenario.System; "" before systems
	// existed: raftkv), so the page's replay command names it.
	System string `json:"system,omitempty"`
	// Reach is how the clients reached the nodes (Run.Reach).
	Reach string `json:"reach,omitempty"`

	// Verdict is the linearizability verdict of the whole history, every
	// read of every level (for stale and leader reads, informational).
	Verdict linearizability.Verdict `json:"verdict"`
	// Contract is the run's verdict on its reads: "ok" when every read met
	// its own level's contract (DESIGN.md, "Read levels and their
	// contracts"), "violated" when some did not, "unknown" when it could not
	// be decided. Absent in runs written before it existed (their verdict
	// is Verdict: see ReadContract).
	Contract readcheck.Verdict `json:"contract,omitempty"`
	// Levels has one entry per read level in the history: its reads, its
	// linearizability (with every write), its contract and its anomalies.
	Levels []readcheck.LevelResult `json:"levels,omitempty"`
	// Anomalies are the broken promises of the read contracts, by time (at
	// most readcheck.MaxAnomalies; AnomaliesTotal counts all).
	Anomalies      []readcheck.Anomaly `json:"anomalies,omitempty"`
	AnomaliesTotal int                 `json:"anomalies_total,omitempty"`
	// Evidence: the history carried the store's indexes and the check
	// placed operations by them; ResolvedWrites of UnknownWrites (writes of
	// unknown outcome) a read proved applied.
	Evidence bool `json:"evidence,omitempty"`
	// Writes is the verdict on the writes alone (checked when reads of
	// other levels than linearizable were present).
	Writes         linearizability.Verdict `json:"writes,omitempty"`
	UnknownWrites  int                     `json:"unknown_writes,omitempty"`
	ResolvedWrites int                     `json:"resolved_writes,omitempty"`
	// Converged: every node's stale read of every key was read and agreed
	// after healing (see Convergence for keys diverged or not read).
	Converged bool `json:"converged"`
	// AsExpected: the outcome is what the scenario expects (see Expect).
	AsExpected bool `json:"as_expected"`
	// Outcome is the verdict in one sentence.
	Outcome string `json:"outcome"`
	// Interrupted: the run was cut short; the history is partial and was
	// not checked.
	Interrupted bool `json:"interrupted,omitempty"`
	// Claims are the scenario's "did real work" claims judged on this run
	// (see Claim); one that does not hold makes the run not as expected.
	Claims []ClaimResult `json:"claims,omitempty"`
	// Recovery are the recovery figures per fault kind (recovery.go):
	// injection → first acknowledged write, heal → full strength, elections.
	Recovery []RecoveryStats `json:"recovery,omitempty"`
	// FaultEffect counts the fault windows whose fault took effect against
	// what the scenario needs (effect.go); too few make the run not as
	// expected. Absent when the scenario has no nemeses.
	FaultEffect *FaultEffect `json:"fault_effect,omitempty"`

	KeyVerdicts  map[string]linearizability.KeyResult `json:"key_verdicts"`
	Explanations []string                             `json:"explanations,omitempty"`

	// Counts are the workload's operations (final reads excluded), overall,
	// by f and by the node the client talked to.
	Counts Counts            `json:"counts"`
	ByF    map[string]Counts `json:"by_f"`
	ByNode map[string]Counts `json:"by_node,omitempty"`
	// Phases are availability and latency over all quiet and all fault
	// phases; Windows phase by phase.
	Phases  map[string]Stats `json:"phases"`
	Windows []PhaseStats     `json:"windows"`
	// ByFaultKind adds up the fault windows by fault kind (kill, pause,
	// ...), with the unknown operations per window.
	ByFaultKind []FaultKindStats `json:"by_fault_kind,omitempty"`
	// Faults are the schedule's windows as they happened.
	Faults      []FaultWindow `json:"faults"`
	FinalReads  Counts        `json:"final_reads"`
	Convergence Convergence   `json:"convergence"`
	NodeFigures []NodeFigures `json:"node_figures,omitempty"`
	Timings     Timings       `json:"timings"`
	Artifacts   Artifacts     `json:"artifacts"`
	// Errors are problems of the run itself (a fault that could not be
	// healed, a cluster that did not recover); they make the outcome suspect.
	Errors []string `json:"errors,omitempty"`
	// Rebuilt is when `chaoslab report` re-derived this summary from the
	// stored run (absent for the summary the run itself wrote).
	Rebuilt *time.Time `json:"rebuilt,omitempty"`
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
	Run           string `json:"run,omitempty"`
}

// Passed reports whether every read met its level's contract, the replicas
// converged and the run is complete.
func (s *Summary) Passed() bool {
	return s.ReadContract() == readcheck.OK && s.Converged && !s.Interrupted
}

// ReadContract is the run's verdict on its reads: Contract, or for a summary
// written before read contracts existed (every read was judged linearizable)
// the linearizability verdict.
func (s *Summary) ReadContract() readcheck.Verdict {
	if s.Contract != "" {
		return s.Contract
	}
	switch s.Verdict {
	case linearizability.Linearizable:
		return readcheck.OK
	case linearizability.NotLinearizable:
		return readcheck.Violated
	}
	return readcheck.Unknown
}

// WeakerNotLinearizable reports whether some level other than linearizable
// had reads that are not linearizable (what an unsafe level may do).
func (s *Summary) WeakerNotLinearizable() bool {
	for _, l := range s.Levels {
		if l.Level != linearizability.LevelLinearizable && l.Linearizable == linearizability.NotLinearizable {
			return true
		}
	}
	return false
}

// Diverged reports whether some key's replicas were read and disagreed.
func (s *Summary) Diverged() bool { return len(s.Convergence.Diverged) > 0 }

// minPhase: a phase with no operations shorter than this is a sliver left
// between the last heal and the end of the workload; it is not shown.
const minPhase = 50 * time.Millisecond

// Summarize computes the summary of a run from its plain inputs. It does no
// I/O; artifact names are filled in by Write.
func Summarize(in Input) *Summary {
	r, sc := in.Run, in.Scenario
	s := &Summary{
		Scenario: sc.Name, Description: sc.Description, Expect: sc.Expect, Seed: r.Seed, Started: r.Started,
		Nodes: sc.Nodes, Clients: sc.Clients, Keys: sc.Keys, ReadLevel: sc.ReadLevel, Nemeses: sc.Nemeses,
		Duration: sc.Duration, FaultWindow: sc.FaultWindow, QuietWindow: sc.QuietWindow,
		OpsPerKey: sc.OpsPerKey, NodeImage: sc.NodeImage, NodeSrc: sc.NodeSrc, System: sc.System,
		Interrupted: r.Interrupted, Convergence: r.Convergence, Converged: r.Convergence.Converged,
		NodeFigures: r.Nodes, Timings: r.Timings, Errors: r.Errors, Faults: r.Faults,
		Verdict: linearizability.Unknown, Rebuilt: in.Rebuilt, Reach: r.Reach,
	}
	if s.Nemeses == nil {
		s.Nemeses = []string{}
	}
	if s.Faults == nil {
		s.Faults = []FaultWindow{}
	}
	s.Counts, s.ByF, s.ByNode = countOps(in.Operations, r.WorkStart, r.WorkEnd)
	s.FinalReads, _, _ = countOps(in.Operations, r.WorkEnd, 1<<62)
	windows, kinds := phaseStats(in.Operations, buildPhases(r.Faults, r.WorkStart, r.WorkEnd))
	s.Phases = kinds
	s.ByFaultKind = byFaultKind(windows)
	s.Windows = []PhaseStats{}
	for _, w := range windows {
		if w.Ops == 0 && time.Duration(w.End-w.Start) < minPhase {
			continue
		}
		s.Windows = append(s.Windows, w)
	}
	if in.Check != nil && !r.Interrupted {
		s.Verdict, s.KeyVerdicts, s.Explanations = in.Check.Verdict, in.Check.Keys, in.Check.Explanations
		if c := in.Check.Contracts; c != nil {
			s.Contract, s.Levels, s.Anomalies, s.AnomaliesTotal = c.Contract, c.Levels, c.Anomalies, c.AnomaliesTotal
			s.Evidence, s.UnknownWrites, s.ResolvedWrites = c.Evidence, c.UnknownWrites, c.ResolvedWrites
			s.Writes = c.Writes
		}
		if t := in.Check.FirstViolation; t > 0 && s.mayViolate() {
			v := round3(time.Duration(max(t-r.WorkStart, 0)).Seconds())
			s.FirstViolation = &v
		}
	}
	s.Claims = EvaluateClaims(r)
	s.FaultEffect = EvaluateFaultEffect(r)
	s.Recovery = recoveryByKind(r.Faults, in.Operations, r.WorkEnd)
	s.Outcome, s.AsExpected = judge(s)
	return s
}

// judge states the outcome in one sentence and whether it is what the
// scenario expects.
func judge(s *Summary) (string, bool) {
	if s.Interrupted {
		return "interrupted before the checks", false
	}
	parts := []string{s.ReadWords()}
	c := s.Convergence
	switch {
	case len(c.Diverged) > 0:
		p := "replicas DIVERGED on " + nKeys(len(c.Diverged))
		if len(c.NotRead) > 0 {
			p += fmt.Sprintf(" (%d more not read on every node)", len(c.NotRead))
		}
		parts = append(parts, p)
	case len(c.NotRead) > 0:
		parts = append(parts, "convergence not shown: "+nKeys(len(c.NotRead))+" not read on every node in time (no divergence among the values read)")
	case s.Converged:
		parts = append(parts, "replicas converged")
	default:
		parts = append(parts, "replicas did NOT converge")
	}
	as := s.Passed()
	switch s.Expect {
	case ExpectViolation:
		// An unsafe level used on purpose: its reads are not linearizable,
		// and still every read keeps its own level's contract. (A summary
		// written before contracts: not linearizable, as then.)
		as = s.Verdict == linearizability.NotLinearizable
		if s.Contract != "" {
			as = s.WeakerNotLinearizable() && s.Contract == readcheck.OK
		}
	case ExpectContractViolation:
		as = s.ReadContract() == readcheck.Violated
	}
	var unproven []string
	for _, c := range s.Claims {
		if !c.OK {
			unproven = append(unproven, fmt.Sprintf("%s (%s)", c.Claim, c.Detail))
		}
	}
	if len(unproven) > 0 {
		// The verdict may be right, but the run did not exercise what the
		// scenario is for: it proves nothing.
		as = false
		parts = append(parts, "claim not shown: "+strings.Join(unproven, "; "))
	}
	if fe := s.FaultEffect; fe != nil && !fe.OK && s.ReadContract() != readcheck.Violated && !s.Diverged() {
		// A run whose faults did not take hold tested a healthy cluster:
		// its clean verdict says nothing (a violation found still stands).
		as = false
		unproven = append(unproven, "faults")
		parts = append(parts, "too few faults took effect: "+fe.Detail)
	}
	out := strings.Join(parts, ", ")
	switch {
	case as && s.Expect.MustFail():
		out += " — as expected: this scenario is broken on purpose"
	case as:
		out += " — as expected"
	case len(unproven) > 0:
		out += " — NOT as expected (the run did not do what the scenario claims)"
	default:
		out += fmt.Sprintf(" — NOT as expected (expected %s)", s.Expect)
	}
	return out, as
}

// mayViolate: the run found something a first violation time belongs to
// (not the expected non-linearizability of a stale level alone).
func (s *Summary) mayViolate() bool {
	return s.Contract == "" || s.Contract == readcheck.Violated || s.Verdict == linearizability.NotLinearizable && s.Expect == ExpectViolation
}

// ReadWords states the verdict on the reads: each level by its own
// contract, the weaker levels' linearizability for information.
func (s *Summary) ReadWords() string {
	if s.Contract == "" { // an old summary, or not judged: linearizability alone
		switch s.Verdict {
		case linearizability.NotLinearizable:
			bad := 0
			for _, kr := range s.KeyVerdicts {
				if kr.Verdict == linearizability.NotLinearizable {
					bad++
				}
			}
			return fmt.Sprintf("NOT linearizable (%d of %d keys)", bad, len(s.KeyVerdicts))
		case linearizability.Unknown:
			if slices.Contains(s.Explanations, linearizability.EmptyReason) {
				return "linearizability unknown (no operation was recorded: nothing was checked)"
			}
			return "linearizability unknown (the checker's budget ran out)"
		}
		return "linearizable"
	}
	var parts []string
	if s.AnomaliesTotal > 0 {
		a := s.Anomalies[0]
		p := fmt.Sprintf("READ CONTRACT BROKEN: %s on key %s", a.Kind, a.Key)
		if a.Node != "" {
			p += " (" + orLevel(a.Level) + " read on " + a.Node + ")"
		}
		if s.AnomaliesTotal > 1 {
			p += fmt.Sprintf(" and %d more anomalies", s.AnomaliesTotal-1)
		}
		parts = append(parts, p)
	}
	for _, l := range s.Levels {
		switch {
		case l.Level == linearizability.LevelLinearizable && l.Linearizable == linearizability.NotLinearizable:
			parts = append(parts, fmt.Sprintf("linearizable reads NOT linearizable (%d keys)", len(l.NotLinearizableKeys)))
		case l.Level == linearizability.LevelLinearizable && l.Linearizable == linearizability.Unknown:
			parts = append(parts, "linearizable reads: linearizability unknown (the checker's budget ran out)")
		case l.Level == linearizability.LevelLinearizable:
			parts = append(parts, "linearizable")
		case l.Linearizable == linearizability.NotLinearizable && l.Contract == readcheck.OK:
			parts = append(parts, fmt.Sprintf("%s reads not linearizable (%d keys; the level allows it), %s contract holds", l.Level, len(l.NotLinearizableKeys), l.Level))
		case l.Contract == readcheck.OK:
			parts = append(parts, fmt.Sprintf("%s reads linearizable, %s contract holds", l.Level, l.Level))
		case l.Contract == readcheck.Unknown:
			parts = append(parts, fmt.Sprintf("%s contract unknown", l.Level))
		}
	}
	if s.Writes == linearizability.NotLinearizable {
		parts = append(parts, "the writes alone are NOT linearizable")
	}
	if len(parts) == 0 {
		switch s.Contract {
		case readcheck.OK:
			return "linearizable (no reads; the writes alone)"
		case readcheck.Violated:
			return "NOT linearizable (no reads; the writes alone)"
		}
		return "unknown (nothing to judge)"
	}
	return strings.Join(parts, "; ")
}

func orLevel(l string) string {
	if l == "" {
		return "evidence of"
	}
	return l
}

// nKeys is "1 key" or "n keys".
func nKeys(n int) string {
	if n == 1 {
		return "1 key"
	}
	return fmt.Sprintf("%d keys", n)
}

// keysInOrder returns the keys of m in natural order (k2 before k10).
func keysInOrder[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return naturalLess(keys[i], keys[j]) })
	return keys
}

// naturalLess orders strings with embedded numbers by their value (k2
// before k10); strings equal that way (k2, k02) fall back to byte order, so
// the order is total and sorting is deterministic.
func naturalLess(a, b string) bool {
	if c := naturalCmp(a, b); c != 0 {
		return c < 0
	}
	return a < b
}

func naturalCmp(a, b string) int {
	for a != "" && b != "" {
		da, db := digits(a), digits(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if len(na) != len(nb) {
				return len(na) - len(nb)
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return int(a[0]) - int(b[0])
		}
		a, b = a[1:], b[1:]
	}
	return len(a) - len(b)
}

func digits(s string) int {
	n := 0
	for n < len(s) && '0' <= s[n] && s[n] <= '9' {
		n++
	}
	return n
}
