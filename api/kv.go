package api

import "context"

// KV is what a workload client needs from a store, whichever store it is:
// *Client (raftkv's HTTP API) and the etcd client (system/etcd) both
// implement it, with the same outcome classification (Result: OK, Fail
// only when the store proves the operation took no effect, else Unknown).
type KV interface {
	Get(ctx context.Context, key string, level ReadLevel) Result
	Set(ctx context.Context, key, value string) Result
	Delete(ctx context.Context, key string) Result
	CAS(ctx context.Context, key, expect, value string) Result
}

// Probe is the lab's own view of one node: whether it is ready, its
// status in raftkv's vocabulary (Status), and a KV to prove that a write
// round-trips.
type Probe interface {
	KV
	// Ready returns nil when the node knows a leader and is a voter.
	Ready(ctx context.Context) error
	// Status is the node's view of the cluster.
	Status(ctx context.Context) (Status, error)
}

var (
	_ KV    = (*Client)(nil)
	_ Probe = (*Client)(nil)
)
