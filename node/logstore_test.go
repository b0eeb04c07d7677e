package node

import (
	"log/slog"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func openTestLogStore(t *testing.T, dir string) *LogStore {
	t.Helper()
	s, err := OpenLogStore(dir, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	return s
}

func mkLog(i uint64, rng *rand.Rand) *raft.Log {
	l := &raft.Log{Index: i, Term: 1 + i/10, Type: raft.LogType(rng.IntN(6))}
	if rng.IntN(4) > 0 {
		l.Data = []byte{byte(i), byte(rng.IntN(256))}
	}
	if rng.IntN(3) == 0 {
		l.Extensions = []byte("ext")
	}
	if rng.IntN(2) == 0 {
		l.AppendedAt = time.Unix(1700000000+int64(i), int64(rng.IntN(1e9))).UTC()
	}
	return l
}

func assertSameLog(t *testing.T, want, got *raft.Log) {
	t.Helper()
	assert.Equal(t, want.Index, got.Index)
	assert.Equal(t, want.Term, got.Term)
	assert.Equal(t, want.Type, got.Type)
	assert.Equal(t, want.Data, got.Data)
	assert.Equal(t, want.Extensions, got.Extensions)
	assert.True(t, want.AppendedAt.Equal(got.AppendedAt), "appended at %v vs %v", want.AppendedAt, got.AppendedAt)
}

// compareStores checks every index 0..maxIdx+1 against raft's InmemStore
// and the range against the set of indexes actually present.
func compareStores(t *testing.T, ref *raft.InmemStore, s *LogStore, present map[uint64]bool, maxIdx uint64) {
	t.Helper()
	for i := uint64(0); i <= maxIdx+1; i++ {
		var want, got raft.Log
		werr := ref.GetLog(i, &want)
		gerr := s.GetLog(i, &got)
		if werr != nil {
			require.Equal(t, raft.ErrLogNotFound, gerr, "index %d", i) // raft compares with ==
			continue
		}
		require.NoError(t, gerr, "index %d", i)
		assertSameLog(t, &want, &got)
	}
	var lo, hi uint64
	for i := range present {
		if lo == 0 || i < lo {
			lo = i
		}
		hi = max(hi, i)
	}
	first, err := s.FirstIndex()
	require.NoError(t, err)
	last, err := s.LastIndex()
	require.NoError(t, err)
	assert.Equal(t, lo, first, "first index")
	assert.Equal(t, hi, last, "last index")
}

func TestLogStoreMatchesInmemStore(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		dir := t.TempDir()
		s := openTestLogStore(t, dir)
		ref := raft.NewInmemStore()
		present := map[uint64]bool{}
		next := uint64(1)
		var maxIdx uint64
		for step := 0; step < 40; step++ {
			switch op := rng.IntN(10); {
			case op < 5: // append a batch, as raft does
				n := 1 + rng.IntN(8)
				var batch []*raft.Log
				for j := 0; j < n; j++ {
					batch = append(batch, mkLog(next, rng))
					present[next] = true
					next++
				}
				require.NoError(t, ref.StoreLogs(batch))
				require.NoError(t, s.StoreLogs(batch))
			case op < 6: // a gap: skip some indexes
				next += uint64(1 + rng.IntN(5))
			case op < 8: // compaction of a prefix, or truncation of a suffix
				if next <= 1 {
					continue
				}
				lo, hi := uint64(1), uint64(1+rng.IntN(int(next)))
				if rng.IntN(2) == 0 {
					lo, hi = uint64(1+rng.IntN(int(next))), next+3
				}
				require.NoError(t, ref.DeleteRange(lo, hi))
				require.NoError(t, s.DeleteRange(lo, hi))
				for i := lo; i <= hi; i++ {
					delete(present, i)
				}
			case op < 9: // overwrite an existing index (conflicting entry)
				if len(present) == 0 {
					continue
				}
				i := next - 1
				if !present[i] {
					continue
				}
				l := mkLog(i, rng)
				require.NoError(t, ref.StoreLog(l))
				require.NoError(t, s.StoreLog(l))
			default: // restart
				require.NoError(t, s.Close())
				s = openTestLogStore(t, dir)
			}
			maxIdx = max(maxIdx, next)
			compareStores(t, ref, s, present, maxIdx)
		}
		require.NoError(t, s.Close())
	}
}

func TestLogStoreDeleteEverythingAndEmpty(t *testing.T) {
	s := openTestLogStore(t, t.TempDir())
	defer s.Close()
	first, _ := s.FirstIndex()
	last, _ := s.LastIndex()
	assert.Zero(t, first)
	assert.Zero(t, last)
	var l raft.Log
	assert.Equal(t, raft.ErrLogNotFound, s.GetLog(1, &l))

	rng := rand.New(rand.NewPCG(1, 1))
	require.NoError(t, s.StoreLogs([]*raft.Log{mkLog(5, rng), mkLog(6, rng)}))
	require.NoError(t, s.DeleteRange(0, 1<<62)) // a huge range over a small log is cheap
	first, _ = s.FirstIndex()
	last, _ = s.LastIndex()
	assert.Zero(t, first)
	assert.Zero(t, last)
	require.NoError(t, s.DeleteRange(10, 3), "an empty range is a no-op")
}

func TestStableStoreContract(t *testing.T) {
	dir := t.TempDir()
	s := openTestLogStore(t, dir)
	ref := raft.NewInmemStore()

	// Missing keys: raft accepts (nil, "not found") from Get and (0, nil) from GetUint64.
	for _, st := range []raft.StableStore{ref, s} {
		v, err := st.Get([]byte("CurrentTerm"))
		require.Error(t, err)
		assert.Equal(t, "not found", err.Error())
		assert.Nil(t, v)
		u, err := st.GetUint64([]byte("CurrentTerm"))
		require.NoError(t, err)
		assert.Zero(t, u)
	}

	require.NoError(t, s.Set([]byte("LastVoteCand"), []byte("n2")))
	require.NoError(t, s.SetUint64([]byte("CurrentTerm"), 42))
	require.NoError(t, s.SetUint64([]byte("CurrentTerm"), 43))
	require.NoError(t, s.Close())

	s = openTestLogStore(t, dir)
	defer s.Close()
	v, err := s.Get([]byte("LastVoteCand"))
	require.NoError(t, err)
	assert.Equal(t, []byte("n2"), v)
	u, err := s.GetUint64([]byte("CurrentTerm"))
	require.NoError(t, err)
	assert.Equal(t, uint64(43), u)
	// Byte and integer keys live apart, as in InmemStore.
	_, err = s.Get([]byte("CurrentTerm"))
	assert.Equal(t, "not found", err.Error())
}

func TestStoreLogsIsAtomicOnFailure(t *testing.T) {
	s := openTestLogStore(t, t.TempDir())
	rng := rand.New(rand.NewPCG(3, 3))
	require.NoError(t, s.StoreLogs([]*raft.Log{mkLog(1, rng)}))
	require.NoError(t, s.Close())
	// A closed store must refuse, not half-write.
	err := s.StoreLogs([]*raft.Log{mkLog(2, rng), mkLog(3, rng)})
	require.Error(t, err)
}

func TestDecodeLogRejectsCorruption(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	b := encodeLog(mkLog(7, rng))
	for cut := 0; cut < len(b)-1; cut++ {
		var l raft.Log
		assert.Error(t, decodeLog(b[:cut], &l), "truncated at %d", cut)
	}
}
