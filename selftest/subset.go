package selftest

import "github.com/raftlab/raftlab/campaign"

// CISubset are the planted bugs and scenarios `go test ./scenarios` runs on
// every CI run: a few bugs of different classes whose scenario catches them
// in (nearly) every seed at CI durations, so a lab that stopped catching
// them fails CI. The full matrix (every bug, every scenario, many seeds) is
// `chaoslab selftest`, run by the nightly job.
var CISubset = []campaign.BugScenarios{
	{Bug: "bug-follower-local-read", Scenarios: []string{"partition-leader"}},
	{Bug: "bug-ack-before-commit", Scenarios: []string{"kill-leader"}},
	{Bug: "bug-read-no-quorum", Scenarios: []string{"long-pause"}},
}
