package report

import (
	"html/template"
	"time"

	"github.com/raftlab/raftlab/fault"
	"github.com/raftlab/raftlab/linearizability"
	"github.com/raftlab/raftlab/readcheck"
)

// Expect is what a scenario's run should find.
type Expect string

const (
	// ExpectLinearizable: the history is linearizable and the replicas converge.
	ExpectLinearizable Expect = "linearizable"
	// ExpectViolation: every read meets its level's contract, but some
	// weaker level's reads (stale, leader) are not linearizable: a scenario
	// that uses an unsafe read level on purpose, which proves the lab can
	// tell (stale-reads, leader-reads-partition).
	ExpectViolation Expect = "violation"
	// ExpectContractViolation: some read's contract is broken (a must-fail
	// scenario: a planted bug or a fault no store survives, such as lying
	// disks).
	ExpectContractViolation Expect = "contract-violation"
)

// MustFail reports whether a run of this expectation must find something.
func (e Expect) MustFail() bool { return e == ExpectViolation || e == ExpectContractViolation }

// RunVersion is the version of the run.json format.
const RunVersion = 1

// Run is what the runner collected besides the history: every input of the
// report except the operations. It is stored as run.json.
type Run struct {
	Version  int       `json:"version"`
	Scenario Scenario  `json:"scenario"`
	Seed     uint64    `json:"seed"`
	Started  time.Time `json:"started"`
	// CheckTimeout is the checker's budget per key, in seconds.
	CheckTimeout float64 `json:"check_timeout"`
	// WorkStart and WorkEnd bound the workload on the history clock (ns);
	// operations invoked at or after WorkEnd are the final reads.
	WorkStart int64 `json:"work_start_ns"`
	WorkEnd   int64 `json:"work_end_ns"`
	// Faults are the schedule's windows as they happened.
	Faults      []FaultWindow `json:"faults"`
	Convergence Convergence   `json:"convergence"`
	Timings     Timings       `json:"timings"`
	// Errors are problems of the run itself (a fault that could not be
	// healed, a cluster that did not recover).
	Errors []string `json:"errors,omitempty"`
	// Interrupted: the run was cut short; the history is partial and is
	// not checked.
	Interrupted bool `json:"interrupted,omitempty"`
	// Nodes are figures per node (optional section).
	Nodes []NodeFigures `json:"nodes,omitempty"`
	// Reach is how the clients reached the nodes: "container" (the
	// container address: a request to a killed node is refused, a definite
	// fail) or "published" (Docker's port proxy: it is unknown); see
	// cluster.Reach. Empty in runs stored before it existed.
	Reach string `json:"reach,omitempty"`
}

// Scenario is the scenario as run: its name, purpose and settings.
type Scenario struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Expect      Expect   `json:"expect"`
	Nodes       int      `json:"nodes"`
	Clients     int      `json:"clients"`
	Keys        int      `json:"keys"`
	OpsPerKey   int      `json:"ops_per_key,omitempty"` // key rotation: operations per key (0: none)
	ReadLevel   string   `json:"read_level"`
	Nemeses     []string `json:"nemeses"`
	Duration    float64  `json:"duration"`     // planned workload duration, s
	FaultWindow float64  `json:"fault_window"` // planned fault window length, s
	QuietWindow float64  `json:"quiet_window"` // planned quiet window length, s
	// NodeImage is the image the nodes ran (the system under test); NodeSrc
	// the source tree it was built from, when not this one.
	NodeImage string `json:"node_image,omitempty"`
	NodeSrc   string `json:"node_src,omitempty"`
	// System is the system under test ("raftkv", "etcd"; empty in runs
	// recorded before systems existed: raftkv).
	System string `json:"system,omitempty"`
	// Proves are the scenario's claims ("did real work"), judged by
	// EvaluateClaims.
	Proves []Claim `json:"proves,omitempty"`
	// NeedFaults is how many fault windows must take effect (0: half of
	// the windows started, rounded up; see EvaluateFaultEffect).
	NeedFaults int `json:"need_faults,omitempty"`
}

// FaultWindow is one window of the fault schedule, Fault the fault injected
// in it, as recorded (package fault defines them once, for chaos too).
type (
	FaultWindow = fault.Window
	Fault       = fault.Fault
)

// Convergence is the replica check after healing: stale reads of every key
// on every node, compared with each other and with the final linearizable
// read.
type Convergence struct {
	// Converged: every key was read on every node and all agreed.
	Converged bool `json:"converged"`
	// Waited is how long the check ran (until agreement or the deadline), s.
	Waited float64 `json:"waited"`
	// Final is each key's value as the final linearizable reads saw it
	// (null: absent; a key no final read answered for is missing).
	Final map[string]*string `json:"final"`
	// Values are the last stale reads: key → node → value (null: absent; a
	// node missing for a key was not read).
	Values map[string]map[string]*string `json:"values"`
	// Diverged lists the keys whose values, among those actually read,
	// differ from each other or from the final read.
	Diverged []string `json:"diverged,omitempty"`
	// NotRead lists the keys that agree as far as read but could not be
	// read on every node before the deadline: neither converged nor
	// diverged.
	NotRead []string `json:"not_read,omitempty"`
}

// NodeFigures are one node's figures at the end of the run (optional).
type NodeFigures struct {
	ID string `json:"id"`
	// State is the raft state, empty when the node could not be asked.
	State        string `json:"state,omitempty"`
	Term         uint64 `json:"term,omitempty"`
	CommitIndex  uint64 `json:"commit_index,omitempty"`
	AppliedIndex uint64 `json:"applied_index,omitempty"`
	LastIndex    uint64 `json:"last_index,omitempty"`
	Error        string `json:"error,omitempty"`

	// Snapshot counters over the whole run (the node's /status counters
	// count since its process started; a restart resets them). The runner
	// samples every node during the run and at the end and sums the
	// increases it observed, counting a new process's counters whole: a
	// lower bound, never more than happened (DESIGN.md, "Node figures").
	SnapshotsTaken          uint64 `json:"snapshots_taken"`
	SnapshotsInstalled      uint64 `json:"snapshots_installed"`
	SnapshotRestoresAtStart uint64 `json:"snapshot_restores_at_start"`
	StateMachineRebuilds    uint64 `json:"state_machine_rebuilds"`
	// LastSnapshotIndex and LastSnapshotTerm: the newest snapshot the node
	// held at its last answered sample.
	LastSnapshotIndex uint64 `json:"last_snapshot_index,omitempty"`
	LastSnapshotTerm  uint64 `json:"last_snapshot_term,omitempty"`
	// Samples is how many samples the node answered; Restarts how many new
	// processes of it the samples recognised.
	Samples  int `json:"samples,omitempty"`
	Restarts int `json:"restarts_seen,omitempty"`
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

// Check is the checker's answer, as plain values (nil Input.Check: the
// history was not checked).
type Check struct {
	Verdict      linearizability.Verdict              `json:"verdict"`
	Keys         map[string]linearizability.KeyResult `json:"keys"`
	Explanations []string                             `json:"explanations,omitempty"`
	// FirstViolation is the history time (ns) of the earliest operation the
	// explanations name as impossible to order: its completion, or its
	// invocation when it never completed; or of the earliest anomaly, when
	// earlier. 0 when there is none.
	FirstViolation int64 `json:"first_violation_ns,omitempty"`

	// Contracts is every read judged by its level's contract (readcheck);
	// nil when not judged (older callers that set Check by hand).
	Contracts *Contracts `json:"contracts,omitempty"`
}

// Contracts are readcheck's verdicts as plain values.
type Contracts struct {
	Contract       readcheck.Verdict       `json:"contract"`
	Levels         []readcheck.LevelResult `json:"levels"`
	Anomalies      []readcheck.Anomaly     `json:"anomalies,omitempty"`
	AnomaliesTotal int                     `json:"anomalies_total"`
	Writes         linearizability.Verdict `json:"writes,omitempty"`
	Evidence       bool                    `json:"evidence"`
	EvidenceKeys   int                     `json:"evidence_keys"`
	UnknownWrites  int                     `json:"unknown_writes"`
	ResolvedWrites int                     `json:"resolved_writes"`
}

// ContractsOf takes the plain values of readcheck's result and adds them to
// c, moving FirstViolation to the earliest anomaly when it is earlier.
func (c *Check) ContractsOf(r *readcheck.Result) {
	levels := make([]readcheck.LevelResult, len(r.Levels))
	for i, l := range r.Levels {
		l.Check = nil // plain values only
		levels[i] = l
	}
	c.Contracts = &Contracts{
		Contract: r.Contract, Levels: levels, Anomalies: r.Anomalies, AnomaliesTotal: r.AnomaliesTotal,
		Writes: r.Writes, Evidence: r.Evidence, EvidenceKeys: r.EvidenceKeys,
		UnknownWrites: r.UnknownWrites, ResolvedWrites: r.ResolvedWrites,
	}
	for _, a := range r.Anomalies {
		if t := max(a.Time, 1); c.FirstViolation == 0 || t < c.FirstViolation {
			c.FirstViolation = t
		}
	}
}

// CheckOf takes the plain values of a checker result.
func CheckOf(r *linearizability.Result) *Check {
	c := &Check{Verdict: r.Verdict, Keys: r.Keys}
	if r.Empty() && r.Verdict == linearizability.Linearizable {
		// Nothing was checked: unknown, never linearizable.
		c.Verdict = linearizability.Unknown
		c.Explanations = []string{linearizability.EmptyReason}
		return c
	}
	for _, ex := range r.Explanations {
		c.Explanations = append(c.Explanations, ex.Text)
		for _, b := range ex.Blocked {
			t := b.Operation.Return
			if t < 0 {
				t = b.Operation.Call
			}
			if c.FirstViolation == 0 || t < c.FirstViolation {
				c.FirstViolation = max(t, 1)
			}
		}
	}
	return c
}

// A Counterexample is a small sub-history that is still not linearizable
// (linearizability.Shrink), shown at the top of the report (optional
// section): the few operations that prove the bug, instead of porcupine's
// picture of a whole key.
type Counterexample struct {
	Key string `json:"key"`
	// Anomaly, when set, is the read-contract anomaly the sub-history shows
	// (its kind): the anomaly's operations and the writes they read
	// (readcheck.Counterexample), not a porcupine shrink.
	Anomaly readcheck.Kind `json:"anomaly,omitempty"`
	// Kept operations out of Original on the key; Nemesis events kept.
	Kept     int `json:"kept"`
	Original int `json:"original"`
	Nemesis  int `json:"nemesis_events"`
	// StoppedEarly: the shrinking budget ran out; the sub-history still
	// fails but may not be minimal. StopReason says why.
	StoppedEarly bool    `json:"stopped_early"`
	StopReason   string  `json:"stop_reason,omitempty"`
	Seconds      float64 `json:"seconds"`
	// History and Page are the files in the run folder: the sub-history
	// (chaoslab check rejects it) and its own page with porcupine's picture.
	History string `json:"history"`
	Page    string `json:"page"`
	// Section is the HTML of the operations by time and client and the
	// explanation in words (not stored in JSON).
	Section template.HTML `json:"-"`
}

// Input is everything a report is made of.
type Input struct {
	Run
	// Operations are the history's operations as linearizability pairs
	// them, in invocation order.
	Operations []linearizability.Operation
	// Check is the checker's answer; nil when not checked.
	Check *Check
	// Counterexample, if set, is drawn at the top (optional section).
	Counterexample *Counterexample
	// Rebuilt, if set, is when the report was re-derived from a stored run.
	Rebuilt *time.Time
}
