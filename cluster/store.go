package cluster

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/raftlab/raftlab/api"
)

// Store is the software that runs in the node containers. The pod around it
// (holder, static IP, published port, netfault) is the same for every store,
// so every network, pause and kill fault applies unchanged. A nil
// Options.Store is raftkv (this tree, NodeSrc or Image).
//
// A store listens for clients on HTTPPort and for its peers on RaftPort
// inside the node's network namespace.
type Store interface {
	// Name names the store in logs and errors ("raftkv", "etcd").
	Name() string
	// NodeImage returns the tag of the node containers' image, building it
	// if needed. lab is this tree's lab image (netfault; raftkv).
	NodeImage(ctx context.Context, lab string) (string, error)
	// Args is the command line of one node; all are the nodes of the
	// initial cluster (self among them); join is a member's HTTP address
	// for a node that joins ("" for a node of the initial cluster).
	Args(self NodeSpec, all []NodeSpec, join string) []string
	// Probe is the lab's client for the node at endpoint (http://host:port).
	Probe(endpoint string, hc *http.Client) api.Probe
	// Client is a workload client for the node at endpoint, each call
	// bounded by timeout.
	Client(endpoint string, timeout time.Duration) api.KV
}

// NodeSpec is what a Store needs to know of a node to start it.
type NodeSpec struct {
	ID       string // n1, n2, ...
	HTTPAddr string // IP:HTTPPort, as peers reach it
	RaftAddr string // IP:RaftPort, as peers reach it
}

func (n *Node) spec() NodeSpec {
	return NodeSpec{ID: n.id, HTTPAddr: n.HTTPAddr(), RaftAddr: n.RaftAddr()}
}

// raftkv is the default Store: the node of this tree (or NodeSrc, Image).
type raftkv struct{ o *Options }

func (raftkv) Name() string { return "raftkv" }

func (s raftkv) NodeImage(ctx context.Context, lab string) (string, error) {
	return nodeImage(ctx, *s.o, lab)
}

func (s raftkv) Args(self NodeSpec, _ []NodeSpec, join string) []string {
	a := []string{
		"-id", self.ID,
		"-http", "0.0.0.0:" + strconv.Itoa(HTTPPort), "-http-advertise", self.HTTPAddr,
		"-raft", "0.0.0.0:" + strconv.Itoa(RaftPort), "-raft-advertise", self.RaftAddr,
		"-datadir", "/data/kv", "-raftdir", "/data/raft",
	}
	if join != "" {
		a = append(a, "-join", join)
	}
	a = append(a, s.o.Settings.Args()...)
	return append(a, s.o.ExtraArgs...)
}

func (raftkv) Probe(endpoint string, hc *http.Client) api.Probe {
	return api.NewClient(endpoint, api.WithHTTPClient(hc), api.WithTimeout(hc.Timeout))
}

func (raftkv) Client(endpoint string, timeout time.Duration) api.KV {
	return api.NewClient(endpoint, api.WithTimeout(timeout))
}

// store is the cluster's Store (raftkv unless Options.Store is set).
func (c *Cluster) store() Store {
	if c.opts.Store != nil {
		return c.opts.Store
	}
	return raftkv{o: &c.opts}
}

// KV returns a workload client of the cluster's store for this node, each
// call bounded by timeout.
func (n *Node) KV(ctx context.Context, timeout time.Duration) (api.KV, error) {
	ep, err := n.Endpoint(ctx)
	if err != nil {
		return nil, err
	}
	return n.c.store().Client(ep, timeout), nil
}

// storeProbe is the client the cluster's own store-neutral calls use (status,
// readiness, the ready write): the cached endpoint and the shared transport.
func (n *Node) storeProbe(ctx context.Context) (api.Probe, error) {
	n.mu.Lock()
	ep := n.endpoint
	n.mu.Unlock()
	if ep == "" {
		var err error
		if ep, err = n.Endpoint(ctx); err != nil {
			return nil, err
		}
	}
	return n.c.store().Probe(ep, labHTTP), nil
}
