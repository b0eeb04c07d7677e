package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/api"
	"github.com/raftlab/raftlab/cluster"
	"github.com/raftlab/raftlab/linearizability"
	"github.com/raftlab/raftlab/readcheck"
	"github.com/raftlab/raftlab/report"
	"github.com/raftlab/raftlab/scenarios"
)

// cli runs chaoslab in-process and returns the exit code and outputs.
func cli(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), &env{stdout: &out, stderr: &errOut}, args)
	return code, out.String(), errOut.String()
}

func TestParseRunFlagsDefaults(t *testing.T) {
	f, err := parseRunFlags(nil)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := scenarios.Lookup("kill-leader")
	s := f.scenario
	if s.Name != "kill-leader" || s.Duration != want.Duration || s.Nodes != want.Nodes || s.Clients != want.Clients {
		t.Errorf("defaults: %+v", s)
	}
	if f.seed != 0 || f.out != "" || f.json || f.verbose || f.checkTimeout != 20*time.Second {
		t.Errorf("defaults: %+v", f)
	}
}

func TestParseRunFlagsOverrides(t *testing.T) {
	f, err := parseRunFlags([]string{"--scenario", "stale-reads", "--duration=20s", "--seed", "42",
		"--nodes", "5", "--clients", "10", "--out", "/tmp/x", "--json", "--check-timeout", "1m", "--verbose"})
	if err != nil {
		t.Fatal(err)
	}
	s := f.scenario
	if s.Name != "stale-reads" || s.Duration != 20*time.Second || s.Nodes != 5 || s.Clients != 10 || s.ReadLevel != api.ReadStale {
		t.Errorf("scenario %+v", s)
	}
	if f.seed != 42 || f.out != "/tmp/x" || !f.json || !f.verbose || f.checkTimeout != time.Minute {
		t.Errorf("flags %+v", f)
	}
}

func TestParseRunFlagsErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--scenario", "nope"},
		{"--seed", "-1"},
		{"--seed", "0"},
		{"--seed", "x"},
		{"--duration", "500ms"},
		{"--duration", "-3s"},
		{"--nodes", "9"},
		{"--clients", "-1"},
		{"--check-timeout", "0s"},
		{"--bogus"},
		{"extra"},
	} {
		if _, err := parseRunFlags(args); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
}

func TestRunUsageErrorExitsFour(t *testing.T) {
	code, _, stderr := cli("run", "--scenario", "nope")
	if code != exitUsage {
		t.Errorf("exit %d, want %d", code, exitUsage)
	}
	for _, want := range []string{`unknown scenario "nope"`, "kill-leader", "usage: chaoslab run"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	code, stdout, _ := cli("help", "run")
	if code != exitOK || !strings.Contains(stdout, "--scenario NAME") || !strings.Contains(stdout, "Exit codes") {
		t.Errorf("help run: %d %q", code, stdout)
	}
}

func TestList(t *testing.T) {
	code, stdout, stderr := cli("list")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, s := range scenarios.All() {
		if !strings.Contains(stdout, s.Name) || !strings.Contains(stdout, s.Description) {
			t.Errorf("list lacks %s or its description", s.Name)
		}
	}
	if !strings.HasSuffix(stdout, "\n") {
		t.Error("list output must end with a newline")
	}
	code, stdout, _ = cli("list", "--json")
	if code != exitOK {
		t.Fatalf("list --json: exit %d", code)
	}
	if !strings.HasSuffix(stdout, "\n") {
		t.Error("list --json output must end with a newline")
	}
	var entries []listEntry
	if err := json.Unmarshal([]byte(stdout), &entries); err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(scenarios.All()) {
		t.Fatalf("%d entries", len(entries))
	}
	for _, e := range entries {
		if e.Name == "" || e.Description == "" || len(e.Nemeses) == 0 || e.Expect == "" || e.ReadLevel == "" {
			t.Errorf("incomplete entry %+v", e)
		}
	}
	if code, _, _ := cli("list", "extra"); code != exitUsage {
		t.Errorf("list extra: exit %d", code)
	}
	_, usage, _ := cli("help")
	if !strings.Contains(usage, "run ") || !strings.Contains(usage, "list ") {
		t.Errorf("command list lacks run or list:\n%s", usage)
	}
}

func TestVerdictExit(t *testing.T) {
	for _, tt := range []struct {
		v         linearizability.Verdict
		converged bool
		want      int
	}{
		{linearizability.Linearizable, true, exitOK},
		{linearizability.Linearizable, false, exitNotLinear},
		{linearizability.NotLinearizable, true, exitNotLinear},
		{linearizability.Unknown, true, exitUnknown},
	} {
		if got := verdictExit(&report.Summary{Verdict: tt.v, Converged: tt.converged}); got != tt.want {
			t.Errorf("%s converged=%v: exit %d, want %d", tt.v, tt.converged, got, tt.want)
		}
	}
	L := linearizability.Linearizable
	if got := verdictExit(&report.Summary{Verdict: L, Convergence: report.Convergence{NotRead: []string{"k1"}}}); got != exitUnknown {
		t.Errorf("keys not read: exit %d, want %d (unknown, not diverged)", got, exitUnknown)
	}
	if got := verdictExit(&report.Summary{Verdict: L, Convergence: report.Convergence{Diverged: []string{"k1"}, NotRead: []string{"k2"}}}); got != exitNotLinear {
		t.Errorf("diverged: exit %d, want %d", got, exitNotLinear)
	}
	// With read contracts: stale reads that are not linearizable but keep
	// the stale contract exit 0 (stale-reads); a broken contract exits 1
	// even when every read is linearizable... which cannot happen, and an
	// index contradiction with linearizable values can.
	N := linearizability.NotLinearizable
	assert.Equal(t, exitOK, verdictExit(&report.Summary{Verdict: N, Contract: readcheck.OK, Converged: true}))
	assert.Equal(t, exitNotLinear, verdictExit(&report.Summary{Verdict: L, Contract: readcheck.Violated, Converged: true}))
	assert.Equal(t, exitUnknown, verdictExit(&report.Summary{Verdict: L, Contract: readcheck.Unknown, Converged: true}))
}

func TestPrintSummary(t *testing.T) {
	var b bytes.Buffer
	printSummary(&b, &report.Summary{
		Scenario: "kill-leader", Seed: 9, Outcome: "linearizable, replicas converged — as expected",
		Phases:       map[string]report.Stats{"quiet": {Seconds: 5, OKPerSec: 300, Availability: 1}},
		Explanations: []string{"key \"k1\" is not linearizable"},
		Artifacts:    report.Artifacts{Dir: "results/x", Report: "report.html"},
	})
	for _, want := range []string{"scenario kill-leader, seed 9: linearizable", "quiet", "300 ok/s", `  key "k1" is not linearizable`, "report: results/x/report.html"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, b.String())
		}
	}
}

func TestParseRunFlagsWorkloadShape(t *testing.T) {
	f, err := parseRunFlags([]string{"--keys", "20", "--ops-per-key", "50", "--think", "5ms"})
	require.NoError(t, err)
	assert.Equal(t, 20, f.scenario.Keys)
	assert.Equal(t, 50, f.scenario.OpsPerKey)
	assert.Equal(t, 5*time.Millisecond, f.scenario.Think)

	f, err = parseRunFlags([]string{"--ops-per-key", "0", "--think", "0s"})
	require.NoError(t, err)
	assert.Zero(t, f.scenario.OpsPerKey)
	assert.Zero(t, f.scenario.Think)

	for _, bad := range [][]string{{"--keys", "-1"}, {"--ops-per-key", "-5"}, {"--think", "-2s"}} {
		_, err := parseRunFlags(bad)
		assert.Error(t, err, "%v", bad)
	}
}

func TestRunSystemUnderTestFlags(t *testing.T) {
	f, err := parseRunFlags([]string{"--node-src", "../.."})
	require.NoError(t, err)
	assert.Equal(t, "../..", f.nodeSrc)
	f, err = parseRunFlags([]string{"--image", "my/kv:dev"})
	require.NoError(t, err)
	assert.Equal(t, "my/kv:dev", f.image)

	empty := t.TempDir()
	for want, args := range map[string][]string{
		"--node-src and --image are exclusive":                    {"--node-src", "../..", "--image", "my/kv:dev"},
		"--node-src: node source " + empty + " has no cmd/raftkv": {"--node-src", empty},
		"not a directory": {"--node-src", empty + "/nope"},
	} {
		code, _, stderr := cli(append([]string{"run"}, args...)...)
		assert.Equal(t, exitUsage, code, "%v", args)
		assert.Contains(t, stderr, want, "%v", args)
	}
}

func TestRunReachFlag(t *testing.T) {
	f, err := parseRunFlags(nil)
	require.NoError(t, err)
	assert.Equal(t, cluster.ReachAuto, f.reach)
	f, err = parseRunFlags([]string{"--reach", "published"})
	require.NoError(t, err)
	assert.Equal(t, cluster.ReachPublished, f.reach)
	code, _, stderr := cli("run", "--reach", "direct")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, `--reach: reach "direct": want auto, container or published`)
}

func TestVerdictExitOfAnUnprovenClaim(t *testing.T) {
	sum := &report.Summary{Verdict: linearizability.Linearizable, Converged: true}
	assert.Equal(t, exitOK, verdictExit(sum))
	sum.Claims = []report.ClaimResult{{Claim: report.Claim("snapshots-installed"), OK: false}}
	assert.Equal(t, exitUnknown, verdictExit(sum), "a scenario that did not do what it claims proves nothing")
}
