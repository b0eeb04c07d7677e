package linearizability

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOutcomeOfPairedOperations(t *testing.T) {
	v := Str("v")
	events := []Event{
		{Process: 0, Type: TypeInvoke, F: FGet, Key: "k", Time: 1},
		{Process: 0, Type: TypeOk, F: FGet, Key: "k", Time: 2},
		{Process: 1, Type: TypeInvoke, F: FCAS, Key: "k", Expect: v, Value: v, Time: 3},
		{Process: 1, Type: TypeFail, F: FCAS, Key: "k", Time: 4}, // found another value
		{Process: 2, Type: TypeInvoke, F: FCAS, Key: "k", Expect: v, Value: v, Time: 5},
		{Process: 2, Type: TypeFail, F: FCAS, Key: "k", Error: "no leader", Time: 6},
		{Process: 3, Type: TypeInvoke, F: FSet, Key: "k", Value: v, Time: 7},
		{Process: 3, Type: TypeFail, F: FSet, Key: "k", Time: 8}, // a set fail is never a mismatch
		{Process: 4, Type: TypeInvoke, F: FDelete, Key: "k", Time: 9},
		{Process: 4, Type: TypeInfo, F: FDelete, Key: "k", Error: "timeout", Time: 10},
		{Process: 5, Type: TypeInvoke, F: FSet, Key: "k", Value: v, Time: 11}, // never completed
	}
	ops, err := Pair(events)
	require.NoError(t, err)
	var got []Outcome
	for i := range ops {
		got = append(got, ops[i].Outcome())
	}
	assert.Equal(t, []Outcome{OutcomeOK, OutcomeMismatch, OutcomeFail, OutcomeFail, OutcomeInfo, OutcomeInfo}, got)
	assert.True(t, OutcomeOK.Definite())
	assert.True(t, OutcomeMismatch.Definite())
	assert.False(t, OutcomeFail.Definite())
	assert.False(t, OutcomeInfo.Definite())
	assert.Equal(t, "cas-mismatch", OutcomeMismatch.String())
	assert.Equal(t, OutcomeInfo, Classify(FGet, TypeInvoke, ""), "no completion is unknown")
}
