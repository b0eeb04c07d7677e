// Package api is the node's wire contract as the lab sees it: the request and
// answer types of the HTTP API (docs/DESIGN.md), the read levels, the raft
// state names /status reports, and a Go client that turns every call into an
// outcome (ok, fail, unknown).
//
// It imports neither hashicorp/raft nor BadgerDB on purpose: the lab
// (cluster, chaos, scenarios, cmd/chaoslab) talks to any store that speaks
// this API — this tree's node, another checkout's, or a foreign image — and
// must not link the store's engine to do so. A test in this package fails
// when a lab package's dependency list contains either.
package api
