package campaign

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/report"
	"github.com/raftlab/raftlab/scenarios"
)

func TestRunLinesCarryTheCampaignState(t *testing.T) {
	clock := newFakeClock()
	var buf bytes.Buffer
	p := &progress{w: &buf, now: clock.Now, start: clock.Now(), total: 4}
	p.set(1, 90*time.Second)
	clock.Advance(30 * time.Second)
	p.finished(Result{Status: Fail, Verdict: "not linearizable"})

	w := p.runWriter()
	fmt.Fprintln(w, "kill-leader: running 3s/8s")
	assert.Equal(t, "[1/4 30s, ~1m0s left, 1 violation (1 unexpected), 1 not as expected] kill-leader: running 3s/8s\n", buf.String())

	buf.Reset()
	p.tty = true
	fmt.Fprint(w, clearLine+"kill-leader: checking")
	assert.Equal(t, clearLine+"[1/4 30s, ~1m0s left, 1 violation (1 unexpected), 1 not as expected] kill-leader: checking", buf.String())
	buf.Reset()
	fmt.Fprint(w, clearLine) // the run clearing its line passes through
	assert.Equal(t, clearLine, buf.String())
}

// recordingRunner checks, during each run, what the checkpointed page says.
type recordingRunner struct {
	fakeRunner
	out   string
	pages []string
}

func (rr *recordingRunner) Run(ctx context.Context, s scenarios.Scenario, seed uint64, dir string, progress io.Writer) (*report.Summary, error) {
	var page bytes.Buffer
	m, err := ReadManifest(rr.out)
	if err != nil {
		return nil, err
	}
	if err := WritePage(&page, m); err != nil {
		return nil, err
	}
	rr.pages = append(rr.pages, page.String())
	return rr.fakeRunner.Run(ctx, s, seed, dir, progress)
}

func TestACampaignKilledMidwayLeavesItsPage(t *testing.T) {
	out := t.TempDir()
	clock := newFakeClock()
	rr := &recordingRunner{fakeRunner: fakeRunner{clock: clock}, out: out}
	m := NewManifest(Matrix{Scenarios: []string{"kill-leader", "pause"}, Seeds: Seeds(1, 1)}, Shard{}, "test")
	require.NoError(t, Execute(context.Background(), m, Options{
		Out: out, Runner: rr, Now: clock.Now,
		Checkpoint: func(m *Manifest) error { return Write(out, m) },
	}))
	require.Len(t, rr.pages, 2)
	// While the first run runs, the files on disk list both as not run;
	// while the second runs, the first is in.
	assert.Equal(t, 2, strings.Count(rr.pages[0], ">not run<"))
	assert.Contains(t, rr.pages[0], "still running or cut short")
	assert.Equal(t, 1, strings.Count(rr.pages[1], ">not run<"))
	assert.Contains(t, rr.pages[1], ">pass<")
}
