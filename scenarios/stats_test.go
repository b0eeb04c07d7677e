package scenarios

import (
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/chaos"
	"github.com/raftlab/raftlab/linearizability"
)

const ms = int64(time.Millisecond)

// hist builds a history: each op is (process, f, invoke ms, complete ms,
// type, error); complete < 0 leaves it outstanding.
type hop struct {
	p        int
	f        string
	inv, end int64
	typ, err string
}

func hist(ops ...hop) []linearizability.Event {
	var evs []linearizability.Event
	v := linearizability.Str("v")
	for _, o := range ops {
		inv := linearizability.Event{Process: o.p, Type: "invoke", F: o.f, Key: "k1", Time: o.inv * ms}
		if o.f == "set" || o.f == "cas" {
			inv.Value = v
		}
		if o.f == "cas" {
			inv.Expect = v
		}
		evs = append(evs, inv)
		if o.end >= 0 {
			evs = append(evs, linearizability.Event{Process: o.p, Type: o.typ, F: o.f, Key: "k1", Time: o.end * ms, Error: o.err})
		}
	}
	// Time order, as a recorder would have them.
	for i := 1; i < len(evs); i++ {
		for j := i; j > 0 && evs[j].Time < evs[j-1].Time; j-- {
			evs[j], evs[j-1] = evs[j-1], evs[j]
		}
	}
	return evs
}

func TestPairOps(t *testing.T) {
	evs := hist(
		hop{0, "get", 0, 10, "ok", ""},
		hop{1, "cas", 5, 8, "fail", ""},          // mismatch
		hop{2, "cas", 6, 9, "fail", "no leader"}, // refused
		hop{3, "set", 7, -1, "", ""},             // never completed
		hop{4, "delete", 20, 30, "info", "timeout"},
	)
	evs = append(evs, linearizability.Event{Process: -1, Type: "info", F: "kill", Time: 31 * ms})
	ops := pairOps(evs)
	got := map[string][3]any{}
	for _, o := range ops {
		got[o.F+o.Type] = [3]any{o.Invoke / ms, o.Complete, o.Mismatch}
	}
	want := map[string][3]any{
		"getok":      {int64(0), 10 * ms, false},
		"setinfo":    {int64(7), int64(-1), false},
		"deleteinfo": {int64(20), 30 * ms, false},
	}
	if len(ops) != 5 {
		t.Fatalf("%d ops, want 5", len(ops))
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %v, want %v", k, got[k], w)
		}
	}
	mism := 0
	for _, o := range ops {
		if o.Mismatch {
			mism++
			if o.Invoke != 5*ms {
				t.Errorf("the mismatch is the wrong cas: %+v", o)
			}
		}
	}
	if mism != 1 {
		t.Errorf("%d mismatches, want 1", mism)
	}
}

func TestBuildPhases(t *testing.T) {
	f := &chaos.Fault{Kind: "kill", Value: "n2"}
	ws := []chaos.Window{
		{Nemesis: "kill-leader", Fault: f, Start: 100 * ms, End: 300 * ms},
		{Nemesis: "pause-node", Error: "boom", Start: 500 * ms, End: 520 * ms},
		{Nemesis: "kill-leader", Fault: f, Start: 900 * ms, End: 1500 * ms}, // runs past the end
	}
	got := buildPhases(ws, 0, 1000*ms)
	want := []Phase{
		{PhaseQuiet, "", 0, 100 * ms},
		{PhaseFault, "kill n2", 100 * ms, 300 * ms},
		{PhaseQuiet, "", 300 * ms, 500 * ms},
		{PhaseFault, "pause-node (failed: boom)", 500 * ms, 520 * ms},
		{PhaseQuiet, "", 520 * ms, 900 * ms},
		{PhaseFault, "kill n2", 900 * ms, 1000 * ms},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("phases\n%+v\nwant\n%+v", got, want)
	}
	if got := buildPhases(nil, 0, 10); len(got) != 1 || got[0].Kind != PhaseQuiet {
		t.Errorf("no windows: %+v", got)
	}
}

func TestPhaseStats(t *testing.T) {
	phases := []Phase{
		{PhaseQuiet, "", 0, 1000 * ms},
		{PhaseFault, "kill n1", 1000 * ms, 2000 * ms},
		{PhaseQuiet, "", 2000 * ms, 3000 * ms},
	}
	var ops []hop
	// Quiet 1: 100 ok ops with latencies 1..100 ms.
	for i := range 100 {
		ops = append(ops, hop{i, "get", int64(i), int64(i) + int64(i+1), "ok", ""})
	}
	// Fault: 10 ok (5 ms), 5 cas mismatches (7 ms), 20 refused, 5 unknown.
	p := 1000
	add := func(n int, f string, lat int64, typ, err string) {
		for range n {
			ops = append(ops, hop{p, f, 1000 + int64(p%900), 1000 + int64(p%900) + lat, typ, err})
			p++
		}
	}
	add(10, "set", 5, "ok", "")
	add(5, "cas", 7, "fail", "")
	add(20, "set", 1, "fail", "no leader")
	add(5, "delete", 1500, "info", "timeout")
	// Quiet 2: 50 ok ops at 2 ms; one op invoked after the end is ignored.
	for i := range 50 {
		ops = append(ops, hop{5000 + i, "get", 2000 + int64(i), 2002 + int64(i), "ok", ""})
	}
	ops = append(ops, hop{9999, "get", 3500, 3501, "ok", ""})

	each, kinds := phaseStats(pairOps(hist(ops...)), phases)
	if len(each) != 3 {
		t.Fatalf("%d phases", len(each))
	}
	q1, f, q2 := each[0].Stats, each[1].Stats, each[2].Stats
	if q1.Ops != 100 || q1.OK != 100 || q1.P50ms != 50 || q1.P99ms != 99 || q1.MaxMs != 100 || q1.OKPerSec != 100 || q1.Availability != 1 {
		t.Errorf("quiet 1: %+v", q1)
	}
	if f.Ops != 40 || f.OK != 10 || f.Mismatch != 5 || f.Fail != 20 || f.Info != 5 {
		t.Errorf("fault counts: %+v", f)
	}
	if f.Availability != 0.375 || f.OKPerSec != 10 || f.P50ms != 5 || f.MaxMs != 7 {
		t.Errorf("fault figures: %+v", f)
	}
	if q2.Ops != 50 || q2.P50ms != 2 {
		t.Errorf("quiet 2: %+v", q2)
	}
	q := kinds[PhaseQuiet]
	if q.Ops != 150 || q.Seconds != 2 || q.OKPerSec != 75 {
		t.Errorf("all quiet: %+v", q)
	}
	if kinds[PhaseFault].Ops != 40 || kinds[PhaseFault].Seconds != 1 {
		t.Errorf("all fault: %+v", kinds[PhaseFault])
	}

	total, byF := countOps(pairOps(hist(ops...)), 0, 3000*ms)
	if total.Ops != 190 || total.OK != 160 || total.Mismatch != 5 || total.Fail != 20 || total.Info != 5 {
		t.Errorf("totals %+v", total)
	}
	if byF["cas"].Mismatch != 5 || byF["get"].OK != 150 {
		t.Errorf("by f %+v", byF)
	}

	bins := timeline(pairOps(hist(ops...)), 0, 3000*ms, 500*ms)
	if len(bins) != 6 {
		t.Fatalf("%d bins", len(bins))
	}
	if bins[0].OK != 100 || bins[2].OK+bins[3].OK != 15 || bins[4].OK != 50 {
		t.Errorf("bins %+v", bins)
	}
}

func TestPercentile(t *testing.T) {
	if percentile(nil, 0.5) != 0 {
		t.Error("empty")
	}
	s := []float64{1, 2, 3, 4}
	if percentile(s, 0.5) != 2 || percentile(s, 0.99) != 4 || percentile(s, 0) != 1 {
		t.Error("nearest rank")
	}
}

func TestFirstViolationIsTheEarliestBlockedOperation(t *testing.T) {
	op := func(call, ret int64) linearizability.Blocked {
		return linearizability.Blocked{Operation: linearizability.Operation{Call: call, Return: ret}}
	}
	assert.Nil(t, firstViolation(nil, 0))
	exs := []linearizability.Explanation{
		{Key: "k1", Blocked: []linearizability.Blocked{op(4e9, 5e9), op(3e9, 7e9)}},
		{Key: "k2", Blocked: []linearizability.Blocked{op(2.5e9, -1)}}, // open: its invocation counts
	}
	got := firstViolation(exs, 1e9)
	require.NotNil(t, got)
	assert.InDelta(t, 1.5, *got, 1e-9)
}
