package node

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/api"
)

// setupWriteWait bounds how long a test's setup retries one write.
const setupWriteWait = 20 * time.Second

// mustWrite makes a setup write succeed: a definite failure (no leader for
// a moment, a leader that stepped down: 503) or an unknown outcome (a
// timeout on a busy machine) is retried until the deadline; writes here
// are sets and deletes, which are idempotent. A test's setup must not
// depend on every first attempt succeeding; only when it never succeeds
// does the test fail, with the last answer.
func mustWrite(t testing.TB, what string, write func(ctx context.Context) api.Result) {
	t.Helper()
	deadline := time.Now().Add(setupWriteWait)
	for attempt := 1; ; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		r := write(ctx)
		cancel()
		if r.Outcome == api.OK {
			return
		}
		if time.Now().After(deadline) {
			require.Equal(t, api.OK, r.Outcome, "%s: %d attempts in %s, last: %v", what, attempt, setupWriteWait, r.Err)
		}
		time.Sleep(min(50*time.Millisecond*time.Duration(attempt), 500*time.Millisecond)) // back-off between retries, not synchronisation
	}
}

// mustSet is mustWrite of c.Set(key, value).
func mustSet(t testing.TB, c *api.Client, key, value string) {
	t.Helper()
	mustWrite(t, fmt.Sprintf("set %s=%s", key, value), func(ctx context.Context) api.Result { return c.Set(ctx, key, value) })
}

// mustDelete is mustWrite of c.Delete(key).
func mustDelete(t testing.TB, c *api.Client, key string) {
	t.Helper()
	mustWrite(t, "delete "+key, func(ctx context.Context) api.Result { return c.Delete(ctx, key) })
}

func TestMustWriteRetriesDefiniteFailures(t *testing.T) {
	calls := 0
	mustWrite(t, "flaky", func(context.Context) api.Result {
		calls++
		if calls < 3 {
			return api.Result{Outcome: api.Fail, Err: fmt.Errorf("no leader")}
		}
		return api.Result{Outcome: api.OK}
	})
	require.Equal(t, 3, calls)
}
