package chaos

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The operator nemeses act on a stopped node only, take the old copy before
// the node moves on, and Heal starts the node, or replaces it when it
// refuses to start; nothing is left behind either way.
func TestOperatorNemeses(t *testing.T) {
	for _, tc := range []struct {
		nem   Nemesis
		kind  string
		value string
		calls []string // in order, from the first stop
	}{
		{DirLost{Target: First, Dir: DirRaft, StartWait: 200 * time.Millisecond}, "dir-lost", "n1 raft", []string{"stop n1 5s", "remove-dir n1 raft"}},
		{DirLost{Target: First, Dir: DirData, StartWait: 200 * time.Millisecond}, "dir-lost", "n1 kv", []string{"stop n1 5s", "remove-dir n1 kv"}},
		{DirLost{Target: First, Dir: DirRaft, Start: true, StartWait: 200 * time.Millisecond}, "dir-lost", "n1 raft", []string{"stop n1 5s", "remove-dir n1 raft", "start n1"}},
		{DirOld{Target: Follower, Dir: DirRaft, Behind: 30, StartWait: 200 * time.Millisecond}, "dir-old", "n2 raft", []string{"stop n2 5s", "save-dir n2 raft", "start n2", "stop n2 5s", "restore-dir n2 raft"}},
		{DirOld{Target: Follower, Dir: DirData, StartWait: 200 * time.Millisecond}, "dir-old", "n2 kv", []string{"stop n2 5s", "save-dir n2 kv", "start n2", "stop n2 5s", "restore-dir n2 kv"}},
	} {
		for _, refuse := range []bool{false, true} {
			f := newFake(3, "n3")
			f.mem.refuse = refuse
			ctx := context.Background()
			// Seed 2 picks n2 among the followers n1, n2.
			fault, err := tc.nem.Inject(ctx, f, rand.New(rand.NewPCG(2, 0)))
			require.NoError(t, err, tc.nem.Name())
			assert.Equal(t, tc.kind, string(fault.Kind))
			assert.Equal(t, tc.value, fault.Value)
			assert.Equal(t, tc.calls, withoutStatus(f.calls), tc.nem.Name())
			if dl, ok := tc.nem.(DirLost); !ok || !dl.Start || refuse {
				assert.NotEmpty(t, f.Faults(), "the node is down with its directory changed")
			}
			require.NoError(t, fault.Heal(ctx))
			assert.Empty(t, f.Faults(), "%s refuse=%v: healed", tc.nem.Name(), refuse)
			if refuse {
				assert.Equal(t, "member-add", string(fault.HealKind))
			} else {
				assert.Equal(t, "start", string(fault.HealKind))
			}
		}
	}
}

// An old copy that the node never moves past is not a fault: the injection
// fails rather than put back a copy equal to the present.
func TestDirOldNeedsProgress(t *testing.T) {
	f := newFake(3, "n1")
	f.fail["status"] = assert.AnError
	_, err := DirOld{Target: First, Dir: DirRaft, AdvanceWait: 50 * time.Millisecond}.Inject(context.Background(), f, rand.New(rand.NewPCG(1, 0)))
	assert.Error(t, err)
}

// withoutStatus drops the status and leader polls from calls, with the
// arguments of the file operations' copy names cut off.
func withoutStatus(calls []string) []string {
	var out []string
	for _, c := range calls {
		switch {
		case c == "leader" || len(c) > 7 && c[:7] == "status ":
		case len(c) > 8 && (c[:8] == "save-dir" || c[:8] == "restore-"):
			out = append(out, c[:len(c)-len(lastWord(c))-1])
		default:
			out = append(out, c)
		}
	}
	return out
}

func lastWord(s string) string {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == ' ' {
			return s[i+1:]
		}
	}
	return s
}
