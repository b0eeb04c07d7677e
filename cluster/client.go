package cluster

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/raftlab/raftlab/api"
)

// labHTTP is the transport of the cluster's own calls to its nodes (status,
// readiness, membership). One shared transport keeps connections reused
// across calls; requests are bounded by their contexts, the client timeout
// is a backstop.
var labHTTP = &http.Client{
	Timeout: 30 * time.Second,
	Transport: &http.Transport{
		Proxy:               nil, // never send lab traffic through a proxy
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     30 * time.Second,
	},
}

// Client returns an api client (with its outcome semantics) for this node's
// endpoint as the test process reaches it. Each call makes a new client
// with its own connections unless opts pass api.WithHTTPClient.
func (n *Node) Client(ctx context.Context, opts ...api.ClientOption) (*api.Client, error) {
	ep, err := n.Endpoint(ctx)
	if err != nil {
		return nil, err
	}
	return api.NewClient(ep, opts...), nil
}

// labClient is the client the cluster's own calls use: the cached endpoint
// and the shared transport.
func (n *Node) labClient(ctx context.Context) (*api.Client, error) {
	n.mu.Lock()
	ep := n.endpoint
	n.mu.Unlock()
	if ep == "" {
		var err error
		if ep, err = n.Endpoint(ctx); err != nil {
			return nil, err
		}
	}
	return api.NewClient(ep, api.WithHTTPClient(labHTTP), api.WithTimeout(labHTTP.Timeout)), nil
}

// Status fetches the node's /status.
func (n *Node) Status(ctx context.Context) (*api.Status, error) {
	cl, err := n.storeProbe(ctx)
	if err != nil {
		return nil, err
	}
	st, err := cl.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", n.id, err)
	}
	return &st, nil
}
