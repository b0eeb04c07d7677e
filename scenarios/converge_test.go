package scenarios

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The convergence check must be able to say "diverged" — a replica holding
// another value, a replica missing a key, replicas agreeing with each other
// but not with the final linearizable read — and must say "not read", never
// "diverged", for a key some node did not answer for.
func TestCompareReplicasDivergedOrNotRead(t *testing.T) {
	s := func(v string) *string { return &v }
	ids := []string{"n1", "n2", "n3"}
	held := map[string][]*string{ // key -> value on n1, n2, n3
		"same":            {s("a"), s("a"), s("a")},
		"other":           {s("a"), s("b"), s("a")},
		"missing":         {s("a"), nil, s("a")},
		"unreadable":      {s("a"), s("a"), s("a")},
		"unreadable-diff": {s("a"), s("b"), s("a")},
		"stale-all":       {s("old"), s("old"), s("old")},
		"absent":          {nil, nil, nil},
		"never-read":      {s("a"), s("a"), s("a")},
	}
	final := map[string]*string{
		"same": s("a"), "other": s("a"), "missing": s("a"), "unreadable": s("a"), "unreadable-diff": s("a"),
		"stale-all": s("new"), "absent": nil, "never-read": s("a"),
	}
	read := func(i int, k string) (*string, bool) {
		switch {
		case (k == "unreadable" || k == "unreadable-diff") && i == 2, k == "never-read":
			return nil, false
		}
		return held[k][i], true
	}
	keys := []string{"absent", "missing", "never-read", "other", "same", "stale-all", "unreadable", "unreadable-diff"}
	c := compareReplicas(keys, ids, final, read)
	assert.Equal(t, []string{"missing", "other", "stale-all", "unreadable-diff"}, c.diverged)
	assert.Equal(t, []string{"never-read", "unreadable"}, c.notRead)
	assert.Equal(t, []string{"absent", "same"}, c.agreed)
	assert.Equal(t, "b", *c.values["other"]["n2"])
	assert.Nil(t, c.values["missing"]["n2"])
	_, read3 := c.values["unreadable"]["n3"]
	assert.False(t, read3, "a replica not read has no value")

	// A node without a client is never read: its keys are not read, not
	// diverged.
	c = compareReplicas([]string{"same"}, ids, final, func(i int, k string) (*string, bool) {
		if i == 1 {
			return nil, false
		}
		return held[k][i], true
	})
	assert.Empty(t, c.diverged)
	assert.Equal(t, []string{"same"}, c.notRead)
}
