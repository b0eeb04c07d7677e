package node

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	badger "github.com/dgraph-io/badger/v2"
	"github.com/hashicorp/raft"
	"github.com/raftlab/raftlab/fault"
)

// LogStore is hashicorp/raft's log store and stable store on one BadgerDB.
//
// Contracts raft relies on, and how they are met:
//   - GetLog of a missing index returns exactly raft.ErrLogNotFound (raft compares with ==).
//   - StoreLogs is atomic (one Badger transaction) and durable (SyncWrites).
//   - Every field of raft.Log is kept, AppendedAt included.
//   - FirstIndex/LastIndex are the lowest and highest index present (0, 0 when
//     empty), like raft-boltdb's cursor-based answers.
//   - Stable Get of a missing key returns an error whose text is "not found",
//     and GetUint64 of a missing key returns 0 and no error, as raft.InmemStore does.
type LogStore struct {
	db *badger.DB
	fp

	// first and last cache the index range so raft's frequent FirstIndex and
	// LastIndex calls do not iterate over Badger (whose iterators also walk
	// tombstones until compaction).
	mu          sync.RWMutex
	first, last uint64
}

var (
	prefixLog    = []byte("l/")
	prefixStable = []byte("s/")
)

// errStableNotFound carries the exact text raft's stable-store callers check for.
var errStableNotFound = errors.New("not found")

var (
	_ raft.LogStore    = (*LogStore)(nil)
	_ raft.StableStore = (*LogStore)(nil)
)

// OpenLogStore opens (or creates) the raft log and stable store in dir.
func OpenLogStore(dir string, logger *slog.Logger) (*LogStore, error) {
	db, err := openBadger(dir, true, logger)
	if err != nil {
		return nil, err
	}
	s := &LogStore{db: db}
	if err := s.loadRange(); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database.
func (s *LogStore) Close() error { return s.db.Close() }

func logKey(index uint64) []byte {
	k := make([]byte, len(prefixLog)+8)
	copy(k, prefixLog)
	binary.BigEndian.PutUint64(k[len(prefixLog):], index)
	return k
}

func stableKey(k []byte) []byte { return append(append([]byte{}, prefixStable...), k...) }

// loadRange finds the lowest and highest stored index.
func (s *LogStore) loadRange() error {
	first, last, err := s.scanRange()
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.first, s.last = first, last
	s.mu.Unlock()
	return nil
}

func (s *LogStore) scanRange() (first, last uint64, err error) {
	err = s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.PrefetchValues = false
		opts.Prefix = prefixLog
		it := txn.NewIterator(opts)
		it.Seek(prefixLog)
		if it.ValidForPrefix(prefixLog) {
			first = binary.BigEndian.Uint64(it.Item().Key()[len(prefixLog):])
		}
		it.Close()

		opts.Reverse = true
		rit := txn.NewIterator(opts)
		defer rit.Close()
		// In reverse mode Seek finds the largest key <= the seek key.
		rit.Seek(append(append([]byte{}, prefixLog...), bytes.Repeat([]byte{0xff}, 8)...))
		if rit.ValidForPrefix(prefixLog) {
			last = binary.BigEndian.Uint64(rit.Item().Key()[len(prefixLog):])
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("scan log range: %w", err)
	}
	return first, last, nil
}

// FirstIndex returns the lowest index stored, 0 when the log is empty.
func (s *LogStore) FirstIndex() (uint64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.first, nil
}

// LastIndex returns the highest index stored, 0 when the log is empty.
func (s *LogStore) LastIndex() (uint64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.last, nil
}

// GetLog fills log with the entry at index, or returns raft.ErrLogNotFound.
func (s *LogStore) GetLog(index uint64, log *raft.Log) error {
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(logKey(index))
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) error { return decodeLog(v, log) })
	})
	if errors.Is(err, badger.ErrKeyNotFound) {
		return raft.ErrLogNotFound
	}
	if err != nil {
		return fmt.Errorf("get log %d: %w", index, err)
	}
	return nil
}

// StoreLog stores one entry.
func (s *LogStore) StoreLog(log *raft.Log) error { return s.StoreLogs([]*raft.Log{log}) }

// StoreLogs stores entries atomically: all of them or none.
func (s *LogStore) StoreLogs(logs []*raft.Log) error {
	if len(logs) == 0 {
		return nil
	}
	if err := s.fail(fault.PointLogBeforeAppend); err != nil {
		return fmt.Errorf("store logs %d-%d: %w", logs[0].Index, logs[len(logs)-1].Index, err)
	}
	txn := s.db.NewTransaction(true)
	defer txn.Discard()
	lo, hi := logs[0].Index, logs[0].Index
	for _, l := range logs {
		if err := txn.Set(logKey(l.Index), encodeLog(l)); err != nil {
			// ErrTxnTooBig included: splitting would break atomicity, so fail
			// loudly instead; raft batches are far below Badger's limit.
			return fmt.Errorf("store log %d: %w", l.Index, err)
		}
		lo, hi = min(lo, l.Index), max(hi, l.Index)
	}
	// Hold the range lock across commit so a concurrent FirstIndex never sees
	// the range before the entries are readable.
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := txn.Commit(); err != nil {
		return fmt.Errorf("commit %d logs: %w", len(logs), err)
	}
	if s.first == 0 || lo < s.first {
		s.first = lo
	}
	if hi > s.last {
		s.last = hi
	}
	return nil
}

// DeleteRange deletes entries min..max inclusive. Only keys that exist are
// visited, so a huge range over a sparse log is cheap. A range too large for
// one transaction is deleted in several; raft only needs the deletion done
// when the call returns, and a crash midway leaves a suffix or prefix that
// raft deletes again.
func (s *LogStore) DeleteRange(minIdx, maxIdx uint64) error {
	if minIdx > maxIdx {
		return nil
	}
	keys, err := s.keysIn(minIdx, maxIdx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	txn := s.db.NewTransaction(true)
	for _, k := range keys {
		if err := txn.Delete(k); errors.Is(err, badger.ErrTxnTooBig) {
			if err := txn.Commit(); err != nil {
				return fmt.Errorf("delete range %d-%d: %w", minIdx, maxIdx, err)
			}
			txn = s.db.NewTransaction(true)
			if err := txn.Delete(k); err != nil {
				txn.Discard()
				return fmt.Errorf("delete range %d-%d: %w", minIdx, maxIdx, err)
			}
		} else if err != nil {
			txn.Discard()
			return fmt.Errorf("delete range %d-%d: %w", minIdx, maxIdx, err)
		}
	}
	if err := txn.Commit(); err != nil {
		return fmt.Errorf("delete range %d-%d: %w", minIdx, maxIdx, err)
	}
	first, last, err := s.scanRange()
	if err != nil {
		return err
	}
	s.first, s.last = first, last
	return nil
}

func (s *LogStore) keysIn(minIdx, maxIdx uint64) ([][]byte, error) {
	var keys [][]byte
	err := s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.PrefetchValues = false
		opts.Prefix = prefixLog
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Seek(logKey(minIdx)); it.ValidForPrefix(prefixLog); it.Next() {
			k := it.Item().KeyCopy(nil)
			if binary.BigEndian.Uint64(k[len(prefixLog):]) > maxIdx {
				break
			}
			keys = append(keys, k)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list logs %d-%d: %w", minIdx, maxIdx, err)
	}
	return keys, nil
}

// Set stores a stable value.
func (s *LogStore) Set(key, val []byte) error {
	err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(stableKey(key), val) })
	if err != nil {
		return fmt.Errorf("stable set %q: %w", key, err)
	}
	return nil
}

// Get returns a stable value, or an error reading "not found".
func (s *LogStore) Get(key []byte) ([]byte, error) {
	var val []byte
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(stableKey(key))
		if err != nil {
			return err
		}
		val, err = item.ValueCopy(nil)
		return err
	})
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, errStableNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("stable get %q: %w", key, err)
	}
	return val, nil
}

// SetUint64 stores a stable integer.
func (s *LogStore) SetUint64(key []byte, val uint64) error {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], val)
	return s.Set(append([]byte("u64:"), key...), b[:])
}

// GetUint64 returns a stable integer, 0 when it was never set.
func (s *LogStore) GetUint64(key []byte) (uint64, error) {
	v, err := s.Get(append([]byte("u64:"), key...))
	if errors.Is(err, errStableNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("stable uint64 %q: corrupt value of %d bytes", key, len(v))
	}
	return binary.BigEndian.Uint64(v), nil
}

// encodeLog writes every raft.Log field: index, term, type, appended-at,
// data and extensions (each length-prefixed so nil and empty round-trip as
// empty).
func encodeLog(l *raft.Log) []byte {
	ts, _ := l.AppendedAt.MarshalBinary() // only fails for absurd zone offsets
	buf := make([]byte, 0, 8+8+1+binary.MaxVarintLen64*3+len(ts)+len(l.Data)+len(l.Extensions))
	buf = binary.BigEndian.AppendUint64(buf, l.Index)
	buf = binary.BigEndian.AppendUint64(buf, l.Term)
	buf = append(buf, byte(l.Type))
	buf = binary.AppendUvarint(buf, uint64(len(ts)))
	buf = append(buf, ts...)
	buf = binary.AppendUvarint(buf, uint64(len(l.Data)))
	buf = append(buf, l.Data...)
	buf = binary.AppendUvarint(buf, uint64(len(l.Extensions)))
	buf = append(buf, l.Extensions...)
	return buf
}

var errCorruptLog = errors.New("corrupt log entry")

func decodeLog(b []byte, l *raft.Log) error {
	if len(b) < 17 {
		return errCorruptLog
	}
	l.Index = binary.BigEndian.Uint64(b[0:8])
	l.Term = binary.BigEndian.Uint64(b[8:16])
	l.Type = raft.LogType(b[16])
	b = b[17:]
	next := func() ([]byte, error) {
		n, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < n {
			return nil, errCorruptLog
		}
		out := b[k : k+int(n)]
		b = b[k+int(n):]
		return out, nil
	}
	ts, err := next()
	if err != nil {
		return err
	}
	l.AppendedAt = time.Time{}
	if err := l.AppendedAt.UnmarshalBinary(ts); err != nil {
		return fmt.Errorf("%w: appended-at: %v", errCorruptLog, err)
	}
	data, err := next()
	if err != nil {
		return err
	}
	ext, err := next()
	if err != nil {
		return err
	}
	// Copy out: Badger's value buffer is only valid inside the transaction.
	l.Data = cloneOrNil(data)
	l.Extensions = cloneOrNil(ext)
	return nil
}

func cloneOrNil(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}
