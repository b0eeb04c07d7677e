package campaign

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPageIsSelfContainedAndShowsEveryRun(t *testing.T) {
	m, out := sampleManifest(t)
	var buf bytes.Buffer
	require.NoError(t, WritePage(&buf, m))
	page := buf.String()
	// RAFTLAB_CAMPAIGN_PAGE=/some/dir keeps the sample page to look at.
	if dir := os.Getenv("RAFTLAB_CAMPAIGN_PAGE"); dir != "" {
		require.NoError(t, Write(dir, m))
		require.NoError(t, copyDir(filepath.Join(out, RunsDir), filepath.Join(dir, RunsDir)))
	}

	// No network: nothing is loaded from anywhere, no script.
	assert.NotRegexp(t, regexp.MustCompile(`(?i)(src|href)\s*=\s*"(https?:)?//`), page)
	assert.NotContains(t, strings.ToLower(page), "<script")
	assert.NotContains(t, page, "@import")
	assert.Contains(t, page, "<style>")

	tl := m.Tally()
	assert.Contains(t, page, "FAILED: a run did not have its expected verdict")
	for _, word := range []string{">pass<", ">fail<", ">unknown<", ">error<", ">skipped (budget)<"} {
		assert.Contains(t, page, word, "every status has its word")
	}
	// Every run that ran links its report, relative to the page.
	links := regexp.MustCompile(`href="(runs/[^"]+/report\.html)"`).FindAllStringSubmatch(page, -1)
	require.NotEmpty(t, links)
	for _, l := range links {
		assert.FileExists(t, filepath.Join(out, filepath.FromSlash(l[1])))
	}
	// Figures: operations, availability in faults, time to first violation.
	assert.Contains(t, page, "1\u202f234")
	assert.Contains(t, page, "88%")
	assert.Contains(t, page, "3.2 s")
	// The command that repeats each run that was not as expected.
	for _, r := range m.Results {
		if r.Failed() {
			assert.Contains(t, page, r.Repro)
		}
	}
	assert.Equal(t, 4, tl.Fail+tl.Unknown+tl.Error)
}

func TestMarkdownStaysShort(t *testing.T) {
	m := NewManifest(Matrix{Scenarios: Names(), Seeds: Seeds(1, 50)}, Shard{}, "test")
	for i := range m.Results {
		m.Results[i].Status = Fail
		m.Results[i].Outcome = strings.Repeat("NOT linearizable | <b> ", 40)
	}
	var buf bytes.Buffer
	require.NoError(t, WriteMarkdown(&buf, m))
	md := buf.String()
	// One table row per scenario (about 100 bytes each, 40 scenarios) plus
	// at most 15 listed runs: a job summary, not a report.
	assert.Less(t, len(md), 12<<10, "a job summary, not a report")
	assert.Contains(t, md, fmt.Sprintf("… and %d more", len(m.Results)-15))
	// The first listed run is the first scenario's first seed (whichever
	// scenario sorts first: a new scenario must not break this test).
	assert.Contains(t, md, "`chaoslab run --scenario "+Names()[0]+" --seed 1 --duration ")
	assert.NotContains(t, md, "<b>", "outcomes are escaped")
}
