package campaign

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/raftlab/raftlab/linearizability"
	"github.com/raftlab/raftlab/readcheck"
	"github.com/raftlab/raftlab/report"
	"github.com/raftlab/raftlab/scenarios"
)

// A run whose reads are judged by their levels' contracts is worded by those
// verdicts, level by level, not by the whole history's linearizability
// (which mixes in reads of levels that do not promise it).
func TestCellWordsSayTheLevelsVerdicts(t *testing.T) {
	levels := func(stale readcheck.Verdict, staleLin linearizability.Verdict) []readcheck.LevelResult {
		return []readcheck.LevelResult{
			{Level: linearizability.LevelLinearizable, Reads: 10, OkReads: 10, Contract: readcheck.OK, Linearizable: linearizability.Linearizable},
			{Level: linearizability.LevelStale, Reads: 10, OkReads: 10, Contract: stale, Linearizable: staleLin},
		}
	}
	// stale-reads: not linearizable as a whole, as expected; every contract holds.
	sum := &report.Summary{Scenario: "stale-reads", Expect: scenarios.ExpectViolation, Verdict: linearizability.NotLinearizable,
		Contract: readcheck.OK, Levels: levels(readcheck.OK, linearizability.NotLinearizable), Converged: true, AsExpected: true}
	var r Result
	r.Expect = sum.Expect
	r.record(sum, nil, time.Second)
	w := verdictWords(r)
	assert.Equal(t, "linearizable; stale reads not linearizable (0 keys; the level allows it), stale contract holds", w)
	assert.NotContains(t, w, "violation found", "the whole-history verdict is not the run's")

	// A planted bug only the stale contract sees: the whole history may even
	// be linearizable; the cell says the contract broke, as expected.
	sum = &report.Summary{Scenario: "restart-replays", Expect: scenarios.ExpectContractViolation, Verdict: linearizability.Linearizable,
		Contract: readcheck.Violated, Levels: levels(readcheck.Violated, linearizability.Linearizable), Converged: true,
		AnomaliesTotal: 1, Anomalies: []readcheck.Anomaly{{Kind: readcheck.NonMonotonicRead, Key: "k1", Level: "stale", Node: "n2"}}, AsExpected: true}
	r = Result{}
	r.Expect = sum.Expect
	r.record(sum, nil, time.Second)
	w = verdictWords(r)
	assert.Contains(t, w, "expected violation found: READ CONTRACT BROKEN: non-monotonic-read on key k1 (stale read on n2)")
	assert.NotContains(t, w, "planted bug missed")

	// The same scenario when the contract held: missed, whatever porcupine said.
	sum.Contract, sum.Levels, sum.AnomaliesTotal, sum.Anomalies, sum.AsExpected = readcheck.OK, levels(readcheck.OK, linearizability.Linearizable), 0, nil, false
	r = Result{}
	r.Expect = sum.Expect
	r.record(sum, nil, time.Second)
	assert.Equal(t, "expected violation missed: linearizable; stale reads linearizable, stale contract holds", verdictWords(r))
}
