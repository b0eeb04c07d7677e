package report

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/fault"
	"github.com/raftlab/raftlab/linearizability"
)

// Both pages of a run draw a fault kind in one colour, its family's in
// package fault: report.html's timeline shades the window with it,
// history.html's nemesis row (porcupine's annotation) too. Every kind the
// lab records is drawn once (a compound window is drawn in history.html as
// its parts, so it is not among them).
func TestPagesDrawAKindInOneColour(t *testing.T) {
	rec := linearizability.NewRecorder()
	run := Run{
		Scenario: Scenario{Name: "every-kind", Expect: ExpectLinearizable, Nodes: 3, Clients: 1, Keys: 1, ReadLevel: "linearizable", Duration: 1},
		Seed:     1, CheckTimeout: 5, WorkStart: rec.Now(),
	}
	c := rec.NewClient("n1")
	v := "v"
	var kinds []fault.Kind
	for _, in := range fault.Kinds() {
		if in.Foreign || in.Kind == fault.Compound {
			continue
		}
		kinds = append(kinds, in.Kind)
		start := rec.Now()
		rec.Nemesis(string(in.Kind), "n2")
		c.Set("k1", v).Ok(nil)
		rec.Nemesis(string(in.Heals[0]), "n2")
		end := rec.Now()
		run.Faults = append(run.Faults, FaultWindow{Nemesis: string(in.Kind) + "-x", Start: start, Injected: start, Healing: end, End: end,
			Fault: &Fault{Kind: in.Kind, Value: "n2", Targets: []string{"n2"}, HealKind: in.Heals[0]}})
	}
	run.WorkEnd = rec.Now()
	events := rec.Events()
	res, err := linearizability.Check(t.Context(), events, linearizability.Options{PerKeyTimeout: 5 * time.Second})
	require.NoError(t, err)
	ops, err := linearizability.Pair(events)
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, WriteHistory(dir, events))
	_, err = Write(dir, Input{Run: run, Operations: ops, Check: CheckOf(res)}, events, res)
	require.NoError(t, err)
	page, err := os.ReadFile(filepath.Join(dir, ReportFile))
	require.NoError(t, err)
	history, err := os.ReadFile(filepath.Join(dir, VisualFile))
	require.NoError(t, err)

	require.NotEmpty(t, kinds)
	for _, k := range kinds {
		want := k.Colour().Fill
		inPage := regexp.MustCompile(`<rect class="fault" data-kind="` + regexp.QuoteMeta(string(k)) + `"[^>]*fill="(#[0-9a-f]+)"`).FindSubmatch(page)
		inHistory := regexp.MustCompile(`"Tag":"nemesis: ` + regexp.QuoteMeta(string(k)) + `"[^}]*"BackgroundColor":"(#[0-9a-f]+)"`).FindSubmatch(history)
		if assert.NotNil(t, inPage, "%s: no window in report.html", k) {
			assert.Equal(t, want, string(inPage[1]), "%s in report.html", k)
		}
		if assert.NotNil(t, inHistory, "%s: no row in history.html", k) {
			assert.Equal(t, want, string(inHistory[1]), "%s in history.html", k)
		}
	}
	assert.Equal(t, fault.Membership.Colour().Fill, fault.Wipe.Colour().Fill, "a wipe is a membership change, on both pages")
}
