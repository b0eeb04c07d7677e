package scenarios

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/raftlab/raftlab/api"
	"github.com/raftlab/raftlab/linearizability"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func plan(seed uint64, client, n int) []Op {
	g := newGenerator(seed, client, keySpace{Slots: 5}, Mix{}, 10*time.Millisecond)
	ops := make([]Op, n)
	for i := range ops {
		ops[i] = g.Next()
	}
	return ops
}

func TestGeneratorIsDeterministicPerSeed(t *testing.T) {
	a, b := plan(42, 3, 500), plan(42, 3, 500)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed and client, different operations")
	}
	if reflect.DeepEqual(a, plan(43, 3, 500)) {
		t.Error("the seed does not change the operations")
	}
	if reflect.DeepEqual(a, plan(42, 4, 500)) {
		t.Error("two clients of one run plan the same operations")
	}
}

func TestGeneratorMixKeysValuesAndThink(t *testing.T) {
	const n = 20000
	ops := plan(7, 2, n)
	count := map[string]int{}
	keys := map[string]bool{}
	values := map[string]bool{}
	var think time.Duration
	for _, op := range ops {
		count[op.F]++
		keys[op.Key] = true
		think += op.Think
		if op.Think < 0 || op.Think >= 20*time.Millisecond {
			t.Fatalf("think %v outside [0, 2×mean)", op.Think)
		}
		switch op.F {
		case linearizability.FSet, linearizability.FCAS:
			if !strings.HasPrefix(op.Value, "c2-") || values[op.Value] {
				t.Fatalf("value %q not unique or not client 2's", op.Value)
			}
			values[op.Value] = true
		default:
			if op.Value != "" {
				t.Fatalf("%s with value %q", op.F, op.Value)
			}
		}
	}
	want := map[string]float64{"get": 0.50, "set": 0.25, "delete": 0.10, "cas": 0.15}
	for f, share := range want {
		if got := float64(count[f]) / n; got < share-0.02 || got > share+0.02 {
			t.Errorf("%s: %.3f of operations, want about %.2f", f, got, share)
		}
	}
	if len(keys) != 5 {
		t.Errorf("used keys %v, want k1..k5", keys)
	}
	if mean := think / n; mean < 9*time.Millisecond || mean > 11*time.Millisecond {
		t.Errorf("mean think %v, want about 10ms", mean)
	}
	// A mix without deletes never deletes.
	g := newGenerator(1, 0, keySpace{Slots: 2}, Mix{Get: 1, Set: 1}, 0)
	for range 1000 {
		if op := g.Next(); op.F != linearizability.FGet && op.F != linearizability.FSet {
			t.Fatalf("mix get/set produced %s", op.F)
		}
	}
}

// fakeKV answers from a script of results, or from a map when the script is
// empty, and remembers the calls.
type fakeKV struct {
	data   map[string]string
	script []api.Result
	calls  []string
}

func (f *fakeKV) next(def func() api.Result) api.Result {
	if len(f.script) > 0 {
		r := f.script[0]
		f.script = f.script[1:]
		return r
	}
	return def()
}

func (f *fakeKV) Get(_ context.Context, key string, level api.ReadLevel) api.Result {
	f.calls = append(f.calls, "get "+key+" "+string(level))
	return f.next(func() api.Result {
		if v, ok := f.data[key]; ok {
			return api.Result{Outcome: api.OK, Value: &v}
		}
		return api.Result{Outcome: api.OK}
	})
}

func (f *fakeKV) Set(_ context.Context, key, value string) api.Result {
	f.calls = append(f.calls, "set "+key+" "+value)
	return f.next(func() api.Result { f.data[key] = value; return api.Result{Outcome: api.OK} })
}

func (f *fakeKV) Delete(_ context.Context, key string) api.Result {
	f.calls = append(f.calls, "delete "+key)
	return f.next(func() api.Result { delete(f.data, key); return api.Result{Outcome: api.OK} })
}

func (f *fakeKV) CAS(_ context.Context, key, expect, value string) api.Result {
	f.calls = append(f.calls, "cas "+key+" "+expect+" "+value)
	return f.next(func() api.Result {
		if cur, ok := f.data[key]; ok && cur == expect {
			f.data[key] = value
			return api.Result{Outcome: api.OK}
		}
		var cur *string
		if v, ok := f.data[key]; ok {
			cur = &v
		}
		return api.Result{Outcome: api.Fail, Mismatch: true, Value: cur, Status: 409, Err: errors.New("cas mismatch")}
	})
}

func TestWorkerRecordsOutcomes(t *testing.T) {
	rec := linearizability.NewRecorder()
	kv := &fakeKV{data: map[string]string{"k1": "old"}}
	var cnt counters
	w := newWorker(newGenerator(1, 0, keySpace{Slots: 1}, Mix{}, 0), kv, rec.NewClient("n1"), api.ReadLeader, &cnt)
	ctx := context.Background()

	w.do(ctx, Op{F: "get", Key: "k1"})                // ok "old"
	w.do(ctx, Op{F: "cas", Key: "k1", Value: "c0-1"}) // expects what it read: swaps
	kv.data["k1"] = "other"                           // someone else writes
	w.do(ctx, Op{F: "cas", Key: "k1", Value: "c0-2"}) // mismatch: learns "other"
	w.do(ctx, Op{F: "cas", Key: "k1", Value: "c0-3"}) // expects "other": swaps
	kv.script = []api.Result{{Outcome: api.Fail, Status: 503, Err: errors.New("http 503: no leader")}}
	w.do(ctx, Op{F: "set", Key: "k1", Value: "c0-4"}) // definite failure
	kv.script = []api.Result{{Outcome: api.Unknown, Err: errors.New("timeout")}}
	w.do(ctx, Op{F: "delete", Key: "k1"}) // unknown
	w.do(ctx, Op{F: "get", Key: "k1"})    // fresh process after info

	wantCalls := []string{"get k1 leader", "cas k1 old c0-1", "cas k1 c0-1 c0-2", "cas k1 other c0-3", "set k1 c0-4", "delete k1", "get k1 leader"}
	if !reflect.DeepEqual(kv.calls, wantCalls) {
		t.Errorf("calls\n%q\nwant\n%q", kv.calls, wantCalls)
	}
	type line struct {
		P          int
		Type, F    string
		Value, Err string
	}
	var got []line
	for _, e := range rec.Events() {
		if e.Type == linearizability.TypeInvoke {
			continue
		}
		v := ""
		if e.Value != nil {
			v = *e.Value
		}
		got = append(got, line{e.Process, e.Type, e.F, v, e.Error})
	}
	want := []line{
		{0, "ok", "get", "old", ""},
		{0, "ok", "cas", "c0-1", ""},
		{0, "fail", "cas", "c0-2", ""}, // found another value: no error
		{0, "ok", "cas", "c0-3", ""},
		{0, "fail", "set", "c0-4", "http 503: no leader"},
		{0, "info", "delete", "", "timeout"},
		{1, "ok", "get", "c0-3", ""},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("history\n%+v\nwant\n%+v", got, want)
	}
	live := [linearizability.NumOutcomes]int64{}
	for o := range live {
		live[o] = cnt.get(linearizability.Outcome(o))
	}
	if live != [linearizability.NumOutcomes]int64{4, 1, 1, 1} {
		t.Errorf("live counters (ok, mismatch, fail, info) %v", live)
	}
	// The live counters and the history's operations agree: one classifier.
	ops, err := linearizability.Pair(rec.Events())
	if err != nil {
		t.Fatal(err)
	}
	var fromHistory [linearizability.NumOutcomes]int64
	for i := range ops {
		fromHistory[ops[i].Outcome()]++
	}
	if fromHistory != live {
		t.Errorf("history outcomes %v, live counters %v", fromHistory, live)
	}
	if _, err := linearizability.Check(ctx, rec.Events(), linearizability.Options{}); err != nil {
		t.Errorf("the recorded history is malformed: %v", err)
	}
}

func TestCASWithNothingSeenExpectsEmpty(t *testing.T) {
	rec := linearizability.NewRecorder()
	kv := &fakeKV{data: map[string]string{}}
	w := newWorker(newGenerator(1, 0, keySpace{Slots: 1}, Mix{}, 0), kv, rec.NewClient("n1"), api.ReadLinearizable, &counters{})
	w.do(context.Background(), Op{F: "cas", Key: "k1", Value: "c0-1"})
	if kv.calls[0] != "cas k1  c0-1" {
		t.Errorf("call %q, want a cas expecting \"\"", kv.calls[0])
	}
}

// With the same seed and the same answers, two runs of a client issue the
// same calls, pauses included.
func TestWorkerSameSeedSameCalls(t *testing.T) {
	run := func() ([]string, time.Duration) {
		rec := linearizability.NewRecorder()
		kv := &fakeKV{data: map[string]string{}}
		g := newGenerator(99, 1, keySpace{Slots: 3}, Mix{}, time.Millisecond)
		w := newWorker(g, kv, rec.NewClient("n2"), api.ReadLinearizable, &counters{})
		var think time.Duration
		for range 300 {
			op := g.Next()
			think += op.Think
			w.do(context.Background(), op)
		}
		return kv.calls, think
	}
	a, ta := run()
	b, tb := run()
	if !reflect.DeepEqual(a, b) || ta != tb {
		t.Error("same seed, different calls or pauses")
	}
}

func TestWorkerRunStops(t *testing.T) {
	rec := linearizability.NewRecorder()
	kv := &fakeKV{data: map[string]string{}}
	w := newWorker(newGenerator(1, 0, keySpace{Slots: 2}, Mix{}, time.Millisecond), kv, rec.NewClient("n1"), api.ReadStale, &counters{})
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { w.run(context.Background(), stop); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for len(rec.Events()) < 20 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond) // polling a condition with a deadline
	}
	close(stop)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("worker did not stop")
	}
	evs := rec.Events()
	if len(evs)%2 != 0 || evs[len(evs)-1].Type == linearizability.TypeInvoke {
		t.Error("worker stopped with an operation outstanding")
	}
}

func TestBackoff(t *testing.T) {
	want := []time.Duration{0, 25, 50, 100, 200, 400, 400}
	for n, w := range want {
		if got := backoff(n); got != w*time.Millisecond {
			t.Errorf("backoff(%d) = %v, want %v", n, got, w*time.Millisecond)
		}
	}
	if backoff(1000) != backoffMax {
		t.Error("backoff overflows")
	}
}

// Reads record their level, and ok completions the store's evidence; a
// failed cas and answers without headers record none.
func TestWorkerRecordsLevelAndEvidence(t *testing.T) {
	rec := linearizability.NewRecorder()
	v := "x"
	kv := &fakeKV{data: map[string]string{}, script: []api.Result{
		{Outcome: api.OK, Index: 7, Incarnation: "inc-a"},            // set
		{Outcome: api.OK, Value: &v, Index: 9, Incarnation: "inc-b"}, // get
		{Outcome: api.OK}, // get, no evidence
		{Outcome: api.Fail, Mismatch: true, Value: &v, Index: 11, Incarnation: "inc-a", Status: 409, Err: errors.New("cas mismatch")},
	}}
	var cnt counters
	w := newWorker(newGenerator(1, 0, keySpace{Slots: 1}, Mix{}, 0), kv, rec.NewClient("n1"), api.ReadStale, &cnt)
	ctx := context.Background()
	w.do(ctx, Op{F: "set", Key: "k1", Value: "c0-1"})
	w.do(ctx, Op{F: "get", Key: "k1"})
	w.do(ctx, Op{F: "get", Key: "k1"})
	w.do(ctx, Op{F: "cas", Key: "k1", Value: "c0-2"})

	var got []string
	for _, e := range rec.Events() {
		got = append(got, fmt.Sprintf("%s %s level=%q index=%d inc=%q", e.Type, e.F, e.Level, e.Index, e.Incarnation))
	}
	want := []string{
		`invoke set level="" index=0 inc=""`,
		`ok set level="" index=7 inc="inc-a"`,
		`invoke get level="stale" index=0 inc=""`,
		`ok get level="stale" index=9 inc="inc-b"`,
		`invoke get level="stale" index=0 inc=""`,
		`ok get level="stale" index=0 inc=""`,
		`invoke cas level="" index=0 inc=""`,
		`fail cas level="" index=0 inc=""`,
	}
	assert.Equal(t, want, got)
}

// Levels gives each client its level, round robin; ReadMix names the mix.
func TestScenarioLevels(t *testing.T) {
	s := base("x", "x")
	assert.Equal(t, "linearizable", s.ReadMix())
	s.Levels = []api.ReadLevel{api.ReadLinearizable, api.ReadStale}
	assert.Equal(t, api.ReadLinearizable, s.LevelOf(0))
	assert.Equal(t, api.ReadStale, s.LevelOf(3))
	assert.Equal(t, "linearizable+stale", s.ReadMix())
	require.NoError(t, s.Validate())
	s.Clients = 1
	assert.Equal(t, "linearizable", s.ReadMix(), "only the levels some client uses")
	s.Levels = []api.ReadLevel{api.ReadStale, "eventual"}
	assert.ErrorContains(t, s.Validate(), "levels[1]")
}
