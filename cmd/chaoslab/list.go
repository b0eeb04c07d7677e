package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/raftlab/raftlab/scenarios"
	"github.com/raftlab/raftlab/system"
	"github.com/raftlab/raftlab/system/systems"
)

func init() {
	register(&command{
		name:    "list",
		summary: "list the scenarios 'chaoslab run' knows",
		usage: `usage: chaoslab list [--system NAME] [--json]

Lists the built-in scenarios with their settings and one-line descriptions.
Scenarios whose expectation is "violation" use an unsafe read level on
purpose: they show that the lab catches it. With --system, each scenario
says whether it applies to that system and, when not, which capability the
system lacks (such a scenario never runs on it).

  --system NAME   raftkv (default) or etcd
  --json          print the list as JSON
`,
		run: runList,
	})
}

// listEntry is one scenario in 'chaoslab list --json'.
type listEntry struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Nodes       int      `json:"nodes"`
	Clients     int      `json:"clients"`
	Keys        int      `json:"keys"`
	ReadLevel   string   `json:"read_level"`
	Nemeses     []string `json:"nemeses"`
	Duration    string   `json:"duration"`
	Expect      string   `json:"expect"`
	// System is the system asked about; Applicable says whether the
	// scenario runs on it, NotApplicable why not.
	System        string   `json:"system"`
	Applicable    bool     `json:"applicable"`
	NotApplicable string   `json:"not_applicable,omitempty"`
	Needs         []string `json:"needs"`
}

func runList(_ context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	asJSON := fs.Bool("json", false, "")
	sysName := fs.String("system", systems.Default, "")
	pos, err := parseInterspersed(fs, args)
	if err == nil && len(pos) > 0 {
		err = fmt.Errorf("unexpected argument %q", pos[0])
	}
	var sys system.System
	if err == nil {
		if sys, err = systems.Lookup(*sysName, systems.Source{}); err != nil {
			err = fmt.Errorf("--system: %w", err)
		}
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "chaoslab list: %v\n\n%s", err, commands["list"].usage)
		return exitUsage
	}
	var entries []listEntry
	for _, s := range scenarios.All() {
		le := listEntry{
			Name: s.Name, Description: s.Description, Nodes: s.Nodes, Clients: s.Clients, Keys: s.Keys,
			ReadLevel: s.ReadMix(), Duration: s.Duration.String(), Expect: string(s.Expect),
			Nemeses: []string{}, System: sys.Name(), Needs: []string{},
		}
		_, le.NotApplicable = scenarios.Applicable(s, sys)
		le.Applicable = le.NotApplicable == ""
		for _, c := range scenarios.Needs(s) {
			le.Needs = append(le.Needs, string(c))
		}
		for _, n := range s.Nemeses {
			le.Nemeses = append(le.Nemeses, n.Name())
		}
		entries = append(entries, le)
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(entries); err != nil {
			fmt.Fprintf(e.stderr, "chaoslab list: %v\n", err)
			return exitFailure
		}
		return exitOK
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "SCENARIO\tON %s\tREADS\tEXPECT\tDURATION\tDESCRIPTION\n", strings.ToUpper(sys.Name()))
	var na []listEntry
	for _, le := range entries {
		on := "runs"
		if !le.Applicable {
			on = "n/a"
			na = append(na, le)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", le.Name, on, le.ReadLevel, le.Expect, le.Duration, le.Description)
	}
	tw.Flush()
	if len(na) > 0 {
		fmt.Fprintf(e.stdout, "\nnot applicable to %s (never run on it, never counted as a pass):\n", sys.Name())
		for _, le := range na {
			fmt.Fprintf(e.stdout, "  %-24s %s\n", le.Name, le.NotApplicable)
		}
	}
	fmt.Fprintln(e.stdout, "\nnemeses per scenario:")
	for _, le := range entries {
		fmt.Fprintf(e.stdout, "  %-28s %s\n", le.Name, strings.Join(le.Nemeses, ", "))
	}
	fmt.Fprintf(e.stdout, "\nrun one: chaoslab run --system %s --scenario NAME [--duration D] [--seed N]\n", sys.Name())
	return exitOK
}
