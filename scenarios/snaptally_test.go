package scenarios

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/raftlab/raftlab/api"
	"github.com/raftlab/raftlab/report"
)

func status(taken, installed, restores uint64, snapIdx uint64) api.Status {
	return api.Status{SnapshotsTaken: taken, SnapshotsInstalled: installed, SnapshotRestoresAtStart: restores, LastSnapshotIndex: snapIdx, LastSnapshotTerm: 2}
}

func figuresOf(t *snapTally, id string) report.NodeFigures {
	nf := report.NodeFigures{ID: id}
	t.fill(&nf)
	return nf
}

// TestSnapTallySumsAcrossRestarts: a node killed (announced by its nemesis
// event) whose new process counts the same as the old one is a new process;
// an answer of the old process that arrives after the event is not; a
// restart nobody announced shows as counters going down.
func TestSnapTallySumsAcrossRestarts(t *testing.T) {
	tl := newSnapTally()
	tl.observe("n1", tl.era("n1"), status(1, 0, 0, 100))
	tl.observe("n1", tl.era("n1"), status(2, 1, 0, 200)) // +1 taken, +1 installed
	inFlight := tl.era("n1")                             // asked for before the kill…
	tl.nemesis("kill", "n1")
	tl.observe("n1", inFlight, status(2, 1, 0, 200)) // …answered by the old process: no change
	tl.observe("n1", tl.era("n1"), status(0, 1, 1, 300))
	// The new process installed one snapshot and restored one at start: its
	// counts are whole, although "installed" did not go down.
	nf := figuresOf(tl, "n1")
	assert.Equal(t, uint64(2), nf.SnapshotsTaken)
	assert.Equal(t, uint64(2), nf.SnapshotsInstalled)
	assert.Equal(t, uint64(1), nf.SnapshotRestoresAtStart)
	assert.Equal(t, 1, nf.Restarts)
	assert.Equal(t, 4, nf.Samples)
	assert.Equal(t, uint64(300), nf.LastSnapshotIndex)

	// An unannounced restart (a rolling restart): counters went down.
	tl.observe("n1", tl.era("n1"), status(0, 0, 0, 300))
	tl.observe("n1", tl.era("n1"), status(1, 1, 0, 400))
	nf = figuresOf(tl, "n1")
	assert.Equal(t, uint64(3), nf.SnapshotsTaken)
	assert.Equal(t, uint64(3), nf.SnapshotsInstalled)
	assert.Equal(t, 2, nf.Restarts)

	// Faults that do not take processes down, and words of their values
	// that are not nodes, start no era.
	tl.nemesis("partition", "n2 | n1 n3")
	tl.nemesis("kill", "n9")
	tl.observe("n2", tl.era("n2"), status(3, 0, 0, 50))
	tl.nemesis("partition", "n2 | n1 n3")
	tl.observe("n2", tl.era("n2"), status(4, 1, 0, 60))
	nf = figuresOf(tl, "n2")
	assert.Equal(t, uint64(4), nf.SnapshotsTaken)
	assert.Equal(t, uint64(1), nf.SnapshotsInstalled)
	assert.Zero(t, nf.Restarts)

	assert.Equal(t, []string{"n1", "n2"}, tl.ids())
	unknown := figuresOf(tl, "n3")
	assert.Zero(t, unknown.Samples)
}
