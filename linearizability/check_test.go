package linearizability

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// historyBuilder writes small histories in tests.
type historyBuilder struct {
	events []Event
	t      int64
	next   int
}

func (b *historyBuilder) tick() int64 { b.t += 10; return b.t }

// op appends a complete operation on its own process, sequential with
// everything before it.
func (b *historyBuilder) op(f, key string, value, expect *string, typ string, read *string) {
	p := b.next
	b.next++
	b.events = append(b.events, Event{Process: p, Type: TypeInvoke, F: f, Key: key, Value: value, Expect: expect, Time: b.tick()})
	done := Event{Process: p, Type: typ, F: f, Key: key, Value: value, Time: b.tick()}
	if f == FGet {
		done.Value = read
	}
	b.events = append(b.events, done)
}

// pathological appends a key that porcupine cannot decide quickly: n
// concurrent unknown writes, each value read once in turn, then a read of a
// value nobody wrote, which forces the search through every subset.
func (b *historyBuilder) pathological(key string, n int) {
	for i := 0; i < n; i++ {
		b.events = append(b.events, Event{Process: b.next, Type: TypeInvoke, F: FSet, Key: key, Value: Str(fmt.Sprintf("w%d", i)), Time: b.tick()})
		b.next++
	}
	for i := n - 1; i >= 0; i-- {
		b.op(FGet, key, nil, nil, TypeOk, Str(fmt.Sprintf("w%d", i)))
	}
	b.op(FGet, key, nil, nil, TypeOk, Str("never"))
}

func TestVerdictRule(t *testing.T) {
	linKey := func(b *historyBuilder, key string) {
		b.op(FSet, key, Str("a"), nil, TypeOk, nil)
		b.op(FGet, key, nil, nil, TypeOk, Str("a"))
	}
	badKey := func(b *historyBuilder, key string) {
		b.op(FSet, key, Str("a"), nil, TypeOk, nil)
		b.op(FGet, key, nil, nil, TypeOk, Str("b"))
	}
	opts := Options{PerKeyTimeout: 200 * time.Millisecond}

	t.Run("all linearizable", func(t *testing.T) {
		var b historyBuilder
		linKey(&b, "a")
		linKey(&b, "b")
		res, err := Check(context.Background(), b.events, opts)
		require.NoError(t, err)
		assert.Equal(t, Linearizable, res.Verdict)
		assert.Len(t, res.Keys, 2)
	})
	t.Run("one unknown key makes the history unknown", func(t *testing.T) {
		var b historyBuilder
		linKey(&b, "a")
		b.pathological("p", 26)
		start := time.Now()
		res, err := Check(context.Background(), b.events, opts)
		require.NoError(t, err)
		assert.Less(t, time.Since(start), 5*time.Second, "the budget stops the search promptly")
		assert.Equal(t, Unknown, res.Verdict)
		assert.Equal(t, Linearizable, res.Keys["a"].Verdict)
		assert.Equal(t, Unknown, res.Keys["p"].Verdict)
		assert.Contains(t, res.Keys["p"].Reason, "time budget")
		assert.Equal(t, []string{"p"}, res.KeysWith(Unknown))
	})
	t.Run("one bad key wins over an unknown one", func(t *testing.T) {
		var b historyBuilder
		badKey(&b, "a")
		b.pathological("p", 26)
		res, err := Check(context.Background(), b.events, opts)
		require.NoError(t, err)
		assert.Equal(t, NotLinearizable, res.Verdict)
		assert.Equal(t, Unknown, res.Keys["p"].Verdict)
		assert.Equal(t, []string{"a"}, res.KeysWith(NotLinearizable))
		require.Len(t, res.Explanations, 1)
		assert.Equal(t, "a", res.Explanations[0].Key)
	})
	t.Run("empty history", func(t *testing.T) {
		res, err := Check(context.Background(), nil, opts)
		require.NoError(t, err)
		assert.Equal(t, Linearizable, res.Verdict)
	})
	t.Run("only failed operations", func(t *testing.T) {
		var b historyBuilder
		b.op(FGet, "k", nil, nil, TypeFail, nil)
		b.op(FSet, "k", Str("a"), nil, TypeFail, nil)
		res, err := Check(context.Background(), b.events, opts)
		require.NoError(t, err)
		assert.Equal(t, Linearizable, res.Verdict)
		assert.Equal(t, 0, res.Keys["k"].Checked)
	})
}

func TestMemoryGuardStopsAPathologicalKey(t *testing.T) {
	var b historyBuilder
	b.pathological("p", 26)
	start := time.Now()
	res, err := Check(context.Background(), b.events, Options{PerKeyTimeout: time.Minute, MaxHeap: 1})
	require.NoError(t, err)
	assert.Less(t, time.Since(start), 10*time.Second)
	assert.Equal(t, Unknown, res.Verdict)
	assert.Contains(t, res.Keys["p"].Reason, "memory guard")
}

func TestCancelledContext(t *testing.T) {
	var b historyBuilder
	b.pathological("p", 26)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := Check(ctx, b.events, Options{PerKeyTimeout: time.Minute})
	require.NoError(t, err)
	assert.Equal(t, Unknown, res.Verdict)
	assert.Equal(t, "cancelled", res.Keys["p"].Reason)
}

func TestProgressAndJSON(t *testing.T) {
	var b historyBuilder
	for i := 0; i < 20; i++ {
		b.op(FSet, fmt.Sprintf("k%d", i), Str("a"), nil, TypeOk, nil)
	}
	var calls []int
	res, err := Check(context.Background(), b.events, Options{Progress: func(done, total int) {
		assert.Equal(t, 20, total)
		calls = append(calls, done)
	}})
	require.NoError(t, err)
	require.Len(t, calls, 20)
	assert.Equal(t, 20, calls[19])

	out, err := json.Marshal(res)
	require.NoError(t, err)
	assert.Contains(t, string(out), `"verdict":"linearizable"`)
	assert.Contains(t, string(out), `"k7":{"verdict":"linearizable"`)
}

func TestDrawWithNemesisAnnotations(t *testing.T) {
	events := readFile(t, "testdata/stale-read.bad.jsonl")
	events = append([]Event{{Process: -1, Type: TypeInfo, F: "partition", Value: Str("n1 | n2 n3"), Time: 0}}, events...)
	events = append(events, Event{Process: -1, Type: TypeInfo, F: "heal", Time: 60})
	res, err := Check(context.Background(), events, Options{})
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, res.WriteHTML(&buf, DrawOptions{}))
	html := buf.String()
	assert.True(t, strings.HasPrefix(strings.TrimSpace(html), "<!DOCTYPE html>") || strings.Contains(html, "<html"), "an HTML page")
	assert.Contains(t, html, "nemesis: partition")
	assert.Contains(t, html, "partition n1 | n2 n3")
	assert.Contains(t, html, `get(x) → \"a\"`)

	buf.Reset()
	require.NoError(t, Draw(&buf, events, DrawOptions{Keys: []string{"x"}}))
	assert.Contains(t, buf.String(), "nemesis: partition")
	assert.Error(t, Draw(&buf, events, DrawOptions{Keys: []string{"nope"}}))
}

func TestNemesisWindows(t *testing.T) {
	n := func(typ, f, value string, time int64) nemesisEvent {
		e := Event{Process: -1, Type: typ, F: f, Time: time}
		if value != "" {
			e.Value = Str(value)
		}
		return nemesisEvent{Event: e, Line: int(time)}
	}
	anns := nemesisAnnotations([]nemesisEvent{
		n(TypeInfo, "kill", "n1", 10),
		n(TypeInfo, "partition", "n1 | n2 n3", 20),
		n(TypeInfo, "kill", "n2", 30),
		n(TypeInfo, "start", "n1", 40),   // ends kill n1, not kill n2
		n(TypeInfo, "heal", "", 50),      // ends the partition
		n(TypeInvoke, "pause", "n3", 60), // invoke+completion: one event
		n(TypeOk, "pause", "", 61),
		n(TypeInfo, "resume", "n3", 70),
		n(TypeInfo, "heal", "", 80), // nothing to end: a point
		n(TypeInfo, "wipe", "n2", 90),
	}, 100)
	type w struct {
		tag, desc  string
		start, end int64
	}
	var got []w
	for _, a := range anns {
		got = append(got, w{a.Tag, a.Description, a.Start, a.End})
	}
	assert.Equal(t, []w{
		{"nemesis: kill", "kill n1", 10, 40},
		{"nemesis: partition", "partition n1 | n2 n3", 20, 50},
		{"nemesis: kill", "kill n2 (never ended)", 30, 101},
		{"nemesis: pause", "pause n3", 60, 70},
		{"nemesis: heal", "heal", 80, 80},
		{"nemesis: wipe", "wipe n2 (never ended)", 90, 101},
	}, got)
}

// TestMembershipAndDiskWindows: the membership and disk faults of package
// chaos pair with their closing events.
func TestMembershipAndDiskWindows(t *testing.T) {
	n := func(f, value string, time int64) nemesisEvent {
		return nemesisEvent{Event: Event{Process: -1, Type: TypeInfo, F: f, Time: time, Value: Str(value)}, Line: int(time)}
	}
	anns := nemesisAnnotations([]nemesisEvent{
		n("member-remove", "n2", 10),
		n("member-add", "n2", 20),
		n("wipe", "n3", 30),
		n("member-add", "n3", 40),
		n("grow", "n4 n5", 50),
		n("shrink", "n4 n5", 60),
		n("disk-lies", "n1 n3", 70),
		n("start", "n1 n3", 80),
		n("bitflip", "n2 snapshot", 90),
		n("start", "n2 snapshot", 95),
	}, 100)
	var got []string
	for _, a := range anns {
		got = append(got, fmt.Sprintf("%s %d-%d", a.Description, a.Start, a.End))
	}
	assert.Equal(t, []string{"member-remove n2 10-20", "wipe n3 30-40", "grow n4 n5 50-60",
		"disk-lies n1 n3 70-80", "bitflip n2 snapshot 90-95"}, got)
}
