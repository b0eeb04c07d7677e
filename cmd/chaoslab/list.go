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
)

func init() {
	register(&command{
		name:    "list",
		summary: "list the scenarios 'chaoslab run' knows",
		usage: `usage: chaoslab list [--json]

Lists the built-in scenarios with their settings and one-line descriptions.
Scenarios whose expectation is "violation" use an unsafe read level on
purpose: they show that the lab catches it.

  --json   print the list as JSON
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
}

func runList(_ context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	asJSON := fs.Bool("json", false, "")
	pos, err := parseInterspersed(fs, args)
	if err == nil && len(pos) > 0 {
		err = fmt.Errorf("unexpected argument %q", pos[0])
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
			Nemeses: []string{},
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
	fmt.Fprintln(tw, "SCENARIO\tREADS\tEXPECT\tDURATION\tDESCRIPTION")
	for _, le := range entries {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", le.Name, le.ReadLevel, le.Expect, le.Duration, le.Description)
	}
	tw.Flush()
	fmt.Fprintln(e.stdout, "\nnemeses per scenario:")
	for _, le := range entries {
		fmt.Fprintf(e.stdout, "  %-28s %s\n", le.Name, strings.Join(le.Nemeses, ", "))
	}
	fmt.Fprintln(e.stdout, "\nrun one: chaoslab run --scenario NAME [--duration D] [--seed N]")
	return exitOK
}
