package node

import (
	"bytes"
	"io"
	"log/slog"
	"testing"

	"github.com/hashicorp/raft"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func openTestFSM(t *testing.T, dir string) *FSM {
	t.Helper()
	f, err := OpenFSM(dir, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	return f
}

func cmdLog(i uint64, c command) *raft.Log {
	return &raft.Log{Index: i, Term: 1, Type: raft.LogCommand, Data: encodeCommand(c)}
}

func mustGet(t *testing.T, f *FSM, k string) *string {
	t.Helper()
	v, err := f.Get(k)
	require.NoError(t, err)
	return v
}

func strp(s string) *string { return &s }

func TestFSMApplyEveryCommand(t *testing.T) {
	f := openTestFSM(t, t.TempDir())
	defer f.Close()
	out := f.ApplyBatch([]*raft.Log{
		cmdLog(1, command{Op: opSet, Pairs: map[string]string{"a": "1", "b": "2"}}),
		cmdLog(2, command{Op: opCAS, Key: "a", Expect: "1", Value: "10"}),
		cmdLog(3, command{Op: opCAS, Key: "a", Expect: "1", Value: "11"}),
		cmdLog(4, command{Op: opCAS, Key: "zz", Expect: "", Value: "x"}),
		cmdLog(5, command{Op: opDelete, Key: "b"}),
		cmdLog(6, command{Op: opDelete, Key: "never"}),
		{Index: 7, Term: 1, Type: raft.LogConfiguration},
		cmdLog(8, command{Op: opSetMember, ID: "n1", HTTP: "10.0.0.1:8080"}),
		{Index: 9, Term: 1, Type: raft.LogCommand, Data: []byte("{garbage")},
	})
	require.Len(t, out, 9)
	assert.Nil(t, out[0])
	assert.Equal(t, casResult{Swapped: true}, out[1], "cas sees the set from the same batch")
	assert.Equal(t, casResult{Current: strp("10")}, out[2])
	assert.Equal(t, casResult{}, out[3], "cas on an absent key fails, even expecting the empty string")
	assert.Error(t, out[8].(error), "an undecodable entry answers an error and changes nothing")

	assert.Equal(t, strp("10"), mustGet(t, f, "a"))
	assert.Nil(t, mustGet(t, f, "b"))
	assert.Nil(t, mustGet(t, f, "zz"))
	m, err := f.Members()
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"n1": "10.0.0.1:8080"}, m)
	assert.Equal(t, uint64(9), f.Applied())
}

// A restart hands the FSM entries it already applied (raft's applied index is
// not durable). Re-applying a cas chain would change the outcome; skipping by
// the durable applied index keeps it exact.
func TestFSMNoDoubleApplyAfterRestart(t *testing.T) {
	dir := t.TempDir()
	f := openTestFSM(t, dir)
	chain := []*raft.Log{cmdLog(1, command{Op: opSet, Pairs: map[string]string{"c": "0"}})}
	for i := 0; i < 5; i++ {
		chain = append(chain, cmdLog(uint64(i+2), command{Op: opCAS, Key: "c", Expect: string(rune('0' + i)), Value: string(rune('1' + i))}))
	}
	// And an "append" that is not idempotent either: set depends on nothing, but a
	// second pass of the chain would fail every cas and report mismatches.
	out := f.ApplyBatch(chain)
	for i := 1; i < len(out); i++ {
		assert.Equal(t, casResult{Swapped: true}, out[i])
	}
	require.NoError(t, f.Close())

	f = openTestFSM(t, dir)
	defer f.Close()
	assert.Equal(t, uint64(6), f.Applied())
	again := f.ApplyBatch(chain)
	for _, r := range again {
		assert.Nil(t, r, "replayed entries are skipped")
	}
	assert.Equal(t, strp("5"), mustGet(t, f, "c"))
	// A partially replayed batch applies only the new tail.
	tail := append(chain[3:], cmdLog(7, command{Op: opCAS, Key: "c", Expect: "5", Value: "6"}))
	out = f.ApplyBatch(tail)
	assert.Equal(t, casResult{Swapped: true}, out[len(out)-1])
	assert.Equal(t, strp("6"), mustGet(t, f, "c"))
}

type memSink struct {
	bytes.Buffer
	cancelled bool
}

func (s *memSink) ID() string    { return "mem" }
func (s *memSink) Cancel() error { s.cancelled = true; return nil }
func (s *memSink) Close() error  { return nil }

func TestFSMSnapshotIsPointInTimeAndRestoreDiscards(t *testing.T) {
	f := openTestFSM(t, t.TempDir())
	defer f.Close()
	f.ApplyBatch([]*raft.Log{cmdLog(1, command{Op: opSet, Pairs: map[string]string{"x": "1", "y": "1"}})})
	snap, err := f.Snapshot()
	require.NoError(t, err)
	// Writes after Snapshot() but before Persist must not leak into it.
	f.ApplyBatch([]*raft.Log{
		cmdLog(2, command{Op: opSet, Pairs: map[string]string{"x": "2", "later": "yes"}}),
		cmdLog(3, command{Op: opDelete, Key: "y"}),
	})
	sink := &memSink{}
	require.NoError(t, snap.Persist(sink))
	snap.Release()
	require.False(t, sink.cancelled)

	applied, err := snapshotApplied(bytes.NewReader(sink.Bytes()))
	require.NoError(t, err)
	assert.Equal(t, uint64(1), applied)

	g := openTestFSM(t, t.TempDir())
	defer g.Close()
	g.ApplyBatch([]*raft.Log{cmdLog(1, command{Op: opSet, Pairs: map[string]string{"stale": "old"}})})
	require.NoError(t, g.Restore(io.NopCloser(bytes.NewReader(sink.Bytes()))))
	assert.Equal(t, strp("1"), mustGet(t, g, "x"))
	assert.Equal(t, strp("1"), mustGet(t, g, "y"))
	assert.Nil(t, mustGet(t, g, "later"))
	assert.Nil(t, mustGet(t, g, "stale"), "restore discards previous state")
	assert.Equal(t, uint64(1), g.Applied())
}

func TestFSMRestoreRejectsTruncatedSnapshot(t *testing.T) {
	f := openTestFSM(t, t.TempDir())
	defer f.Close()
	f.ApplyBatch([]*raft.Log{cmdLog(1, command{Op: opSet, Pairs: map[string]string{"x": "1"}})})
	snap, err := f.Snapshot()
	require.NoError(t, err)
	sink := &memSink{}
	require.NoError(t, snap.Persist(sink))
	snap.Release()
	b := sink.Bytes()
	err = f.Restore(io.NopCloser(bytes.NewReader(b[:len(b)-1])))
	require.Error(t, err)
}

// A restore keeps reads out between dropping the old state and loading the
// new one: no read sees a half-restored state machine (the stale contract).
func TestRestoreKeepsReadsOut(t *testing.T) {
	f := openTestFSM(t, t.TempDir())
	defer f.Close()
	f.ApplyBatch([]*raft.Log{cmdLog(1, command{Op: opSet, Pairs: map[string]string{"k": "v1"}})})
	snap, err := f.Snapshot()
	require.NoError(t, err)
	var sink memSink
	require.NoError(t, snap.Persist(&sink))
	snap.Release()
	held := false
	f.afterDrop = func() {
		held = !f.stateMu.TryRLock()
		if !held {
			f.stateMu.RUnlock()
		}
	}
	require.NoError(t, f.Restore(io.NopCloser(bytes.NewReader(sink.Bytes()))))
	assert.True(t, held, "reads are kept out while the state is dropped and reloaded")
	v, idx, err := f.GetAt("k")
	require.NoError(t, err)
	assert.Equal(t, strp("v1"), v)
	assert.Equal(t, uint64(1), idx)
}
