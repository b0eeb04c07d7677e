package scenarios

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/raftlab/raftlab/linearizability"
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
	c := compareReplicas(keys, ids, final, nil, read)
	assert.Equal(t, []string{"missing", "other", "stale-all", "unreadable-diff"}, c.diverged)
	assert.Equal(t, []string{"never-read", "unreadable"}, c.notRead)
	assert.Equal(t, []string{"absent", "same"}, c.agreed)
	assert.Equal(t, "b", *c.values["other"]["n2"])
	assert.Nil(t, c.values["missing"]["n2"])
	_, read3 := c.values["unreadable"]["n3"]
	assert.False(t, read3, "a replica not read has no value")

	// A node without a client is never read: its keys are not read, not
	// diverged.
	c = compareReplicas([]string{"same"}, ids, final, nil, func(i int, k string) (*string, bool) {
		if i == 1 {
			return nil, false
		}
		return held[k][i], true
	})
	assert.Empty(t, c.diverged)
	assert.Equal(t, []string{"same"}, c.notRead)
}

// A write of unknown outcome may take effect after the final reads (a set
// whose client gave up while its node was cut off, delivered at the heal):
// replicas that all hold its value agree. Replicas that hold some other old
// value, or that disagree among themselves, still diverge.
func TestCompareReplicasAcceptsALateUnknownWrite(t *testing.T) {
	s := func(v string) *string { return &v }
	ids := []string{"n1", "n2", "n3"}
	held := map[string][]*string{
		"late-set":     {s("c5-85"), s("c5-85"), s("c5-85")},
		"late-delete":  {nil, nil, nil},
		"old-value":    {s("c1-1"), s("c1-1"), s("c1-1")},
		"late-partial": {s("c5-86"), s("c5-86"), s("final")},
	}
	final := map[string]*string{"late-set": s("final"), "late-delete": s("final"), "old-value": s("final"), "late-partial": s("final")}
	events := []linearizability.Event{
		{Process: 0, Type: linearizability.TypeInvoke, F: linearizability.FSet, Key: "late-set", Value: s("c5-85")},
		{Process: 0, Type: linearizability.TypeInfo, F: linearizability.FSet, Key: "late-set", Value: s("c5-85")},
		{Process: 1, Type: linearizability.TypeInvoke, F: linearizability.FDelete, Key: "late-delete"},
		{Process: 2, Type: linearizability.TypeInvoke, F: linearizability.FSet, Key: "old-value", Value: s("c1-1")},
		{Process: 2, Type: linearizability.TypeOk, F: linearizability.FSet, Key: "old-value", Value: s("c1-1")},
		{Process: 3, Type: linearizability.TypeInvoke, F: linearizability.FSet, Key: "late-partial", Value: s("c5-86")},
		{Process: 3, Type: linearizability.TypeInfo, F: linearizability.FSet, Key: "late-partial", Value: s("c5-86")},
	}
	late := unknownWrites(events)
	c := compareReplicas([]string{"late-delete", "late-partial", "late-set", "old-value"}, ids, final, late,
		func(i int, k string) (*string, bool) { return held[k][i], true })
	assert.Equal(t, []string{"late-delete", "late-set"}, c.agreed, "an unknown set or delete applied after the final reads")
	assert.Equal(t, []string{"late-partial", "old-value"}, c.diverged, "an acknowledged old value, or replicas that disagree")
}
