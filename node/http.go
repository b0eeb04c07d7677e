package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/raftlab/raftlab/api"
	"github.com/raftlab/raftlab/fault"

	"github.com/hashicorp/raft"

	"github.com/raftlab/raftlab/bugs"
	"github.com/raftlab/raftlab/failpoint"
)

// headerForwarded marks a request a follower forwarded to the leader; a node
// receiving one never forwards it again (no forwarding loops during elections).
const headerForwarded = "X-Raftkv-Forwarded-By"

// Handler returns the node's HTTP API (DESIGN.md, "The node").
func (n *Node) Handler() http.Handler { return http.HandlerFunc(n.route) }

// route dispatches by path and method. A hand-written router, because every
// error, 404 and 405 included, must be JSON.
func (n *Node) route(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if path == "/key" || strings.HasPrefix(path, "/key/") || path == "/cas" {
		n.setIncarnationHeader(w) // every key API answer names its state machine
	}
	switch {
	case path == "/key" || path == "/key/":
		n.methods(w, r, map[string]http.HandlerFunc{http.MethodPost: n.handleSet})
	case strings.HasPrefix(path, "/key/"):
		n.methods(w, r, map[string]http.HandlerFunc{
			http.MethodGet:    n.handleGet,
			http.MethodDelete: n.handleDelete,
		})
	case path == "/cas":
		n.methods(w, r, map[string]http.HandlerFunc{http.MethodPost: n.handleCAS})
	case path == "/status":
		n.methods(w, r, map[string]http.HandlerFunc{http.MethodGet: n.handleStatus})
	case path == "/health":
		n.methods(w, r, map[string]http.HandlerFunc{http.MethodGet: n.handleHealth})
	case path == "/ready":
		n.methods(w, r, map[string]http.HandlerFunc{http.MethodGet: n.handleReady})
	case path == "/join":
		n.methods(w, r, map[string]http.HandlerFunc{http.MethodPost: n.handleJoin})
	case path == "/leader/transfer":
		n.methods(w, r, map[string]http.HandlerFunc{http.MethodPost: n.handleTransfer})
	case strings.HasPrefix(path, "/members/"):
		n.methods(w, r, map[string]http.HandlerFunc{http.MethodDelete: n.handleRemove})
	case failpoint.Enabled && (path == "/failpoints" || strings.HasPrefix(path, "/failpoints/")):
		// Only in the failpoint build; elsewhere this case is compiled away.
		n.failpointHandler().ServeHTTP(w, r)
	default:
		writeJSON(w, http.StatusNotFound, errorBody{Error: fmt.Sprintf("no such endpoint: %s", path)})
	}
}

func (n *Node) methods(w http.ResponseWriter, r *http.Request, hs map[string]http.HandlerFunc) {
	if h, ok := hs[r.Method]; ok {
		h(w, r)
		return
	}
	allowed := make([]string, 0, len(hs))
	for m := range hs {
		allowed = append(allowed, m)
	}
	w.Header().Set("Allow", strings.Join(allowed, ", "))
	writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: fmt.Sprintf("method %s not allowed on %s", r.Method, r.URL.Path)})
}

type errorBody struct {
	Error   string   `json:"error"`
	Applied *Applied `json:"applied,omitempty"`
	// Current is the value a cas found (409 only); null when absent.
	Current *string `json:"current,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, e *Error) {
	body := errorBody{Error: e.Error()}
	if e.Status >= 500 {
		a := e.Applied
		body.Applied = &a
	}
	writeJSON(w, e.Status, body)
}

// readBody reads a body of at most MaxBodyBytes; beyond that it is a 413.
func (n *Node) readBody(w http.ResponseWriter, r *http.Request) ([]byte, *Error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, n.cfg.MaxBodyBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, &Error{Status: http.StatusRequestEntityTooLarge, Err: fmt.Errorf("body exceeds %d bytes", n.cfg.MaxBodyBytes)}
	}
	if err != nil {
		return nil, badRequest(fmt.Errorf("read body: %w", err))
	}
	return body, nil
}

// leaderOrForward returns true when this node should serve the request
// itself (it leads). Otherwise it forwards the request to the leader and
// writes the leader's answer, or writes a 503 when there is none to ask.
func (n *Node) leaderOrForward(w http.ResponseWriter, r *http.Request, body []byte) bool {
	if n.closing.Load() {
		writeErr(w, unavailable(ErrShuttingDown))
		return false
	}
	if n.raft.State() == raft.Leader {
		return true
	}
	if by := r.Header.Get(headerForwarded); by != "" {
		writeErr(w, unavailable(fmt.Errorf("%w: forwarded by %s, but this node no longer leads", raft.ErrNotLeader, by)))
		return false
	}
	n.forwardToLeader(w, r, body)
	return false
}

// decodeBodyOnLeader reads and decodes a request body (4xx on bad input,
// before anything else happens) and then either lets this node, the leader,
// serve it (ok) or forwards it to the leader and writes the answer.
func decodeBodyOnLeader[T any](n *Node, w http.ResponseWriter, r *http.Request, decode func([]byte) (T, error)) (T, bool) {
	var zero T
	body, e := n.readBody(w, r)
	if e != nil {
		writeErr(w, e)
		return zero, false
	}
	v, err := decode(body)
	if err != nil {
		writeErr(w, badRequest(err))
		return zero, false
	}
	return v, n.leaderOrForward(w, r, body)
}

func (n *Node) handleSet(w http.ResponseWriter, r *http.Request) {
	pairs, ok := decodeBodyOnLeader(n, w, r, DecodeSet)
	if !ok {
		return
	}
	_, idx, e := n.applyForClient(r.Context(), command{Op: opSet, Pairs: pairs})
	if e != nil {
		writeErr(w, e)
		return
	}
	setIndexHeader(w, idx)
	writeJSON(w, http.StatusOK, pairs)
}

func keyFrom(r *http.Request) (string, error) {
	k := strings.TrimPrefix(r.URL.Path, "/key/")
	return k, validKey(k)
}

func (n *Node) handleDelete(w http.ResponseWriter, r *http.Request) {
	k, err := keyFrom(r)
	if err != nil {
		writeErr(w, badRequest(err))
		return
	}
	if !n.leaderOrForward(w, r, nil) {
		return
	}
	_, idx, e := n.applyForClient(r.Context(), command{Op: opDelete, Key: k})
	if e != nil {
		writeErr(w, e)
		return
	}
	setIndexHeader(w, idx)
	writeJSON(w, http.StatusOK, map[string]string{"deleted": k})
}

func (n *Node) handleCAS(w http.ResponseWriter, r *http.Request) {
	req, ok := decodeBodyOnLeader(n, w, r, DecodeCAS)
	if !ok {
		return
	}
	c := command{Op: opCAS, Key: req.Key, Expect: req.Expect, Value: req.Value}
	if n.bug(bugs.CASLocalCompare) {
		// Planted bug (as ArcadeData/arcadedb#7559): the comparison is made
		// outside the replicated entry.
		c = n.casLocalCompare(w, req)
		if c.Op == "" {
			return
		}
	}
	resp, idx, e := n.applyForClient(r.Context(), c)
	if e != nil {
		writeErr(w, e)
		return
	}
	// A 409 carries the index too: the cas entry compared against the
	// state just before it, which its (no-op) application leaves as is.
	setIndexHeader(w, idx)
	res, ok := resp.(casResult)
	if c.Op == opSet {
		res, ok = casResult{Swapped: true}, true
	}
	if !ok {
		writeErr(w, &Error{Status: http.StatusInternalServerError, Applied: AppliedUnknown, Err: fmt.Errorf("unexpected cas result %T", resp)})
		return
	}
	if !res.Swapped {
		writeJSON(w, http.StatusConflict, struct {
			Error   string  `json:"error"`
			Current *string `json:"current"`
		}{Error: "cas mismatch", Current: res.Current})
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"swapped": true})
}

func (n *Node) handleGet(w http.ResponseWriter, r *http.Request) {
	k, err := keyFrom(r)
	if err != nil {
		writeErr(w, badRequest(err))
		return
	}
	level := n.cfg.DefaultRead
	if q := r.URL.Query().Get("consistency"); q != "" {
		if level, err = api.ParseReadLevel(q); err != nil {
			writeErr(w, badRequest(err))
			return
		}
	}
	if level == api.ReadLinearizable && n.bug(bugs.FollowerLocalRead) {
		// Planted bug (as jgroups-extras/jgroups-raft#208, dirty reads from
		// the local state machine): answered from this node's state machine.
		level = api.ReadStale
	}
	if level != api.ReadStale {
		// Name the level explicitly, so the leader does not apply its own default.
		q := r.URL.Query()
		q.Set("consistency", string(level))
		r.URL.RawQuery = q.Encode()
		if !n.leaderOrForward(w, r, nil) {
			return
		}
		// Planted bug bugs.ReadNoQuorum (as etcd-io/etcd#741, "Consistent reads
		// are not consistent"): the leader answers from its state machine
		// without the read index.
		if level == api.ReadLinearizable && !n.bug(bugs.ReadNoQuorum) {
			ctx, cancel := context.WithTimeout(r.Context(), n.cfg.ApplyTimeout)
			err := n.readIndex(ctx)
			cancel()
			if err != nil {
				e := classifyApplyErr(err)
				e.Applied = AppliedNo // a read changes nothing
				writeErr(w, e)
				return
			}
		}
	}
	v, idx, err := n.fsm.GetAt(k)
	if err != nil {
		writeErr(w, &Error{Status: http.StatusInternalServerError, Err: err})
		return
	}
	setIndexHeader(w, idx)
	if v == nil {
		writeJSON(w, http.StatusNotFound, errorBody{Error: fmt.Sprintf("key %q not found", k)})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{k: *v})
}

func (n *Node) handleStatus(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, n.Status())
}

func (n *Node) handleHealth(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// handleReady answers 200 once this node knows a leader and is a voter.
func (n *Node) handleReady(w http.ResponseWriter, _ *http.Request) {
	st := n.Status()
	switch {
	case n.closing.Load():
		writeErr(w, unavailable(ErrShuttingDown))
	case st.LeaderID == "":
		writeErr(w, unavailable(ErrNoLeader))
	case !st.IsVoter(n.cfg.ID):
		writeErr(w, unavailable(errors.New("not a voter yet")))
	default:
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready", "leader": st.LeaderID})
	}
}

func (n *Node) handleJoin(w http.ResponseWriter, r *http.Request) {
	j, ok := decodeBodyOnLeader(n, w, r, DecodeJoin)
	if !ok {
		return
	}
	if e := n.addVoter(r.Context(), j); e != nil {
		writeErr(w, e)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"joined": j.ID})
}

func (n *Node) handleRemove(w http.ResponseWriter, r *http.Request) {
	id, err := url.PathUnescape(strings.TrimPrefix(r.URL.EscapedPath(), "/members/"))
	if err != nil || id == "" {
		writeErr(w, badRequest(errors.New("member id required")))
		return
	}
	if !n.leaderOrForward(w, r, nil) {
		return
	}
	if e := n.removeServer(r.Context(), id); e != nil {
		writeErr(w, e)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"removed": id})
}

// casLocalCompare is the planted bug bugs.CASLocalCompare: the comparison
// reads the leader's local state outside raft, and only a plain set is
// replicated. It answers a mismatch itself (returning a zero command) or
// returns the set to replicate.
func (n *Node) casLocalCompare(w http.ResponseWriter, req api.CASRequest) command {
	cur, err := n.fsm.Get(req.Key)
	if err != nil {
		writeErr(w, &Error{Status: http.StatusInternalServerError, Err: err})
		return command{}
	}
	if cur == nil || *cur != req.Expect {
		writeJSON(w, http.StatusConflict, struct {
			Error   string  `json:"error"`
			Current *string `json:"current"`
		}{Error: "cas mismatch", Current: cur})
		return command{}
	}
	return command{Op: opSet, Pairs: map[string]string{req.Key: req.Value}}
}

// applyForClient is apply for a client's write, with the failpoint between
// the entry being applied and the client being answered (member records,
// which the node writes for itself, do not pass it).
func (n *Node) applyForClient(ctx context.Context, c command) (interface{}, uint64, *Error) {
	resp, idx, e := n.applyAt(ctx, c)
	if e != nil {
		return nil, 0, e
	}
	if err := n.fail(fault.PointApplyBeforeAnswer); err != nil {
		// Committed and applied, but the client hears "unknown".
		return nil, 0, classifyApplyErr(err)
	}
	return resp, idx, nil
}
