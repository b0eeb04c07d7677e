// Package report turns what a scenario run collected into its verdict,
// figures and pages: summary.json, report.html and history.html.
//
// Everything here is built from plain values by pure functions: a [Run]
// (the scenario, seed, options, workload bounds, fault windows, node
// figures, convergence reads, timings — what the runner measured, stored as
// run.json) and the history (history.jsonl), paired into operations by
// package linearizability and checked by it. [Summarize] computes the
// [Summary]; [WriteHTML] renders the report page. [Write] writes the three
// derived files of a run folder, and [Rebuild] re-derives them offline from
// run.json and history.jsonl, re-running the checker (so an upgraded checker
// re-judges stored runs).
//
// Operation outcomes (ok, cas mismatch, fail, info) come from
// linearizability's one classifier, [linearizability.Classify].
//
// Optional sections of the report ([Run.Nodes], [Input.Counterexample]) are
// drawn only when present, so a new panel is one field and one template
// block.
package report
