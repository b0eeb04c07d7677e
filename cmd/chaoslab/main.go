// Command chaoslab is the lab's CLI: check a history file, draw it, and (as
// other subcommands are added) run scenarios, list them and clean up.
//
// Each subcommand lives in its own file and registers itself in commands
// from an init function, so adding one does not touch this file.
//
// Exit codes: 0 success (for check: linearizable), 1 not linearizable,
// 2 unknown (a key's time budget ran out), 3 unreadable input (the message
// names the line), 4 usage error, 5 any other failure (for example, the
// HTML file cannot be written), 6 (campaign) incomplete: every run that ran
// had its expected verdict but the budget skipped some.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"

	tclog "github.com/testcontainers/testcontainers-go/log"
)

const (
	exitOK         = 0
	exitNotLinear  = 1
	exitUnknown    = 2
	exitUnreadable = 3
	exitUsage      = 4
	exitFailure    = 5
	// exitNotApplicable: the scenario needs a capability the system lacks;
	// nothing ran (neither a pass nor a failure).
	exitNotApplicable = 6
)

// A command is one subcommand of chaoslab.
type command struct {
	name    string
	summary string // one line, for the command list
	usage   string // the full usage text
	run     func(ctx context.Context, env *env, args []string) int
}

// env is what a command may touch: its output streams.
type env struct {
	stdout, stderr io.Writer
	// stderrTTY says whether stderr is a terminal (live progress lines).
	stderrTTY bool
}

var commands = map[string]*command{}

func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("chaoslab: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

func main() {
	// Process-wide settings are the program's, not the libraries': Ryuk
	// (testcontainers' reaper) is an image that cannot be pulled here, and
	// the cluster package removes what it creates itself; testcontainers'
	// own messages (a connection banner) would break the progress line.
	_ = os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	tclog.SetDefault(tclog.NewNoopLogger())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	e := &env{stdout: os.Stdout, stderr: os.Stderr, stderrTTY: isTerminal(os.Stderr)}
	os.Exit(run(ctx, e, os.Args[1:]))
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// run dispatches args to a subcommand and returns the exit code.
func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		usage(e.stderr)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				fmt.Fprint(e.stdout, c.usage)
				return exitOK
			}
		}
		usage(e.stdout)
		return exitOK
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "chaoslab: unknown command %q\n\n", args[0])
		usage(e.stderr)
		return exitUsage
	}
	return c.run(ctx, e, args[1:])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: chaoslab COMMAND [ARGS]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'chaoslab help COMMAND' for its flags.")
	fmt.Fprintln(w, "Exit codes: 0 ok/linearizable, 1 not linearizable, 2 unknown, 3 unreadable input, 4 usage, 5 other failure,")
	fmt.Fprintln(w, "6 campaign incomplete (budget).")
}

// parseInterspersed parses flags that may come before or after the
// positional arguments, and returns the positional ones. Everything after
// "--" is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// indent prefixes every line of s.
func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n") + "\n"
}
