// Package scenarios runs chaos experiments against real raftkv clusters and
// judges them: the workload generator, the scenario runner and the
// `go test ./scenarios` suites.
//
// # Scenarios
//
// A [Scenario] is data: cluster size, clients, keys, the read level of the
// workload, the nemeses, the duration and window lengths, and what the run
// must find ([ExpectLinearizable] or [ExpectViolation]). [All] lists the
// built-in ones; `chaoslab list` prints them. Two of them are broken on
// purpose (reads at the unsafe "leader" and "stale" levels); they must come
// out not linearizable, which proves that the checker and the lab can fail.
//
// # Workload
//
// Clients are bound to nodes round-robin (client i talks only to node
// i mod Nodes), as Jepsen binds them, so a node serving old data is seen.
// Each client has its own random source derived from the run's seed and
// draws the same values for every operation (kind, key, pause), so a seed
// fixes every client's sequence of kinds, keys, written values and pauses.
// Written values are unique ("c3-17": client 3's 17th write), so a read
// names the write it saw. A cas expects the last value the client saw for
// the key (read, written, or found by a failed cas); with nothing seen it
// expects "", which nobody writes. Operations go through api.Client with a
// per-call timeout; outcomes are recorded as DESIGN.md says: OK → ok; a cas
// that found another value → fail without an error; any other definite
// failure → fail with the reason; unknown → info, after which the client
// continues under a fresh process number. Between operations a client
// pauses for a random time (mean Scenario.Think), and after a failed or
// unknown operation it backs off (25 ms doubling to 400 ms, reset by a
// definite answer): load shaping, not synchronisation. The backoff keeps a
// client bound to a dead node from filling the history with unknown-outcome
// writes, which are what makes the linearizability search expensive.
//
// # A run
//
// [Run] follows DESIGN.md ("A scenario run"): cluster up, clients start, the
// fault schedule (package chaos) runs for the duration, the clients stop,
// everything is healed and the cluster must become ready again; then every
// key is read from every node with linearizable reads that go into the
// history (so a lost acknowledged write is a violation), and stale reads of
// every key on every node are polled until they agree with each other and
// with the final read (convergence). The cluster is closed (also on error,
// panic or interrupt) before the history is checked per key with package
// linearizability, so the checker has the CPU to itself.
//
// Convergence sorts each key into agreed, diverged (values actually read
// differ) or not read (some node gave no answer before the deadline); keys
// that agreed are not polled again. A key not read is never "diverged".
//
// Availability and latency are computed per phase by package report: quiet
// phases, and fault phases from just before an injection to just after its
// heal; an operation belongs to the phase its invocation falls in. A cas
// that found another value counts as available (the store answered
// definitely).
//
// # Artifacts
//
// Each run writes one folder (default results/<scenario>-<timestamp>). The
// runner writes the report's inputs — history.jsonl (the history, DESIGN.md
// format, nemesis events included) and run.json (report.Run: scenario,
// seed, options, workload bounds, fault windows, convergence reads, node
// figures, timings) — plus run.log and logs/<node>.log; package report
// derives summary.json, report.html and history.html from them, the same
// way `chaoslab report` rebuilds a stored folder.
//
// # Tests
//
// `go test ./scenarios` runs every built-in scenario against Docker and
// checks its expectation; -short runs only the unit tests. RAFTLAB_SEED
// fixes the seed, RAFTLAB_RESULTS keeps every run's folder under that
// directory (by default folders are kept only for failed runs and their
// path is printed).
package scenarios
