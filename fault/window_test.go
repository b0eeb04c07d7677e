package fault

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The JSON of a window is a contract (run.json, summary.json: DESIGN.md):
// these bytes must not change.
func TestWindowJSON(t *testing.T) {
	w := Window{
		Nemesis: "compound-x",
		Fault: &Fault{Nemesis: "compound-x", Kind: Compound, Value: "partition n1 | n2 n3 + pause n2", Targets: []string{"n1", "n2", "n3"}, HealKind: Heal,
			Detail: "d", Parts: []Fault{{Nemesis: "p", Kind: Partition, Value: "n1 | n2 n3", Targets: []string{"n1", "n2", "n3"}, HealKind: Heal}}},
		Start: 1, Injected: 2, Healing: 3, End: 4, Error: "e",
		Effect:     &Effect{Took: true, Probed: true, Evidence: "ev"},
		TermBefore: 5, TermAfter: 6, FullStrength: 7, RecoveryWatched: 8,
	}
	b, err := json.Marshal(w)
	require.NoError(t, err)
	assert.JSONEq(t, `{"nemesis":"compound-x","fault":{"nemesis":"compound-x","kind":"compound","value":"partition n1 | n2 n3 + pause n2",
		"targets":["n1","n2","n3"],"heal":"heal","detail":"d","parts":[{"nemesis":"p","kind":"partition","value":"n1 | n2 n3","targets":["n1","n2","n3"],"heal":"heal"}]},
		"start_ns":1,"injected_ns":2,"healing_ns":3,"end_ns":4,"error":"e","effect":{"took":true,"probed":true,"evidence":"ev"},
		"term_before":5,"term_after":6,"full_strength_ns":7,"recovery_watched_ns":8}`, string(b))
	assert.Equal(t, `{"nemesis":"kill-leader","start_ns":1,"end_ns":2,"error":"no leader"}`, mustJSON(t, Window{Nemesis: "kill-leader", Start: 1, End: 2, Error: "no leader"}))
	assert.Equal(t, "kill-leader (failed: no leader)", Window{Nemesis: "kill-leader", Error: "no leader"}.Name())
	assert.Equal(t, "kill n2", w2().Name())
}

func w2() Window { return Window{Fault: &Fault{Kind: Kill, Value: "n2"}} }

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}
