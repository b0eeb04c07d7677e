package node

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/hashicorp/raft"

	"github.com/raftlab/raftlab/api"
)

// handleTransfer is POST /leader/transfer (body optional, {"to":"n2"}): the
// leader hands leadership to the named voter, or to the most up-to-date one
// raft picks, the way etcd's MoveLeader does. hashicorp/raft's transfer stops
// new applies, brings the target up to date, and sends it TimeoutNow, so the
// target starts an election at once: elections become cheap, which is what
// the lab needs to exercise a new term's first milliseconds. A follower
// forwards the request to the leader.
func (n *Node) handleTransfer(w http.ResponseWriter, r *http.Request) {
	body, e := n.readBody(w, r)
	if e != nil {
		writeErr(w, e)
		return
	}
	var req api.TransferRequest
	if len(body) > 0 {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			writeErr(w, badRequest(fmt.Errorf("transfer body: %w", err)))
			return
		}
	}
	if !n.leaderOrForward(w, r, body) {
		return
	}
	if req.To == n.cfg.ID {
		writeErr(w, &Error{Status: http.StatusConflict, Applied: AppliedNo, Err: fmt.Errorf("%s already leads", req.To)})
		return
	}
	var f raft.Future
	if req.To == "" {
		f = n.raft.LeadershipTransfer()
	} else {
		addr, ok, err := n.voterAddr(req.To)
		if err != nil {
			writeErr(w, classifyApplyErr(err))
			return
		}
		if !ok {
			writeErr(w, &Error{Status: http.StatusNotFound, Applied: AppliedNo, Err: fmt.Errorf("no voter %q", req.To)})
			return
		}
		f = n.raft.LeadershipTransferToServer(raft.ServerID(req.To), addr)
	}
	if err := f.Error(); err != nil {
		switch {
		case errors.Is(err, raft.ErrLeadershipTransferInProgress):
			writeErr(w, &Error{Status: http.StatusConflict, Applied: AppliedNo, Err: err})
		case errors.Is(err, raft.ErrNotLeader):
			writeErr(w, unavailable(err))
		default:
			// Not a write: "applied" says only that nothing of the
			// client's changed; the transfer may or may not have happened.
			writeErr(w, &Error{Status: http.StatusInternalServerError, Applied: AppliedNo, Err: fmt.Errorf("transfer leadership: %w", err)})
		}
		return
	}
	n.logger.Info("leadership transferred", "to", req.To)
	writeJSON(w, http.StatusOK, api.TransferAnswer{From: n.cfg.ID, To: n.newLeader()})
}

// voterAddr returns the raft address of voter id in the latest configuration.
func (n *Node) voterAddr(id string) (raft.ServerAddress, bool, error) {
	f := n.raft.GetConfiguration()
	if err := f.Error(); err != nil {
		return "", false, err
	}
	for _, s := range f.Configuration().Servers {
		if s.ID == raft.ServerID(id) && s.Suffrage == raft.Voter {
			return s.Address, true, nil
		}
	}
	return "", false, nil
}

// newLeader is the leader this node knows of after stepping down, or ""
// while it has not heard from one yet (the target's first heartbeat).
func (n *Node) newLeader() string {
	if _, id := n.raft.LeaderWithID(); string(id) != n.cfg.ID {
		return string(id)
	}
	return ""
}
