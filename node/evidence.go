package node

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	badger "github.com/dgraph-io/badger/v2"

	"github.com/raftlab/raftlab/api"
)

// Evidence of order (DESIGN.md, "The node", evidence headers): every answer
// of the key API says which state machine produced it (X-Raft-Incarnation),
// reads say the applied index they were served at and writes the log index
// they were applied at (X-Raft-Index). A checker uses them to place each
// answer in the write order, and to hold a node to "never go back" across
// its reads for as long as its state machine lives.

// incarnationFile holds the state machine's incarnation, in its data
// directory next to Badger's files: a wiped data directory loses it with the
// data, so the node that comes back is a new incarnation.
const incarnationFile = "INCARNATION"

// newIncarnationID is a random id: 16 hex digits.
func newIncarnationID() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("incarnation id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// loadIncarnation returns the incarnation recorded in dir, creating one when
// there is none (a new data directory, or one from before incarnations).
func loadIncarnation(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, incarnationFile))
	if err == nil {
		if id := strings.TrimSpace(string(b)); id != "" {
			return id, nil
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("read incarnation: %w", err)
	}
	return renewIncarnation(dir)
}

// renewIncarnation writes a new incarnation id to dir (temporary file,
// fsync, rename: a crash leaves the old id or the new one, never half).
func renewIncarnation(dir string) (string, error) {
	id, err := newIncarnationID()
	if err != nil {
		return "", err
	}
	tmp := filepath.Join(dir, incarnationFile+".tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return "", fmt.Errorf("write incarnation: %w", err)
	}
	_, werr := f.WriteString(id + "\n")
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		return "", fmt.Errorf("write incarnation: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, incarnationFile)); err != nil {
		return "", fmt.Errorf("write incarnation: %w", err)
	}
	return id, nil
}

// Incarnation returns the id of this state machine's incarnation.
func (f *FSM) Incarnation() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.incarnation
}

// GetAt reads a key (nil when absent) and the applied index the read saw, in
// one Badger read transaction: the applied index is written in the same
// transactions as the data it covers (fsm.go), so the pair is exact.
func (f *FSM) GetAt(key string) (*string, uint64, error) {
	f.stateMu.RLock()
	defer f.stateMu.RUnlock()
	var (
		v   *string
		idx uint64
	)
	err := f.db.View(func(txn *badger.Txn) error {
		var err error
		if v, err = getIn(txn, dataKey(key)); err != nil {
			return err
		}
		idx, err = readApplied(txn)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("read %q: %w", key, err)
	}
	return v, idx, nil
}

// setIncarnationHeader names the state machine on an answer. A forwarded
// answer replaces it with the leader's (forward.go).
func (n *Node) setIncarnationHeader(w http.ResponseWriter) {
	w.Header().Set(api.HeaderIncarnation, n.fsm.Incarnation())
}

// setIndexHeader puts an index on an answer (none when 0: unknown).
func setIndexHeader(w http.ResponseWriter, idx uint64) {
	if idx > 0 {
		w.Header().Set(api.HeaderIndex, strconv.FormatUint(idx, 10))
	}
}

// copyEvidence relays the leader's evidence headers on a forwarded answer:
// the leader's state machine produced it, so it is the leader's incarnation.
func copyEvidence(w http.ResponseWriter, from http.Header) {
	for _, h := range []string{api.HeaderIndex, api.HeaderIncarnation} {
		w.Header().Del(h)
		if v := from.Get(h); v != "" {
			w.Header().Set(h, v)
		}
	}
}
