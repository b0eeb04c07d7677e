// Package etcd is etcd v3.6 as a system under test: a FROM scratch image
// built from the nested module in server/ (so the lab never links the etcd
// server), a cluster.Store that starts it in the lab's pods, and a client of
// its JSON gateway (grpc-gateway on the client port) with the lab's outcome
// classification.
package etcd

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/raftlab/raftlab/api"
)

// Client talks to one etcd member over its JSON gateway. Keys and values
// are base64 in JSON; 64-bit numbers are strings.
//
// Outcomes follow etcd's own robustness client: a read that failed took no
// effect (Fail); a write that failed may still have been applied (Unknown),
// whatever the error, because etcd gives no error that proves a proposal
// was not made — except a connection that was never established (Fail).
type Client struct {
	base    string
	http    *http.Client
	timeout time.Duration
}

// NewClient returns a client of the member at base (http://host:port).
// A nil hc gets a transport of its own.
func NewClient(base string, hc *http.Client, timeout time.Duration) *Client {
	if hc == nil {
		hc = &http.Client{Transport: newTransport()}
	}
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	return &Client{base: strings.TrimSuffix(base, "/"), http: hc, timeout: timeout}
}

// newTransport is a transport of the member clients: no proxy, a short
// dial timeout, connections kept for the workload's concurrency.
func newTransport() *http.Transport {
	return &http.Transport{
		Proxy:               nil,
		MaxIdleConnsPerHost: 64,
		DialContext:         (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
	}
}

// adminHTTP is shared by the lab's own calls (member add and remove,
// leader transfer): a leader-transfer window calls every 100-250 ms, and a
// transport per call would leave its idle connections behind.
var adminHTTP = &http.Client{Transport: newTransport()}

// header is the response header every answer carries.
type header struct {
	MemberID string `json:"member_id"`
	Revision string `json:"revision"`
	RaftTerm string `json:"raft_term"`
}

type keyValue struct {
	Key         string `json:"key"`
	Value       string `json:"value"`
	ModRevision string `json:"mod_revision"`
}

type rangeResponse struct {
	Header header     `json:"header"`
	Kvs    []keyValue `json:"kvs"`
}

// Reply is an answer with etcd's evidence of order: the store's revision
// when it was served (a read) or after it was applied (a write), and the
// member that served it.
type Reply struct {
	api.Result
	Revision int64
	Member   string
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// Get reads key: linearizable (etcd's default, a read index) unless level
// is api.ReadStale (a serializable read of this member's state). etcd has
// no lease read level: api.ReadLeader is answered as linearizable.
func (c *Client) Get(ctx context.Context, key string, level api.ReadLevel) api.Result {
	return c.GetReply(ctx, key, level).Result
}

// GetReply is Get with its evidence.
func (c *Client) GetReply(ctx context.Context, key string, level api.ReadLevel) Reply {
	req := map[string]any{"key": b64(key)}
	if level == api.ReadStale {
		req["serializable"] = true
	}
	var res rangeResponse
	if err := c.call(ctx, "/v3/kv/range", req, &res); err != nil {
		return failed(err, true)
	}
	r := ok(res.Header)
	if len(res.Kvs) > 0 {
		v, err := unb64(res.Kvs[0].Value)
		if err != nil {
			return Reply{Result: api.Result{Outcome: api.Fail, Err: fmt.Errorf("etcd: decode value: %w", err)}}
		}
		r.Value = &v
	}
	return r
}

// Set puts key=value.
func (c *Client) Set(ctx context.Context, key, value string) api.Result {
	return c.SetReply(ctx, key, value).Result
}

// SetReply is Set with its evidence.
func (c *Client) SetReply(ctx context.Context, key, value string) Reply {
	var res struct {
		Header header `json:"header"`
	}
	if err := c.call(ctx, "/v3/kv/put", map[string]any{"key": b64(key), "value": b64(value)}, &res); err != nil {
		return failed(err, false)
	}
	return ok(res.Header)
}

// Delete removes key (absent is fine).
func (c *Client) Delete(ctx context.Context, key string) api.Result {
	return c.DeleteReply(ctx, key).Result
}

// DeleteReply is Delete with its evidence.
func (c *Client) DeleteReply(ctx context.Context, key string) Reply {
	var res struct {
		Header  header `json:"header"`
		Deleted string `json:"deleted"`
	}
	if err := c.call(ctx, "/v3/kv/deleterange", map[string]any{"key": b64(key)}, &res); err != nil {
		return failed(err, false)
	}
	r := ok(res.Header)
	if atoi(res.Deleted) == 0 {
		// Deleting an absent key creates no revision: the header's is the
		// store's current one, which another write already holds. It is no
		// evidence of where this delete stands.
		r.Index = 0
	}
	return r
}

// CAS sets key to value if it holds expect, as one transaction comparing
// the value; when the comparison fails the transaction reads the current
// value (nil: absent), which the workload's next cas expects. A key that
// does not exist never equals any value (etcd's rule), as in raftkv where
// no client writes "".
func (c *Client) CAS(ctx context.Context, key, expect, value string) api.Result {
	return c.CASReply(ctx, key, expect, value).Result
}

// CASReply is CAS with its evidence (also for a cas that found another
// value: the revision it was judged at).
func (c *Client) CASReply(ctx context.Context, key, expect, value string) Reply {
	req := map[string]any{
		"compare": []any{map[string]any{"key": b64(key), "target": "VALUE", "result": "EQUAL", "value": b64(expect)}},
		"success": []any{map[string]any{"request_put": map[string]any{"key": b64(key), "value": b64(value)}}},
		"failure": []any{map[string]any{"request_range": map[string]any{"key": b64(key)}}},
	}
	var res struct {
		Header    header `json:"header"`
		Succeeded bool   `json:"succeeded"`
		Responses []struct {
			ResponseRange *rangeResponse `json:"response_range"`
		} `json:"responses"`
	}
	if err := c.call(ctx, "/v3/kv/txn", req, &res); err != nil {
		return failed(err, false)
	}
	if res.Succeeded {
		return ok(res.Header)
	}
	r := ok(res.Header)
	r.Result = api.Result{Outcome: api.Fail, Mismatch: true, Status: http.StatusConflict, Err: errors.New("cas: value differs")}
	if len(res.Responses) == 1 && res.Responses[0].ResponseRange != nil {
		if kvs := res.Responses[0].ResponseRange.Kvs; len(kvs) > 0 {
			v, err := unb64(kvs[0].Value)
			if err != nil {
				// The cas did fail (definite), but what it found is unknown.
				return Reply{Result: api.Result{Outcome: api.Fail, Err: fmt.Errorf("etcd: decode value: %w", err)}}
			}
			r.Value = &v
		}
		return r
	}
	return Reply{Result: api.Result{Outcome: api.Fail, Err: errors.New("etcd: failed txn without its range answer")}}
}

// ok is a successful answer with its evidence: the header's revision (for a
// read the member's store revision it was served at, for a write the
// revision it created) and the member id as the incarnation (a replaced
// member gets a new id; a restart with the same data keeps it).
func ok(h header) Reply {
	rev := atoi(h.Revision)
	return Reply{Result: api.Result{Outcome: api.OK, Status: http.StatusOK, Index: rev, Incarnation: h.MemberID}, Revision: rev, Member: h.MemberID}
}

// gatewayError is an error answer of the gateway (a gRPC status as JSON).
type gatewayError struct {
	HTTP    int
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *gatewayError) Error() string {
	return fmt.Sprintf("etcd: http %d: %s (grpc code %d)", e.HTTP, e.Message, e.Code)
}

// failed classifies an error: a read took no effect whatever happened
// (Fail); a write is Unknown unless the connection never opened.
func failed(err error, read bool) Reply {
	r := api.Result{Outcome: api.Unknown, Err: err}
	var ge *gatewayError
	if errors.As(err, &ge) {
		r.Status = ge.HTTP
	}
	if read || neverSent(err) {
		r.Outcome = api.Fail
	}
	return Reply{Result: r}
}

// neverSent reports whether err proves that the request never reached the
// member: the connection was refused or could not be dialled.
func neverSent(err error) bool {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// call POSTs req as JSON to path and decodes the answer into out.
func (c *Client) call(ctx context.Context, path string, req, out any) error {
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	hr.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(hr)
	if err != nil {
		return fmt.Errorf("etcd %s: %w", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("etcd %s: read answer: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		ge := &gatewayError{HTTP: resp.StatusCode}
		if json.Unmarshal(b, ge) != nil || ge.Message == "" {
			ge.Message = strings.TrimSpace(string(b))
		}
		return ge
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("etcd %s: decode answer: %w", path, err)
	}
	return nil
}

func unb64(s string) (string, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	return string(b), err
}

func atoi(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

var _ api.KV = (*Client)(nil)
