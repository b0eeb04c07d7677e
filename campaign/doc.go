// Package campaign is the lab's one many-runs driver: it runs a matrix of
// scenarios × seeds, and for a self-test a bug axis (planted bug × its
// scenarios × seeds, and the unmodified store), within a time budget,
// possibly split into shards run on different machines, and reports them
// together: one self-contained HTML page, a JUnit file for CI reporters, a
// Markdown summary for a CI job page, and a campaign.json manifest from
// which all three can be rebuilt, shards merged and a self-test merged
// with a campaign.
//
// One idea per file: sets.go (named scenario sets), matrix.go (the jobs and
// their order), bugaxis.go (the self-test's axis, a bug switched on),
// power.go (detection power: caught k of n, times to the first
// violation), powertext.go (it as text), wilson.go (the 95% interval),
// shard.go (deterministic slices), result.go (a run's status from its
// summary; a bug-axis run judged by its job), runner.go (the Runner interface and the real runner),
// budget.go (when to stop starting runs), execute.go (the loop),
// progress.go (the live line), manifest.go (campaign.json), junit.go,
// page.go, markdown.go, merge.go, write.go (all files of an out folder).
package campaign
