package report

import (
	"reflect"
	"testing"
	"time"

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

// pair pairs a history with linearizability's own pairing.
func pair(t *testing.T, evs []linearizability.Event) []linearizability.Operation {
	t.Helper()
	ops, err := linearizability.Pair(evs)
	if err != nil {
		t.Fatal(err)
	}
	return ops
}

func TestOutcomesOfPairedOperations(t *testing.T) {
	evs := hist(
		hop{0, "get", 0, 10, "ok", ""},
		hop{1, "cas", 5, 8, "fail", ""},          // mismatch
		hop{2, "cas", 6, 9, "fail", "no leader"}, // refused
		hop{3, "set", 7, -1, "", ""},             // never completed
		hop{4, "delete", 20, 30, "info", "timeout"},
	)
	evs = append(evs, linearizability.Event{Process: -1, Type: "info", F: "kill", Time: 31 * ms})
	total, byF, _ := countOps(pair(t, evs), 0, 100*ms)
	if total != (Counts{Ops: 5, OK: 1, Mismatch: 1, Fail: 1, Info: 2}) {
		t.Errorf("totals %+v", total)
	}
	if byF["cas"] != (Counts{Ops: 2, Mismatch: 1, Fail: 1}) {
		t.Errorf("cas %+v", byF["cas"])
	}
}

func TestBuildPhases(t *testing.T) {
	f := &Fault{Kind: "kill", Value: "n2", HealKind: "start"}
	ws := []FaultWindow{
		{Nemesis: "kill-leader", Fault: f, Start: 100 * ms, Healing: 250 * ms, End: 300 * ms},
		{Nemesis: "pause-node", Error: "boom", Start: 500 * ms, End: 520 * ms},
		{Nemesis: "kill-leader", Fault: f, Start: 900 * ms, End: 1500 * ms}, // runs past the end, not healed
	}
	got := buildPhases(ws, 0, 1000*ms)
	want := []Phase{
		{Kind: PhaseQuiet, Start: 0, End: 100 * ms},
		{Kind: PhaseFault, Fault: "kill n2", FaultKind: "kill", Heal: "start", Start: 100 * ms, End: 300 * ms},
		{Kind: PhaseQuiet, Start: 300 * ms, End: 500 * ms},
		{Kind: PhaseFault, Fault: "pause-node (failed: boom)", FaultKind: "pause-node (failed)", Start: 500 * ms, End: 520 * ms},
		{Kind: PhaseQuiet, Start: 520 * ms, End: 900 * ms},
		{Kind: PhaseFault, Fault: "kill n2", FaultKind: "kill", Start: 900 * ms, End: 1000 * ms},
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
		{Kind: PhaseQuiet, Start: 0, End: 1000 * ms},
		{Kind: PhaseFault, Fault: "kill n1", FaultKind: "kill", Start: 1000 * ms, End: 2000 * ms},
		{Kind: PhaseQuiet, Start: 2000 * ms, End: 3000 * ms},
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

	each, kinds := phaseStats(pair(t, hist(ops...)), phases)
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

	total, byF, _ := countOps(pair(t, hist(ops...)), 0, 3000*ms)
	if total.Ops != 190 || total.OK != 160 || total.Mismatch != 5 || total.Fail != 20 || total.Info != 5 {
		t.Errorf("totals %+v", total)
	}
	if byF["cas"].Mismatch != 5 || byF["get"].OK != 150 {
		t.Errorf("by f %+v", byF)
	}

	bins := timeline(pair(t, hist(ops...)), 0, 3000*ms, 500*ms)
	if len(bins) != 6 {
		t.Fatalf("%d bins", len(bins))
	}
	if bins[0].Definite != 100 || bins[2].Definite+bins[3].Definite != 15 || bins[4].Definite != 50 {
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

func TestTimelineLastBin(t *testing.T) {
	ops := pair(t, hist(hop{0, "get", 950, 951, "ok", ""}, hop{1, "get", 1001, 1002, "ok", ""}))
	// 1000 ms + 2 ms in 100 ms bins: the 2 ms rest joins the last bin.
	bins := timeline(ops, 0, 1002*ms, 100*ms)
	if len(bins) != 10 || bins[9].Width != 102*ms || bins[9].Definite != 2 {
		t.Errorf("bins %+v", bins)
	}
	// A rest of half a bin or more is a bin of its own, with its width.
	bins = timeline(ops, 0, 1050*ms, 100*ms)
	if len(bins) != 11 || bins[10].Width != 50*ms || bins[10].Definite != 1 {
		t.Errorf("bins %+v", bins)
	}
}
