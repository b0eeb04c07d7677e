// Package fault is the lab's vocabulary of faults, defined once: the fault
// kinds (the f of a history's nemesis events) with their family, how each
// heals and the colour every picture draws it in; the recorded shape of a
// fault window (run.json and summary.json); the node's failpoint names; and
// the JSON the fault helper (cmd/netfault) prints for the cluster package.
//
// It is a leaf: it imports only the standard library, so the nemeses
// (chaos), the cluster, the report, the history pictures (linearizability),
// the read checker and the fault helper can all share it without importing
// each other.
package fault
