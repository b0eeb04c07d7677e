package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client talks to one node. Every call has its own timeout; the transport
// never retries a write (Go retries only idempotent methods, and DELETE and
// POST carry no idempotency key), so a write reaches the node at most once.
type Client struct {
	base    string
	http    *http.Client
	timeout time.Duration
}

// ClientOption configures a Client.
type ClientOption func(*Client)

// WithTimeout sets the per-call timeout (default 5s).
func WithTimeout(d time.Duration) ClientOption { return func(c *Client) { c.timeout = d } }

// WithHTTPClient sets the underlying HTTP client.
func WithHTTPClient(h *http.Client) ClientOption { return func(c *Client) { c.http = h } }

// NewClient returns a client for the node at addr ("host:port" or a URL).
func NewClient(addr string, opts ...ClientOption) *Client {
	if !strings.Contains(addr, "://") {
		addr = "http://" + addr
	}
	c := &Client{
		base:    strings.TrimSuffix(addr, "/"),
		timeout: 5 * time.Second,
		http: &http.Client{Transport: &http.Transport{
			MaxIdleConnsPerHost: 64,
			DialContext:         (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
		}},
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Base is the node URL the client talks to.
func (c *Client) Base() string { return c.base }

// Get reads key at the given level ("" = the node's default).
func (c *Client) Get(ctx context.Context, key string, level ReadLevel) Result {
	u := c.base + "/key/" + url.PathEscape(key)
	if level != "" {
		u += "?consistency=" + string(level)
	}
	status, body, h, err := c.doH(ctx, http.MethodGet, u, nil)
	if err != nil {
		return transportResult(err)
	}
	switch status {
	case http.StatusOK:
		var m map[string]string
		if err := json.Unmarshal(body, &m); err != nil {
			return Result{Outcome: Unknown, Status: status, Err: fmt.Errorf("decode get answer: %w", err)}
		}
		v, ok := m[key]
		if !ok {
			return Result{Outcome: Unknown, Status: status, Err: fmt.Errorf("get answer lacks key %q", key)}
		}
		return evidence(Result{Outcome: OK, Value: &v, Status: status}, h)
	case http.StatusNotFound:
		return evidence(Result{Outcome: OK, Status: status}, h)
	default:
		return errorResult(status, body)
	}
}

// Set writes one key.
func (c *Client) Set(ctx context.Context, key, value string) Result {
	return c.SetMany(ctx, map[string]string{key: value})
}

// SetMany writes several keys in one raft entry.
func (c *Client) SetMany(ctx context.Context, pairs map[string]string) Result {
	b, _ := json.Marshal(pairs)
	status, body, h, err := c.doH(ctx, http.MethodPost, c.base+"/key", b)
	if err != nil {
		return transportResult(err)
	}
	if status == http.StatusOK {
		return evidence(Result{Outcome: OK, Status: status}, h)
	}
	return errorResult(status, body)
}

// Delete removes key (absent keys succeed).
func (c *Client) Delete(ctx context.Context, key string) Result {
	status, body, h, err := c.doH(ctx, http.MethodDelete, c.base+"/key/"+url.PathEscape(key), nil)
	if err != nil {
		return transportResult(err)
	}
	if status == http.StatusOK {
		return evidence(Result{Outcome: OK, Status: status}, h)
	}
	return errorResult(status, body)
}

// CAS sets key to value if it currently holds expect. A mismatch is a Fail
// with Mismatch set and Value holding what was found.
func (c *Client) CAS(ctx context.Context, key, expect, value string) Result {
	b, _ := json.Marshal(CASRequest{Key: key, Expect: expect, Value: value})
	status, body, h, err := c.doH(ctx, http.MethodPost, c.base+"/cas", b)
	if err != nil {
		return transportResult(err)
	}
	switch status {
	case http.StatusOK:
		return evidence(Result{Outcome: OK, Status: status}, h)
	case http.StatusConflict:
		var m struct {
			Current *string `json:"current"`
		}
		if err := json.Unmarshal(body, &m); err != nil {
			return Result{Outcome: Fail, Mismatch: true, Status: status, Err: fmt.Errorf("decode cas answer: %w", err)}
		}
		return evidence(Result{Outcome: Fail, Mismatch: true, Value: m.Current, Status: status, Err: errors.New("cas mismatch")}, h)
	default:
		return errorResult(status, body)
	}
}

// Status fetches /status.
func (c *Client) Status(ctx context.Context) (Status, error) {
	var st Status
	status, body, err := c.do(ctx, http.MethodGet, c.base+"/status", nil)
	if err != nil {
		return st, err
	}
	if status != http.StatusOK {
		return st, fmt.Errorf("status: %w", errorResult(status, body).Err)
	}
	if err := json.Unmarshal(body, &st); err != nil {
		return st, fmt.Errorf("decode status: %w", err)
	}
	return st, nil
}

// Ready reports whether the node answers /ready with 200.
func (c *Client) Ready(ctx context.Context) error {
	status, body, err := c.do(ctx, http.MethodGet, c.base+"/ready", nil)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return errorResult(status, body).Err
	}
	return nil
}

// Join asks the cluster (through this node) to add a voter.
func (c *Client) Join(ctx context.Context, j JoinRequest) error {
	b, _ := json.Marshal(j)
	status, body, err := c.do(ctx, http.MethodPost, c.base+"/join", b)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("join: %w", errorResult(status, body).Err)
	}
	return nil
}

// RemoveMember asks the cluster (through this node) to remove a server.
func (c *Client) RemoveMember(ctx context.Context, id string) error {
	status, body, err := c.do(ctx, http.MethodDelete, c.base+"/members/"+url.PathEscape(id), nil)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("remove member: %w", errorResult(status, body).Err)
	}
	return nil
}

func (c *Client) do(ctx context.Context, method, u string, body []byte) (int, []byte, error) {
	status, b, _, err := c.doH(ctx, method, u, body)
	return status, b, err
}

// doH is do that also returns the answer's headers (the evidence headers).
func (c *Client) doH(ctx context.Context, method, u string, body []byte) (int, []byte, http.Header, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return 0, nil, nil, &callError{definite: true, err: fmt.Errorf("build request: %w", err)}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, nil, &callError{definite: isDialError(err), err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		// The status arrived, so the server decided; keep its status.
		return resp.StatusCode, nil, resp.Header, nil
	}
	return resp.StatusCode, b, resp.Header, nil
}

// callError is a transport failure; definite when the request was never sent.
type callError struct {
	definite bool
	err      error
}

func (e *callError) Error() string { return e.err.Error() }
func (e *callError) Unwrap() error { return e.err }

func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

func transportResult(err error) Result {
	var ce *callError
	if errors.As(err, &ce) && ce.definite {
		return Result{Outcome: Fail, Err: err}
	}
	return Result{Outcome: Unknown, Err: err}
}

// errorResult maps an error answer to an outcome: 4xx are definite, 503 is
// definite when the body says applied false, every other 5xx is unknown.
func errorResult(status int, body []byte) Result {
	var m struct {
		Error   string          `json:"error"`
		Applied json.RawMessage `json:"applied"`
	}
	_ = json.Unmarshal(body, &m)
	msg := m.Error
	if msg == "" {
		msg = strings.TrimSpace(string(body))
	}
	err := fmt.Errorf("http %d: %s", status, msg)
	switch {
	case status >= 400 && status < 500:
		return Result{Outcome: Fail, Status: status, Err: err}
	case status == http.StatusServiceUnavailable && string(m.Applied) == "false":
		return Result{Outcome: Fail, Status: status, Err: err}
	default:
		return Result{Outcome: Unknown, Status: status, Err: err}
	}
}
