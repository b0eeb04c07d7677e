package node

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"

	badger "github.com/dgraph-io/badger/v2"
	"github.com/hashicorp/raft"

	"github.com/raftlab/raftlab/bugs"
	"github.com/raftlab/raftlab/fault"
)

// FSM is the replicated state machine: user keys and member records in
// BadgerDB, plus the index of the last applied raft entry.
//
// The applied index is written in the same Badger transaction as the data it
// covers. That is what makes restarts exact: raft may hand the FSM entries it
// already applied before a crash (raft's own applied index is not durable), and
// the FSM skips every entry at or below its durable applied index, so a chain of
// cas operations is never applied twice.
//
// The FSM's Badger does not fsync each batch: that would put a third fsync on
// every write's critical path (leader log, follower log, FSM). A SIGKILL
// loses nothing (written data is in the page cache); a power loss may lose a
// suffix of applied batches, data and applied index together, since they share
// transactions. Raft then re-applies those entries from its fsynced log, and
// if the lost suffix reaches below the newest snapshot (whose log entries may
// be compacted away), the node restores that snapshot on start
// (Node.catchUpFromSnapshot).
type FSM struct {
	db     *badger.DB
	logger *slog.Logger
	fp

	// Counters since the process started (GET /status).
	snapshotsTaken, snapshotsInstalled, restoresAtStart, rebuilds atomic.Uint64

	// stateMu keeps reads out of a restore: a reader never sees the old
	// state dropped and the new one half loaded (the stale contract: a
	// node's reads never go back). Apply needs no lock: each batch is one
	// Badger transaction.
	stateMu sync.RWMutex

	mu      sync.Mutex
	applied uint64
	// incarnation names this state machine (evidence.go): kept across
	// restarts, new when the data directory or the state machine is new.
	incarnation string

	// afterDrop, when set (tests), runs in a restore right after the old
	// state is dropped (planted.go).
	afterDrop func()
	// changed is closed and replaced whenever applied advances, so readers can
	// wait for an index without polling.
	changed chan struct{}
}

var (
	_ raft.BatchingFSM = (*FSM)(nil)

	prefixData   = []byte("d/")
	prefixMember = []byte("m/")
	keyApplied   = []byte("a/applied")
)

// OpenFSM opens the state machine's database in dir.
func OpenFSM(dir string, logger *slog.Logger) (*FSM, error) {
	db, err := openBadger(dir, false, logger)
	if err != nil {
		return nil, err
	}
	f := &FSM{db: db, logger: logger, changed: make(chan struct{})}
	if f.incarnation, err = loadIncarnation(dir); err != nil {
		_ = db.Close()
		return nil, err
	}
	err = db.View(func(txn *badger.Txn) error {
		var err error
		f.applied, err = readApplied(txn)
		return err
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("read applied index: %w", err)
	}
	return f, nil
}

// Close closes the database.
func (f *FSM) Close() error { return f.db.Close() }

func readApplied(txn *badger.Txn) (uint64, error) {
	item, err := txn.Get(keyApplied)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var idx uint64
	err = item.Value(func(v []byte) error {
		if len(v) != 8 {
			return fmt.Errorf("applied index: %d bytes", len(v))
		}
		idx = binary.BigEndian.Uint64(v)
		return nil
	})
	return idx, err
}

func appliedValue(idx uint64) []byte { return binary.BigEndian.AppendUint64(nil, idx) }

// Applied returns the index of the last entry applied (durably).
func (f *FSM) Applied() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.applied
}

// appliedChanged returns the current applied index and a channel closed when it next changes.
func (f *FSM) appliedChanged() (uint64, <-chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.applied, f.changed
}

func (f *FSM) setApplied(idx uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if idx > f.applied {
		f.applied = idx
		close(f.changed)
		f.changed = make(chan struct{})
	}
}

// Apply applies one entry.
func (f *FSM) Apply(l *raft.Log) interface{} { return f.ApplyBatch([]*raft.Log{l})[0] }

// ApplyBatch applies a batch of committed entries in one Badger transaction
// (one fsync for the batch). Entries at or below the durable applied index are
// skipped: they were applied before a restart.
func (f *FSM) ApplyBatch(logs []*raft.Log) []interface{} {
	out := make([]interface{}, len(logs))
	start := f.Applied()
	txn := f.db.NewTransaction(true)
	defer func() { txn.Discard() }()
	last := start
	for i, l := range logs {
		if l.Index <= start {
			continue
		}
		if l.Type == raft.LogCommand {
			resp, err := f.applyOne(txn, l)
			if errors.Is(err, badger.ErrTxnTooBig) {
				// Commit what we have (with its applied index) and go on in a
				// fresh transaction; each commit stays exact about what it covers.
				f.commit(txn, last)
				txn = f.db.NewTransaction(true)
				resp, err = f.applyOne(txn, l)
			}
			if err != nil {
				// A storage error in the state machine cannot be answered with
				// "not applied": the entry is committed. Stop the node instead of
				// silently diverging.
				panic(fmt.Sprintf("fsm: apply entry %d: %v", l.Index, err))
			}
			out[i] = resp
		}
		last = l.Index
	}
	if last > start {
		f.commit(txn, last)
	}
	return out
}

func (f *FSM) commit(txn *badger.Txn, last uint64) {
	if f.bug(bugs.AppliedIndexEarly) {
		// Planted bug (as etcd-io/etcd#13766, "Inconsistent revision caused by
		// crash during high load"): the applied index goes first, in a
		// transaction of its own; a crash before the data commits loses the
		// batch on this replica for good.
		if err := f.db.Update(func(t *badger.Txn) error { return t.Set(keyApplied, appliedValue(last)) }); err != nil {
			panic(fmt.Sprintf("fsm: set applied index %d: %v", last, err))
		}
	} else if err := txn.Set(keyApplied, appliedValue(last)); err != nil {
		panic(fmt.Sprintf("fsm: set applied index %d: %v", last, err))
	}
	if err := f.fail(fault.PointFSMBeforeCommit); err != nil {
		panic(fmt.Sprintf("fsm: commit through %d: %v", last, err))
	}
	if err := txn.Commit(); err != nil {
		panic(fmt.Sprintf("fsm: commit through %d: %v", last, err))
	}
	f.setApplied(last)
}

func dataKey(k string) []byte   { return append(append([]byte{}, prefixData...), k...) }
func memberKey(k string) []byte { return append(append([]byte{}, prefixMember...), k...) }

// applyOne applies one command inside txn. Commands that cannot be decoded
// are answered with an error value and change nothing (they can only come
// from a different program version).
func (f *FSM) applyOne(txn *badger.Txn, l *raft.Log) (interface{}, error) {
	c, err := decodeCommand(l.Data)
	if err != nil {
		f.logger.Error("skipping undecodable entry", "index", l.Index, "err", err)
		return err, nil
	}
	switch c.Op {
	case opSet:
		for k, v := range c.Pairs {
			if err := txn.Set(dataKey(k), []byte(v)); err != nil {
				return nil, err
			}
		}
		return nil, nil
	case opDelete:
		return nil, txn.Delete(dataKey(c.Key))
	case opCAS:
		cur, err := getIn(txn, dataKey(c.Key))
		if err != nil {
			return nil, err
		}
		if cur == nil || *cur != c.Expect {
			return casResult{Current: cur}, nil
		}
		return casResult{Swapped: true}, txn.Set(dataKey(c.Key), []byte(c.Value))
	case opSetMember:
		return nil, txn.Set(memberKey(c.ID), []byte(c.HTTP))
	case opRemoveMember:
		return nil, txn.Delete(memberKey(c.ID))
	default:
		err := fmt.Errorf("unknown op %q", c.Op)
		f.logger.Error("skipping entry", "index", l.Index, "err", err)
		return err, nil
	}
}

func getIn(txn *badger.Txn, key []byte) (*string, error) {
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	v, err := item.ValueCopy(nil)
	if err != nil {
		return nil, err
	}
	s := string(v)
	return &s, nil
}

// Get reads a key from the local state (nil when absent).
func (f *FSM) Get(key string) (*string, error) {
	v, _, err := f.GetAt(key)
	return v, err
}

// Members returns the recorded HTTP address of every member.
func (f *FSM) Members() (map[string]string, error) {
	out := map[string]string{}
	err := f.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = prefixMember
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Rewind(); it.ValidForPrefix(prefixMember); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			out[string(it.Item().Key()[len(prefixMember):])] = string(v)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read members: %w", err)
	}
	return out, nil
}

// Snapshot captures the state at this instant: a Badger read transaction is
// opened now (not in Persist, which raft runs later, concurrently with Apply).
func (f *FSM) Snapshot() (raft.FSMSnapshot, error) {
	return &fsmSnapshot{txn: f.db.NewTransaction(false), fsm: f}, nil
}

type fsmSnapshot struct {
	txn *badger.Txn
	fsm *FSM
}

// Persist writes every key and value of the captured view, applied index
// included, as length-prefixed pairs.
func (s *fsmSnapshot) Persist(sink raft.SnapshotSink) error {
	w := bufio.NewWriterSize(sink, 1<<16)
	err := func() error {
		it := s.txn.NewIterator(badger.DefaultIteratorOptions)
		defer it.Close()
		first := true
		for it.Rewind(); it.Valid(); it.Next() {
			if !first {
				// Mid-stream: a crash here leaves a partial snapshot behind.
				if err := s.fsm.fail(fault.PointSnapshotPersist); err != nil {
					return err
				}
			}
			first = false
			item := it.Item()
			if err := writeChunk(w, item.Key()); err != nil {
				return err
			}
			if err := item.Value(func(v []byte) error { return writeChunk(w, v) }); err != nil {
				return err
			}
		}
		return w.Flush()
	}()
	if err != nil {
		_ = sink.Cancel()
		return fmt.Errorf("persist snapshot: %w", err)
	}
	if err := sink.Close(); err != nil {
		return fmt.Errorf("persist snapshot: close: %w", err)
	}
	s.fsm.snapshotsTaken.Add(1)
	return nil
}

// Release ends the read transaction.
func (s *fsmSnapshot) Release() { s.txn.Discard() }

func writeChunk(w io.Writer, b []byte) error {
	var n [binary.MaxVarintLen64]byte
	if _, err := w.Write(n[:binary.PutUvarint(n[:], uint64(len(b)))]); err != nil {
		return err
	}
	_, err := w.Write(b)
	return err
}

func readChunk(r *bufio.Reader) ([]byte, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, err
	}
	if n > 64<<20 {
		return nil, fmt.Errorf("snapshot chunk of %d bytes", n)
	}
	b := make([]byte, n)
	_, err = io.ReadFull(r, b)
	return b, err
}

// Restore replaces all state with a snapshot's. Raft calls it only for a
// snapshot the leader sent (InstallSnapshot): the node sets
// NoSnapshotRestoreOnStart and restores local snapshots itself
// (restoreAtStart), which is how the two are counted apart.
func (f *FSM) Restore(rc io.ReadCloser) error {
	defer rc.Close()
	if err := f.fail(fault.PointSnapshotBeforeRestore); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if err := f.emptyBeforeInstall(); err != nil {
		return err
	}
	// Planted bug bugs.RestoreKeepsState (as openstack-experimental/keystone#1331):
	// the snapshot is written over the old state instead of replacing it.
	if err := f.restore(rc, !f.bug(bugs.RestoreKeepsState)); err != nil {
		return err
	}
	f.snapshotsInstalled.Add(1)
	return nil
}

// restoreAtStart restores a local snapshot before raft starts.
func (f *FSM) restoreAtStart(rc io.ReadCloser) error {
	defer rc.Close()
	if err := f.restore(rc, true); err != nil {
		return err
	}
	f.restoresAtStart.Add(1)
	return nil
}

// reset drops all state (the state machine is rebuilt from snapshot and log).
// The rebuilt state machine is a new incarnation: it starts again from an
// older point of the write order.
func (f *FSM) reset(dir string) error {
	if err := f.db.DropAll(); err != nil {
		return fmt.Errorf("drop state machine: %w", err)
	}
	inc, err := renewIncarnation(dir)
	if err != nil {
		return err
	}
	f.mu.Lock()
	f.applied = 0
	f.incarnation = inc
	f.mu.Unlock()
	f.rebuilds.Add(1)
	return nil
}

// restore replaces all state with the snapshot's (or, with drop false,
// writes it over the old state: the planted bug). The applied index is
// written last, so a crash in the middle of a restore leaves an FSM whose
// applied index is behind the snapshot, and the node restores again on start.
func (f *FSM) restore(rc io.Reader, drop bool) error {
	f.stateMu.Lock()
	defer f.stateMu.Unlock()
	if drop {
		if err := f.db.DropAll(); err != nil {
			return fmt.Errorf("restore: drop old state: %w", err)
		}
	}
	if f.afterDrop != nil {
		f.afterDrop()
	}
	// The old state is gone; until the new one is complete nothing is applied.
	f.mu.Lock()
	f.applied = 0
	f.mu.Unlock()
	r := bufio.NewReaderSize(rc, 1<<16)
	wb := f.db.NewWriteBatch()
	defer wb.Cancel()
	var applied []byte
	for {
		k, err := readChunk(r)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("restore: read key: %w", err)
		}
		v, err := readChunk(r)
		if err != nil {
			return fmt.Errorf("restore: read value: %w", err)
		}
		if string(k) == string(keyApplied) {
			applied = v
			continue
		}
		if err := wb.Set(k, v); err != nil {
			return fmt.Errorf("restore: write: %w", err)
		}
	}
	if err := wb.Flush(); err != nil {
		return fmt.Errorf("restore: flush: %w", err)
	}
	var idx uint64
	if len(applied) == 8 {
		idx = binary.BigEndian.Uint64(applied)
	}
	if err := f.db.Update(func(txn *badger.Txn) error { return txn.Set(keyApplied, appliedValue(idx)) }); err != nil {
		return fmt.Errorf("restore: applied index: %w", err)
	}
	f.mu.Lock()
	f.applied = idx
	close(f.changed)
	f.changed = make(chan struct{})
	f.mu.Unlock()
	return nil
}
