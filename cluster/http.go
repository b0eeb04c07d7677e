package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/raftlab/raftlab/node"
)

// httpClient talks to nodes through their published ports. Requests are
// bounded by their contexts; the client-wide timeout is a backstop.
var httpClient = &http.Client{
	Timeout: 30 * time.Second,
	Transport: &http.Transport{
		Proxy:               nil, // never send lab traffic through a proxy
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     30 * time.Second,
	},
}

// Status is a node's GET /status answer (the node package's type).
type Status = node.Status

// Member is one server of a node's view of the raft configuration.
type Member = node.Member

// Client returns a node client (with its outcome semantics) for this node's
// endpoint as the test process reaches it.
func (n *Node) Client(ctx context.Context, opts ...node.ClientOption) (*node.Client, error) {
	ep, err := n.Endpoint(ctx)
	if err != nil {
		return nil, err
	}
	return node.NewClient(ep, opts...), nil
}

// Status fetches and parses the node's /status.
func (n *Node) Status(ctx context.Context) (*Status, error) {
	code, body, err := n.do(ctx, "GET", "/status", nil)
	if err != nil {
		return nil, err
	}
	if code != http.StatusOK {
		return nil, fmt.Errorf("%s: /status: %d %s", n.id, code, bytes.TrimSpace(body))
	}
	var st Status
	if err := json.Unmarshal(body, &st); err != nil {
		return nil, fmt.Errorf("%s: /status: %w", n.id, err)
	}
	return &st, nil
}

// do sends one request to the node and returns the status code and body.
func (n *Node) do(ctx context.Context, method, path string, body any) (int, []byte, error) {
	u, err := n.url(ctx, path)
	if err != nil {
		return 0, nil, err
	}
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, r)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%s: %s %s: %w", n.id, method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	return resp.StatusCode, b, err
}

// put writes the pairs through this node (POST /key).
func (n *Node) put(ctx context.Context, kv map[string]string) (int, []byte, error) {
	return n.do(ctx, "POST", "/key", kv)
}

// get reads key at the given consistency level ("" for the node's default).
func (n *Node) get(ctx context.Context, key, level string) (string, bool, error) {
	p := "/key/" + url.PathEscape(key)
	if level != "" {
		p += "?consistency=" + level
	}
	code, body, err := n.do(ctx, "GET", p, nil)
	if err != nil {
		return "", false, err
	}
	switch code {
	case http.StatusOK:
		var m map[string]*string
		if err := json.Unmarshal(body, &m); err != nil {
			return "", false, fmt.Errorf("%s: GET %s: %w", n.id, p, err)
		}
		v, ok := m[key]
		if !ok || v == nil {
			return "", false, fmt.Errorf("%s: GET %s: answer lacks the key: %s", n.id, p, body)
		}
		return *v, true, nil
	case http.StatusNotFound:
		return "", false, nil
	default:
		return "", false, fmt.Errorf("%s: GET %s: %d %s", n.id, p, code, bytes.TrimSpace(body))
	}
}

func jsonDecode(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }
