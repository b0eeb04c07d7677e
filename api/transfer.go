package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// TransferRequest is the body of POST /leader/transfer. To names the node
// that should lead next; empty lets raft choose the most up-to-date voter.
type TransferRequest struct {
	To string `json:"to,omitempty"`
}

// TransferAnswer is the 200 answer of POST /leader/transfer: the leader
// that gave up leadership and the node that leads once the transfer is done
// (empty when no new leader was known yet when the node answered).
type TransferAnswer struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// TransferLeader asks the cluster (through this node, forwarded to the
// leader) to move leadership to the node to ("" = raft's choice). It returns
// once the old leader has stepped down.
func (c *Client) TransferLeader(ctx context.Context, to string) (TransferAnswer, error) {
	var a TransferAnswer
	b, _ := json.Marshal(TransferRequest{To: to})
	status, body, err := c.do(ctx, http.MethodPost, c.base+"/leader/transfer", b)
	if err != nil {
		return a, fmt.Errorf("transfer leadership: %w", err)
	}
	if status != http.StatusOK {
		return a, fmt.Errorf("transfer leadership: %w", errorResult(status, body).Err)
	}
	if err := json.Unmarshal(body, &a); err != nil {
		return a, fmt.Errorf("transfer leadership: decode answer: %w", err)
	}
	return a, nil
}
