package report

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/linearizability"
)

// The dishonest path "an empty history judged linearizable": a run that
// recorded no operation (nemesis events only, or nothing) is unknown in its
// summary, so campaigns and the self-test never count it as a pass.
func TestAnEmptyHistoryIsUnknown(t *testing.T) {
	for name, events := range map[string][]linearizability.Event{
		"nothing":        nil,
		"nemesis events": {{Process: linearizability.NemesisProcess, Type: linearizability.TypeInfo, F: "kill", Value: strp("n1"), Time: 5}},
	} {
		t.Run(name, func(t *testing.T) {
			res, err := linearizability.Check(t.Context(), events, linearizability.Options{})
			require.NoError(t, err)
			assert.True(t, res.Empty())
			ops, err := linearizability.Pair(events)
			require.NoError(t, err)
			in := Input{Run: Run{Scenario: Scenario{Name: "kill-leader", Expect: ExpectLinearizable}}, Operations: ops, Check: CheckOf(res)}
			s := Summarize(in)
			assert.Equal(t, linearizability.Unknown, s.Verdict)
			assert.False(t, s.AsExpected)
			assert.Contains(t, s.Outcome, "no operation was recorded: nothing was checked")
			assert.Equal(t, []string{linearizability.EmptyReason}, s.Explanations)
		})
	}
}

func strp(s string) *string { return &s }
