//go:build failpoints

package node

// Each planted bug (package bugs) is shown reachable: switched on, the unsafe
// behaviour happens in a provoked situation, and switched off the same
// situation is handled correctly. Run with: go test -tags failpoints ./node

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/api"
	"github.com/raftlab/raftlab/bugs"
	"github.com/raftlab/raftlab/failpoint"
	"github.com/raftlab/raftlab/fault"
)

func arm(t *testing.T, nd *Node, name, term string) {
	t.Helper()
	tm, err := failpoint.ParseTerm(term)
	require.NoError(t, err)
	require.NoError(t, nd.fps.Arm(name, tm))
}

func TestEveryPlantedBugHasAFailpoint(t *testing.T) {
	r := failpoint.New(points())
	for _, b := range bugs.All {
		assert.NoError(t, r.Arm(b.Name, failpoint.Term{Kind: failpoint.On}), b.Name)
	}
}

// bug-fsm-ahead-of-log: the node keeps a state machine ahead of its
// truncated log, and skips the new term's entries at those indexes.
func TestBugStateMachineAheadOfLog(t *testing.T) {
	nd := truncatedLogNode(t, bugs.StateMachineAheadOK+"=on")
	ctx := context.Background()
	c := api.NewClient(nd.HTTPAddr())
	var lost []string
	for i := 0; i < 6; i++ {
		k := fmt.Sprintf("new%d", i)
		require.Equal(t, api.OK, c.Set(ctx, k, "v").Outcome, "the write is acknowledged")
		if r := c.Get(ctx, k, api.ReadLinearizable); r.Outcome == api.OK && r.Value == nil {
			lost = append(lost, k)
		}
	}
	assert.NotEmpty(t, lost, "acknowledged writes at reused indexes were skipped")
	v, err := nd.fsm.Get("k19")
	require.NoError(t, err)
	assert.NotNil(t, v, "data the log lost is still served")
	assert.Zero(t, nd.Status().StateMachineRebuilds)
}

// bug-restore-keeps-old-state: a key deleted while the follower was down
// survives the InstallSnapshot on that follower.
func TestBugRestoreKeepsOldState(t *testing.T) {
	if testing.Short() {
		t.Skip("three-node cluster")
	}
	follower, _ := snapshotInstall(t, bugs.RestoreKeepsState+"=on")
	assert.Equal(t, uint64(1), follower.Status().SnapshotsInstalled)
	v, err := follower.fsm.Get("gone")
	require.NoError(t, err)
	assert.NotNil(t, v, "the deleted key came back on the follower")
}

var errCrash = fmt.Errorf("simulated crash")

// crashApply applies logs on f with fsm-before-commit armed to "crash"
// (unwinding, so the batch's transaction is never committed, as in a real
// crash), and reports whether it crashed.
func crashApply(f *FSM, logs []*raft.Log) (crashed bool) {
	defer func() {
		if r := recover(); r != nil {
			if r != errCrash {
				panic(r)
			}
			crashed = true
		}
	}()
	f.ApplyBatch(logs)
	return false
}

// bug-applied-index-early: a crash between the applied index and the data
// loses the batch for good; without the bug the batch is replayed.
func TestBugAppliedIndexEarly(t *testing.T) {
	for _, planted := range []bool{false, true} {
		t.Run(fmt.Sprintf("planted=%v", planted), func(t *testing.T) {
			dir := t.TempDir()
			f := openTestFSM(t, dir)
			f.fps = failpoint.New(points())
			f.fps.SetCrash(func(string) { panic(errCrash) })
			require.NoError(t, f.fps.Arm(bugs.AppliedIndexEarly, failpoint.Term{Kind: failpoint.On}))
			if !planted {
				require.NoError(t, f.fps.Arm(bugs.AppliedIndexEarly, failpoint.Term{Kind: failpoint.Off}))
			}
			batch := []*raft.Log{cmdLog(1, command{Op: opSet, Pairs: map[string]string{"x": "1"}})}
			require.NoError(t, f.fps.Arm(fault.PointFSMBeforeCommit, failpoint.Term{Kind: failpoint.Panic}))
			require.True(t, crashApply(f, batch))
			require.NoError(t, f.Close())

			// Restart: raft replays the entry (its applied index is not durable).
			f = openTestFSM(t, dir)
			defer f.Close()
			f.ApplyBatch(batch)
			if planted {
				assert.Equal(t, uint64(1), f.Applied())
				assert.Nil(t, mustGet(t, f, "x"), "the replayed entry was skipped: the write is lost on this replica")
			} else {
				assert.Equal(t, strp("1"), mustGet(t, f, "x"), "the replay applied the batch")
			}
		})
	}
}

// bug-cas-local-compare: two cas with the same expected value both succeed
// when the first has not reached the state machine yet.
func TestBugCASLocalCompare(t *testing.T) {
	for _, planted := range []bool{false, true} {
		t.Run(fmt.Sprintf("planted=%v", planted), func(t *testing.T) {
			nd := startNodes(t, 1)[0]
			ctx := context.Background()
			c := api.NewClient(nd.HTTPAddr(), api.WithTimeout(10*time.Second))
			require.Equal(t, api.OK, c.Set(ctx, "k", "0").Outcome)
			if planted {
				arm(t, nd, bugs.CASLocalCompare, "on")
			}
			arm(t, nd, fault.PointFSMBeforeCommit, "sleep(1s)")
			before := nd.fps.Hits(fault.PointFSMBeforeCommit)
			first := make(chan api.Result, 1)
			go func() { first <- c.CAS(ctx, "k", "0", "1") }()
			waitFor(t, 5*time.Second, "the first cas reaches the state machine", func() error {
				if nd.fps.Hits(fault.PointFSMBeforeCommit) == before {
					return fmt.Errorf("not yet")
				}
				return nil
			})
			second := c.CAS(ctx, "k", "0", "2")
			r1 := <-first
			require.Equal(t, api.OK, r1.Outcome, "%v", r1.Err)
			if planted {
				assert.Equal(t, api.OK, second.Outcome, "both cas(0→…) succeed: a lost update")
			} else {
				assert.True(t, second.Mismatch, "the second cas sees 1")
			}
		})
	}
}

// bug-ack-before-commit: a write is acknowledged while no follower can store
// it, so it is not committed (nor applied) when the client hears OK.
func TestBugAckBeforeCommit(t *testing.T) {
	if testing.Short() {
		t.Skip("three-node cluster")
	}
	nodes := startNodes(t, 3)
	leader := leaderOf(t, nodes)
	for _, nd := range nodes {
		if nd != leader {
			// Under the transport's 2s I/O timeout, so replication stalls but does not fail.
			arm(t, nd, fault.PointLogBeforeAppend, "sleep(1s)")
		}
	}
	arm(t, leader, bugs.AckBeforeCommit, "on")
	c := api.NewClient(leader.HTTPAddr())
	require.Equal(t, api.OK, c.Set(context.Background(), "x", "1").Outcome)
	v, err := leader.fsm.Get("x")
	require.NoError(t, err)
	assert.Nil(t, v, "acknowledged before any follower stored it: not committed, not applied")
	waitFor(t, 10*time.Second, "x commits later", func() error {
		if v, _ := leader.fsm.Get("x"); v == nil {
			return fmt.Errorf("not yet")
		}
		return nil
	})
}

// bug-follower-local-read: a follower whose state machine lags answers a
// "linearizable" read with a value older than an acknowledged write.
func TestBugFollowerLocalRead(t *testing.T) {
	if testing.Short() {
		t.Skip("three-node cluster")
	}
	for _, planted := range []bool{false, true} {
		t.Run(fmt.Sprintf("planted=%v", planted), func(t *testing.T) {
			nodes := startNodes(t, 3)
			leader := leaderOf(t, nodes)
			var slow *Node
			for _, nd := range nodes {
				if nd != leader {
					slow = nd
					break
				}
			}
			arm(t, slow, fault.PointFSMBeforeCommit, "sleep(1s)")
			if planted {
				arm(t, slow, bugs.FollowerLocalRead, "on")
			}
			ctx := context.Background()
			require.Equal(t, api.OK, api.NewClient(leader.HTTPAddr()).Set(ctx, "x", "1").Outcome)
			r := api.NewClient(slow.HTTPAddr()).Get(ctx, "x", api.ReadLinearizable)
			if planted {
				assert.Equal(t, api.OK, r.Outcome, "%v", r.Err)
				assert.Nil(t, r.Value, "a stale read after the write was acknowledged")
			} else {
				require.Equal(t, api.OK, r.Outcome, "%v", r.Err)
				assert.Equal(t, strp("1"), r.Value)
			}
		})
	}
}

// bug-read-no-quorum: a linearizable read is answered without a leadership
// confirmation round (and without the barrier): with confirmation made to
// fail, the read still succeeds, and no round was started.
func TestBugReadNoQuorum(t *testing.T) {
	for _, planted := range []bool{false, true} {
		t.Run(fmt.Sprintf("planted=%v", planted), func(t *testing.T) {
			nd := startNodes(t, 1)[0]
			arm(t, nd, fault.PointReadIndexBeforeConfirm, "error(no quorum)")
			if planted {
				arm(t, nd, bugs.ReadNoQuorum, "on")
			}
			rounds := nd.confirm.rounds.Load()
			r := api.NewClient(nd.HTTPAddr()).Get(context.Background(), "x", api.ReadLinearizable)
			if planted {
				assert.Equal(t, api.OK, r.Outcome, "%v", r.Err)
				assert.Equal(t, rounds, nd.confirm.rounds.Load(), "no confirmation round")
			} else {
				assert.NotEqual(t, api.OK, r.Outcome, "the read fails where confirmation fails")
			}
		})
	}
}

// bug-read-no-quorum, provoked as Jepsen found it in etcd 0.4: a leader whose
// main loop stalls (here a slow disk: its log append sleeps) is cut off, the
// others elect a new leader and take a write, and the old leader, which still
// believes it leads, answers a "linearizable" read. With the bug it answers
// the old value; without it the read cannot confirm leadership and fails.
func TestBugReadNoQuorumStalledLeader(t *testing.T) {
	if testing.Short() {
		t.Skip("three-node cluster")
	}
	for _, planted := range []bool{false, true} {
		t.Run(fmt.Sprintf("planted=%v", planted), func(t *testing.T) {
			var mu sync.Mutex
			cuts := map[string]*cuttable{}
			nodes := startNodesWith(t, 3, func(c *Config) {
				ct := &cuttable{}
				mu.Lock()
				cuts[c.ID] = ct
				mu.Unlock()
				c.wrapStream = ct.wrap
			})
			ctx := context.Background()
			old := leaderOf(t, nodes)
			oc := api.NewClient(old.HTTPAddr(), api.WithTimeout(2*time.Second))
			require.Equal(t, api.OK, oc.Set(ctx, "x", "1").Outcome)
			require.Equal(t, api.OK, oc.Get(ctx, "x", api.ReadLinearizable).Outcome, "the term's barrier is done")
			if planted {
				arm(t, old, bugs.ReadNoQuorum, "on")
			}

			// Stall the old leader's main loop in a log append, then cut it off.
			arm(t, old, fault.PointLogBeforeAppend, "1*sleep(4s)")
			go oc.Set(ctx, "stall", "1")
			waitFor(t, 2*time.Second, "the leader loop stalls", func() error {
				if old.fps.Hits(fault.PointLogBeforeAppend) == 0 {
					return fmt.Errorf("not yet")
				}
				return nil
			})
			cuts[old.ID()].setCut(true)
			t.Cleanup(func() { cuts[old.ID()].setCut(false) })
			var rest []*Node
			for _, nd := range nodes {
				if nd != old {
					rest = append(rest, nd)
				}
			}
			nl := leaderOf(t, rest)
			require.Equal(t, api.OK, api.NewClient(nl.HTTPAddr()).Set(ctx, "x", "2").Outcome)
			require.Equal(t, raft.Leader, old.Raft().State(), "the stalled node still believes it leads")

			r := oc.Get(ctx, "x", api.ReadLinearizable)
			if planted {
				require.Equal(t, api.OK, r.Outcome, "%v", r.Err)
				assert.Equal(t, strp("1"), r.Value, "a stale read: x=2 was acknowledged before the read began")
			} else {
				assert.NotEqual(t, api.OK, r.Outcome, "the read cannot confirm leadership")
			}
		})
	}
}

// bug-read-no-barrier, provoked: followers learn the commit index lazily
// (commit timeout 1s), and one follower's disk fails its appends. The leader
// commits x=2 with the healthy follower, acknowledges it, and is cut off at
// once. The healthy follower, the only one holding x=2, becomes leader
// without knowing x=2 is committed, and its own no-op cannot commit (the
// other follower's appends fail). Without the barrier its read index is that
// stale commit index and the read misses the acknowledged write; with the
// barrier the read waits until the disk recovers and then sees x=2.
func TestBugReadNoBarrierNewLeader(t *testing.T) {
	if testing.Short() {
		t.Skip("three-node cluster")
	}
	for _, planted := range []bool{false, true} {
		t.Run(fmt.Sprintf("planted=%v", planted), func(t *testing.T) {
			var mu sync.Mutex
			cuts := map[string]*cuttable{}
			nodes := startNodesWith(t, 3, func(c *Config) {
				ct := &cuttable{}
				mu.Lock()
				cuts[c.ID] = ct
				mu.Unlock()
				c.wrapStream = ct.wrap
				c.CommitTimeout = time.Second
				c.ApplyTimeout = 15 * time.Second
			})
			ctx := context.Background()
			old := leaderOf(t, nodes)
			var rest []*Node
			for _, nd := range nodes {
				if nd != old {
					rest = append(rest, nd)
				}
			}
			healthy, failing := rest[0], rest[1]
			require.Equal(t, api.OK, api.NewClient(old.HTTPAddr()).Set(ctx, "x", "1").Outcome)
			for _, nd := range rest {
				waitFor(t, 15*time.Second, nd.ID()+" applies x=1", func() error {
					if v, _ := nd.fsm.Get("x"); v == nil {
						return fmt.Errorf("not yet")
					}
					return nil
				})
			}
			arm(t, failing, fault.PointLogBeforeAppend, "error(disk)")
			require.Equal(t, api.OK, api.NewClient(old.HTTPAddr()).Set(ctx, "x", "2").Outcome)
			cuts[old.ID()].setCut(true)
			t.Cleanup(func() { cuts[old.ID()].setCut(false) })
			nl := leaderOf(t, rest)
			require.Equal(t, healthy, nl, "only the follower holding x=2 can win")

			c := api.NewClient(nl.HTTPAddr(), api.WithTimeout(20*time.Second))
			if planted {
				arm(t, nl, bugs.ReadNoBarrier, "on")
				r := c.Get(ctx, "x", api.ReadLinearizable)
				require.Equal(t, api.OK, r.Outcome, "%v", r.Err)
				assert.Equal(t, strp("1"), r.Value, "a stale read: x=2 was acknowledged before the read began")
				return
			}
			arm(t, nl, fault.PointReadIndexBeforeBarrier, "sleep(0s)") // counts the read reaching the barrier
			res := make(chan api.Result, 1)
			go func() { res <- c.Get(ctx, "x", api.ReadLinearizable) }()
			waitFor(t, 5*time.Second, "the read reaches the barrier", func() error {
				if nl.fps.Hits(fault.PointReadIndexBeforeBarrier) == 0 {
					return fmt.Errorf("not yet")
				}
				return nil
			})
			arm(t, failing, fault.PointLogBeforeAppend, "off")
			r := <-res
			require.Equal(t, api.OK, r.Outcome, "%v", r.Err)
			assert.Equal(t, strp("2"), r.Value)
		})
	}
}

// bug-read-no-barrier: a new leader answers a linearizable read without
// having committed an entry in its term.
func TestBugReadNoBarrier(t *testing.T) {
	for _, planted := range []bool{false, true} {
		t.Run(fmt.Sprintf("planted=%v", planted), func(t *testing.T) {
			nd := startNodes(t, 1)[0]
			require.Zero(t, nd.barrierTerm.Load(), "no read yet in this term")
			arm(t, nd, fault.PointReadIndexBeforeBarrier, "error(barrier would block)")
			if planted {
				arm(t, nd, bugs.ReadNoBarrier, "on")
			}
			r := api.NewClient(nd.HTTPAddr()).Get(context.Background(), "x", api.ReadLinearizable)
			if planted {
				assert.Equal(t, api.OK, r.Outcome, "%v", r.Err)
				assert.Zero(t, nd.barrierTerm.Load(), "answered without the term's barrier")
			} else {
				assert.NotEqual(t, api.OK, r.Outcome)
			}
		})
	}
}

// The failpoints themselves: the endpoint, the flag's validation, and what
// error does at the apply and snapshot points.
func TestFailpointsEndpointAndPoints(t *testing.T) {
	_, err := Start(Config{ID: "x", HTTPAddr: "127.0.0.1:0", RaftAddr: "127.0.0.1:0", DataDir: t.TempDir(), RaftDir: t.TempDir(),
		Failpoints: "no-such-point=panic"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no-such-point")

	nd := startNodes(t, 1)[0]
	ctx := context.Background()
	c := api.NewClient(nd.HTTPAddr())
	resp, err := http.Get("http://" + nd.HTTPAddr() + "/failpoints")
	require.NoError(t, err)
	var list []failpoint.State
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&list))
	resp.Body.Close()
	assert.Len(t, list, len(failpoint.NodePoints)+len(bugs.All))
	code, _ := doReq(t, "PUT", "http://"+nd.HTTPAddr()+"/failpoints/"+fault.PointApplyBeforeAnswer, "error(lost answer)")
	require.Equal(t, 200, code)
	r := c.Set(ctx, "k", "v")
	assert.Equal(t, api.Unknown, r.Outcome, "committed, but the client hears unknown")
	v, err := nd.fsm.Get("k")
	require.NoError(t, err)
	assert.Equal(t, strp("v"), v)
	code, _ = doReq(t, "DELETE", "http://"+nd.HTTPAddr()+"/failpoints/"+fault.PointApplyBeforeAnswer, "")
	require.Equal(t, 200, code)

	arm(t, nd, fault.PointSnapshotPersist, "error(disk full)")
	assert.Error(t, nd.Raft().Snapshot().Error())
	assert.Zero(t, nd.Status().SnapshotsTaken)
	arm(t, nd, fault.PointSnapshotPersist, "off")
	require.NoError(t, nd.Raft().Snapshot().Error())
	assert.Equal(t, uint64(1), nd.Status().SnapshotsTaken)

	var mu sync.Mutex
	var crashed []string
	nd.fps.SetCrash(func(name string) { mu.Lock(); crashed = append(crashed, name); mu.Unlock() })
	arm(t, nd, fault.PointReadIndexBeforeWait, "panic")
	_ = c.Get(ctx, "k", api.ReadLinearizable)
	mu.Lock()
	assert.Equal(t, []string{fault.PointReadIndexBeforeWait}, crashed)
	mu.Unlock()
}

// snapshot-before-restore with a counted error: the first install fails, the
// leader sends the snapshot again, and the second one is restored.
func TestSnapshotRestoreFailpointIsRetried(t *testing.T) {
	if testing.Short() {
		t.Skip("three-node cluster")
	}
	follower, _ := snapshotInstall(t, fault.PointSnapshotBeforeRestore+"=1*error(disk)")
	assert.Equal(t, uint64(1), follower.fps.Hits(fault.PointSnapshotBeforeRestore))
	assert.Equal(t, uint64(1), follower.Status().SnapshotsInstalled, "the failed install is not counted")
}

// bug-restart-replays-old: a follower restarted cut off from its peers (so
// raft cannot replay anything yet) answers stale reads from its newest
// snapshot's older state, on the same incarnation: its reads go back. Without
// the bug it answers from the state it had. Healed, it catches up either way.
func TestBugRestartReplaysOld(t *testing.T) {
	if testing.Short() {
		t.Skip("three-node cluster")
	}
	for _, planted := range []bool{false, true} {
		t.Run(fmt.Sprintf("planted=%v", planted), func(t *testing.T) {
			nodes := startNodes(t, 3)
			leader := leaderOf(t, nodes)
			var f *Node
			for _, nd := range nodes {
				if nd != leader {
					f = nd
					break
				}
			}
			ctx := context.Background()
			lc, fc := api.NewClient(leader.HTTPAddr()), api.NewClient(f.HTTPAddr())
			applied := func(idx int64) func() error {
				return func() error {
					if got := f.fsm.Applied(); got < uint64(idx) {
						return fmt.Errorf("follower applied %d < %d", got, idx)
					}
					return nil
				}
			}
			old := lc.Set(ctx, "k", "old")
			require.Equal(t, api.OK, old.Outcome, "%v", old.Err)
			waitFor(t, 5*time.Second, "follower applies old", applied(old.Index))
			require.NoError(t, f.Raft().Snapshot().Error(), "the follower's snapshot holds k=old")
			cur := lc.Set(ctx, "k", "new")
			require.Equal(t, api.OK, cur.Outcome, "%v", cur.Err)
			waitFor(t, 5*time.Second, "follower applies new", applied(cur.Index))
			before := fc.Get(ctx, "k", api.ReadStale)
			require.Equal(t, api.OK, before.Outcome, "%v", before.Err)
			require.Equal(t, strp("new"), before.Value)
			require.NoError(t, f.Close())

			ct := &cuttable{cut: true}
			again := restart(t, f, func(c *Config) {
				c.wrapStream = ct.wrap
				if planted {
					c.Failpoints = bugs.RestartReplaysOld + "=on"
				}
			})
			ac := api.NewClient(again.HTTPAddr())
			after := ac.Get(ctx, "k", api.ReadStale)
			require.Equal(t, api.OK, after.Outcome, "%v", after.Err)
			assert.Equal(t, before.Incarnation, after.Incarnation, "same data directory: same incarnation")
			if planted {
				assert.Equal(t, strp("old"), after.Value, "the restarted node serves its snapshot's older state")
				assert.Less(t, after.Index, before.Index, "its reads went back in the write order")
			} else {
				assert.Equal(t, strp("new"), after.Value)
				assert.GreaterOrEqual(t, after.Index, before.Index, "monotonic across the restart")
			}

			ct.setCut(false)
			waitFor(t, 15*time.Second, "the healed node catches up", func() error {
				r := ac.Get(ctx, "k", api.ReadStale)
				if r.Value == nil || *r.Value != "new" || r.Index < cur.Index {
					return fmt.Errorf("read %v at %d", r.Value, r.Index)
				}
				return nil
			})
		})
	}
}

// bug-install-serves-empty: while an installed snapshot loads, a read sees
// the data cleared at the old applied index; without the bug no read gets in
// between the drop and the load (TestRestoreKeepsReadsOut).
func TestBugInstallServesEmpty(t *testing.T) {
	src := openTestFSM(t, t.TempDir())
	defer src.Close()
	src.ApplyBatch([]*raft.Log{cmdLog(1, command{Op: opSet, Pairs: map[string]string{"k": "v2"}})})
	snap, err := src.Snapshot()
	require.NoError(t, err)
	var sink memSink
	require.NoError(t, snap.Persist(&sink))
	snap.Release()

	f := openTestFSM(t, t.TempDir())
	defer f.Close()
	f.fps = failpoint.New(points())
	require.NoError(t, f.fps.Arm(bugs.InstallServesEmpty, failpoint.Term{Kind: failpoint.On}))
	f.ApplyBatch([]*raft.Log{cmdLog(1, command{Op: opSet, Pairs: map[string]string{"k": "v1"}})})
	_, was, err := f.GetAt("k")
	require.NoError(t, err)

	var during []string
	f.afterDrop = func() {
		if !f.stateMu.TryRLock() {
			during = append(during, "reads kept out")
			return
		}
		f.stateMu.RUnlock()
		v, idx, err := f.GetAt("k")
		require.NoError(t, err)
		during = append(during, fmt.Sprintf("read %v at %d", v, idx))
	}
	require.NoError(t, f.Restore(io.NopCloser(bytes.NewReader(sink.Bytes()))))
	assert.Equal(t, []string{fmt.Sprintf("read <nil> at %d", was), "reads kept out"}, during,
		"the planted bug serves an empty state at the old index, then the real restore keeps reads out")
	assert.Equal(t, strp("v2"), mustGet(t, f, "k"))
}
