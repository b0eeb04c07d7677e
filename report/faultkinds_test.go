package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Unknown operations are added up per fault kind, from the fault windows:
// two kills, one pause, one failed injection; quiet phases and operations
// outside the workload do not count.
func TestUnknownOperationsPerFaultKind(t *testing.T) {
	kill := func(n string) *Fault { return &Fault{Kind: "kill", Value: n} }
	ws := []FaultWindow{
		{Nemesis: "kill-leader", Fault: kill("n1"), Start: 100 * ms, End: 300 * ms},
		{Nemesis: "pause-node", Fault: &Fault{Kind: "pause", Value: "n2"}, Start: 400 * ms, End: 600 * ms},
		{Nemesis: "kill-leader", Fault: kill("n3"), Start: 700 * ms, End: 900 * ms},
		{Nemesis: "partition-leader", Error: "boom", Start: 950 * ms, End: 980 * ms},
	}
	var ops []hop
	p := 0
	add := func(at int64, n int, typ string) {
		for range n {
			ops = append(ops, hop{p, "set", at, at + 5, typ, ""})
			p++
		}
	}
	add(50, 4, "info")  // quiet: not counted
	add(150, 1, "info") // first kill: 1 unknown, 2 refused, 1 ok
	add(160, 2, "fail")
	add(170, 1, "ok")
	add(450, 5, "info")  // pause: 5 unknown
	add(750, 3, "info")  // second kill: 3 unknown
	add(960, 1, "fail")  // failed injection
	add(1200, 9, "info") // final reads: not counted

	s := Summarize(Input{Run: Run{WorkStart: 0, WorkEnd: 1000 * ms, Faults: ws, Reach: "container"}, Operations: pair(t, hist(ops...))})
	require.Len(t, s.ByFaultKind, 3)
	assert.Equal(t, FaultKindStats{Kind: "kill", Windows: 2, Seconds: 0.4, Counts: Counts{Ops: 7, OK: 1, Fail: 2, Info: 4}, InfoPerWindow: 2}, s.ByFaultKind[0])
	assert.Equal(t, FaultKindStats{Kind: "partition-leader (failed)", Windows: 1, Seconds: 0.03, Counts: Counts{Ops: 1, Fail: 1}}, s.ByFaultKind[1])
	assert.Equal(t, FaultKindStats{Kind: "pause", Windows: 1, Seconds: 0.2, Counts: Counts{Ops: 5, Info: 5}, InfoPerWindow: 5}, s.ByFaultKind[2])
	assert.Equal(t, "container", s.Reach)

	var b bytes.Buffer
	require.NoError(t, WriteHTML(&b, Input{}, s))
	html := b.String()
	assert.Contains(t, html, `id="by-fault-kind"`)
	assert.Contains(t, html, `<td class="l">kill</td><td>2</td><td>0.4</td><td>7</td><td>1</td><td>2</td><td><b>4</b></td><td>2.0</td>`)
	assert.Contains(t, html, "nodes reached at container addresses")

	// No fault windows: no table, and no reach recorded (an older run).
	s = Summarize(Input{Run: Run{WorkStart: 0, WorkEnd: 1000 * ms}, Operations: pair(t, hist(ops...))})
	assert.Empty(t, s.ByFaultKind)
	b.Reset()
	require.NoError(t, WriteHTML(&b, Input{}, s))
	assert.False(t, strings.Contains(b.String(), `id="by-fault-kind"`))
	assert.NotContains(t, b.String(), "nodes reached at")
}
