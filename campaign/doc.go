// Package campaign runs many scenario runs in a row — a matrix of scenarios ×
// seeds within a time budget, possibly split into shards run on different
// machines — and reports them together: one self-contained HTML page, a
// JUnit file for CI reporters, a Markdown summary for a CI job page, and a
// campaign.json manifest from which all three can be rebuilt and shards
// merged.
//
// One idea per file: sets.go (named scenario sets), matrix.go (the jobs and
// their order), shard.go (deterministic slices), result.go (a run's status
// from its summary), runner.go (the Runner interface and the real runner),
// budget.go (when to stop starting runs), execute.go (the loop),
// progress.go (the live line), manifest.go (campaign.json), junit.go,
// page.go, markdown.go, merge.go, write.go (all files of an out folder).
package campaign
