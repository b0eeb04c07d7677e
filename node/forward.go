package node

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
)

// leaderHTTP returns the leader's HTTP address as recorded in the state machine.
func (n *Node) leaderHTTP() (string, error) {
	_, id := n.raft.LeaderWithID()
	if id == "" {
		return "", ErrNoLeader
	}
	members, err := n.fsm.Members()
	if err != nil {
		return "", err
	}
	addr := members[string(id)]
	if addr == "" {
		return "", fmt.Errorf("%w: leader %s has not recorded its HTTP address yet", ErrNoLeader, id)
	}
	return addr, nil
}

// forwardToLeader sends the request to the leader once and relays its answer.
// What the client learns about a write stays honest: if the leader could not
// even be dialled, nothing was sent (503, applied false); any later failure
// means the leader may have applied it (504, applied unknown).
func (n *Node) forwardToLeader(w http.ResponseWriter, r *http.Request, body []byte) {
	addr, err := n.leaderHTTP()
	if err != nil {
		writeErr(w, unavailable(err))
		return
	}
	u := "http://" + addr + r.URL.RequestURI()
	req, err := http.NewRequestWithContext(r.Context(), r.Method, u, bytes.NewReader(body))
	if err != nil {
		writeErr(w, badRequest(fmt.Errorf("forward: %w", err)))
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(headerForwarded, n.cfg.ID)
	resp, err := n.forward.Do(req)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			writeErr(w, unavailable(fmt.Errorf("forward to leader at %s: %w", addr, err)))
			return
		}
		writeErr(w, classifyApplyErr(fmt.Errorf("forward to leader at %s: %w", addr, err)))
		return
	}
	defer resp.Body.Close()
	w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
	copyEvidence(w, resp.Header)
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}
