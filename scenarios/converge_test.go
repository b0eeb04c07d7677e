package scenarios

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The convergence check must be able to say "diverged": a replica holding
// another value, a replica missing a key, a replica that cannot be read, and
// replicas agreeing with each other but not with the final linearizable read.
func TestCompareReplicasFindsDivergence(t *testing.T) {
	s := func(v string) *string { return &v }
	ids := []string{"n1", "n2", "n3"}
	held := map[string][]*string{ // key -> value on n1, n2, n3
		"same":       {s("a"), s("a"), s("a")},
		"other":      {s("a"), s("b"), s("a")},
		"missing":    {s("a"), nil, s("a")},
		"unreadable": {s("a"), s("a"), s("a")},
		"stale-all":  {s("old"), s("old"), s("old")},
		"absent":     {nil, nil, nil},
	}
	final := map[string]*string{
		"same": s("a"), "other": s("a"), "missing": s("a"), "unreadable": s("a"), "stale-all": s("new"), "absent": nil,
	}
	read := func(i int, k string) (*string, bool) {
		if k == "unreadable" && i == 2 {
			return nil, false
		}
		return held[k][i], true
	}
	keys := []string{"absent", "missing", "other", "same", "stale-all", "unreadable"}
	values, diverged := compareReplicas(keys, ids, final, true, read)
	assert.Equal(t, []string{"missing", "other", "stale-all", "unreadable"}, diverged)
	assert.Equal(t, "b", *values["other"]["n2"])
	assert.Nil(t, values["missing"]["n2"])

	_, diverged = compareReplicas([]string{"same"}, ids, final, false, read)
	assert.Equal(t, []string{"same"}, diverged, "a node without a client cannot be shown to agree")
}
