package selftest

// CISubset are the planted bugs and scenarios `go test ./scenarios` runs on
// every CI run: a few bugs of different classes whose scenario catches them
// in (nearly) every seed at CI durations, so a lab that stopped catching
// them fails CI. The full matrix (every bug, every scenario, many seeds) is
// `chaoslab selftest`, run by the nightly job.
var CISubset = []Case{
	{Bug: "bug-follower-local-read", Scenario: "partition-leader"},
	{Bug: "bug-ack-before-commit", Scenario: "kill-leader"},
	{Bug: "bug-read-no-quorum", Scenario: "long-pause"},
}
