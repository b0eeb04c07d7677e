// Package readcheck judges every read of a history by its read level's
// contract (DESIGN.md, "Read levels and their contracts"):
//
//   - linearizable: the level's reads with every write are linearizable
//     (porcupine, through linearizability.Check with Options.ReadLevels);
//   - stale: every read returns the key's value after some prefix of the
//     committed write order, successive reads on one node incarnation never
//     return an older prefix, and no read returns a value never written or one
//     whose write was invoked after the read returned;
//   - leader: the stale contract; its linearizability is reported apart.
//
// With the store's evidence of order (an "index" on ok completions) every
// write and read is placed exactly by index, in linear time after sorting,
// and the evidence itself is checked against the values and real time: an
// index that contradicts them is a violation. Without evidence the stale
// contract is checked from the history alone (values unique per write, the
// order of acknowledged writes constrained by real time); that check is
// sound (a correct history never gets an anomaly) but not complete.
//
// Anomalies are named as Jepsen's Elle names them: stale-read,
// non-monotonic-read, never-written-read (Elle's garbage read), future-read,
// lost-write and index-contradiction.
//
// The package is pure: it imports linearizability and the standard library
// only, reads nothing and changes no process-wide state.
package readcheck
