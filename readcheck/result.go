package readcheck

import (
	"github.com/raftlab/raftlab/linearizability"
)

// Kind names an anomaly, as Jepsen and Elle name them.
type Kind string

const (
	// StaleRead: a read behind an acknowledged write, at a level that
	// promises recency (linearizable).
	StaleRead Kind = "stale-read"
	// NonMonotonicRead: a read on one node incarnation returned an older
	// prefix of the write order than a read that completed before it.
	NonMonotonicRead Kind = "non-monotonic-read"
	// NeverWrittenRead: a read returned a value no write ever wrote, or
	// only a write that definitely failed (Elle's "garbage read").
	NeverWrittenRead Kind = "never-written-read"
	// FutureRead: a read returned a value whose write was invoked after the
	// read returned.
	FutureRead Kind = "future-read"
	// LostWrite: an acknowledged write that no read ever saw, while a read
	// that must include it (by its index, or by real time at the
	// linearizable level) saw an older write.
	LostWrite Kind = "lost-write"
	// IndexContradiction: the store's evidence of order contradicts the
	// values or real time.
	IndexContradiction Kind = "index-contradiction"
)

// Kinds lists every anomaly kind, for tables and tests.
var Kinds = []Kind{StaleRead, NonMonotonicRead, NeverWrittenRead, FutureRead, LostWrite, IndexContradiction}

// Verdict is a contract verdict.
type Verdict string

const (
	OK       Verdict = "ok"
	Violated Verdict = "violated"
	Unknown  Verdict = "unknown" // nothing to judge, or the linearizability check ran out of budget
)

// Levels are the read levels in the order reports show them.
var Levels = []string{linearizability.LevelLinearizable, linearizability.LevelLeader, linearizability.LevelStale}

// OpRef is one operation an anomaly names: where it is in the history and
// what it did.
type OpRef struct {
	// Line and ReturnLine are the 1-based lines (event positions + 1) of its
	// invocation and completion (ReturnLine 0: never completed).
	Line       int    `json:"line"`
	ReturnLine int    `json:"return_line,omitempty"`
	Process    int    `json:"process"`
	F          string `json:"f"`
	Key        string `json:"key"`
	// Value: written (set, cas) or read (get); nil: absent / delete.
	Value       *string `json:"value"`
	Type        string  `json:"type"`
	Level       string  `json:"level,omitempty"`
	Node        string  `json:"node,omitempty"`
	Incarnation string  `json:"incarnation,omitempty"`
	Index       int64   `json:"index,omitempty"`
	// Call and Return are history times (ns); Return is -1 when it never
	// completed.
	Call   int64 `json:"call"`
	Return int64 `json:"return"`
}

// An Anomaly is one broken promise of a read level's contract.
type Anomaly struct {
	Kind        Kind   `json:"kind"`
	Key         string `json:"key"`
	Level       string `json:"level"`
	Node        string `json:"node,omitempty"`
	Incarnation string `json:"incarnation,omitempty"`
	// Ops are the operations involved, the offending read first.
	Ops []OpRef `json:"ops"`
	// Indexes are the indexes involved (empty without evidence).
	Indexes []int64 `json:"indexes,omitempty"`
	// Time is when the anomaly became visible: the offending read's
	// completion (ns on the history clock).
	Time int64 `json:"time_ns"`
	// Text says it in one sentence.
	Text string `json:"text"`
}

// LevelResult is the verdict of one read level present in the history.
type LevelResult struct {
	Level string `json:"level"`
	// Reads is the number of gets at this level (any outcome); OkReads
	// those that returned a value.
	Reads   int `json:"reads"`
	OkReads int `json:"ok_reads"`
	// Contract is the level's own contract: for linearizable, linearizable
	// and no anomaly; for stale and leader, no anomaly.
	Contract Verdict `json:"contract"`
	// Linearizable is porcupine's verdict on this level's reads with every
	// write ("" when not checked). For stale and leader it is informational.
	Linearizable linearizability.Verdict `json:"linearizable,omitempty"`
	// NotLinearizableKeys are the keys porcupine found not linearizable for
	// this level's reads.
	NotLinearizableKeys []string `json:"not_linearizable_keys,omitempty"`
	// Anomalies counts the anomalies of this level's reads.
	Anomalies int `json:"anomalies"`
	// Check is porcupine's result for this level's reads with every write
	// (nil when not checked): its explanations and Shrink serve the
	// linearizable level's violations.
	Check *linearizability.Result `json:"-"`
}

// Result is the verdict of a whole history.
type Result struct {
	// Contract is Violated if any level's contract is, else Unknown if any
	// level's is (or the history has no read), else OK.
	Contract Verdict `json:"contract"`
	// Levels has one entry per read level present, in Levels order.
	Levels []LevelResult `json:"levels"`
	// Anomalies, by time; at most MaxAnomalies (AnomaliesTotal counts all).
	Anomalies      []Anomaly `json:"anomalies,omitempty"`
	AnomaliesTotal int       `json:"anomalies_total"`
	// Evidence: some ok completion carried an index and the check placed
	// operations by it. EvidenceKeys / Keys: keys judged by index (every ok
	// read and write on them had one) out of all keys.
	Evidence     bool `json:"evidence"`
	EvidenceKeys int  `json:"evidence_keys"`
	Keys         int  `json:"keys"`
	// UnknownWrites are writes whose outcome is unknown (info or no
	// completion); ResolvedWrites those a read proved applied.
	UnknownWrites  int `json:"unknown_writes"`
	ResolvedWrites int `json:"resolved_writes"`
	// Operations is the number of client operations.
	Operations int `json:"operations"`
	// Writes is porcupine's verdict on the writes alone ("" when not
	// checked: no level other than linearizable was present, whose check
	// covers them). Writes that are not linearizable among themselves (a
	// cas that found a value no order gives) break every level's contract.
	Writes linearizability.Verdict `json:"writes,omitempty"`
	// Linearizability is the full check (every read, every level), as
	// before this package existed; nil when not run (ContractsOnly).
	Linearizability *linearizability.Result `json:"-"`
}

// Level returns the result of one level, or nil when it had no reads.
func (r *Result) Level(level string) *LevelResult {
	for i := range r.Levels {
		if r.Levels[i].Level == level {
			return &r.Levels[i]
		}
	}
	return nil
}

// MaxAnomalies bounds the anomalies a Result keeps (a broken store can
// produce one per read); AnomaliesTotal counts them all.
const MaxAnomalies = 200
