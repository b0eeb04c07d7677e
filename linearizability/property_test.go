package linearizability

import (
	"context"
	"fmt"
	"math/rand"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bruteForce decides a small history by trying every order, straight from
// the semantics of DESIGN.md (no porcupine, no pruning): ok operations take
// effect once inside their interval, fail ones never, unknown writes at any
// time after their invocation or never; gets that did not succeed constrain
// nothing; a cas that failed without an error found another value.
func bruteForce(t testing.TB, events []Event) Verdict {
	t.Helper()
	ops, err := Pair(events)
	require.NoError(t, err)
	byKey := map[string][]Operation{}
	for _, op := range ops {
		if op.F == FGet && op.Type != TypeOk {
			continue // constrains nothing
		}
		if op.Type == TypeFail && (op.F != FCAS || op.Error != "") {
			continue // no effect, no constraint
		}
		byKey[op.Key] = append(byKey[op.Key], op)
	}
	for _, kops := range byKey {
		require.LessOrEqual(t, len(kops), 16, "brute force is for small histories")
		if !bruteKey(kops) {
			return NotLinearizable
		}
	}
	return Linearizable
}

func bruteKey(ops []Operation) bool {
	type key struct {
		done  uint32
		state string
	}
	const absent = "\x00absent"
	seen := map[key]bool{}
	all := uint32(1)<<len(ops) - 1
	var dfs func(done uint32, state string) bool
	dfs = func(done uint32, state string) bool {
		if done == all {
			return true
		}
		k := key{done, state}
		if seen[k] {
			return false
		}
		seen[k] = true
		for i := range ops {
			if done&(1<<i) != 0 {
				continue
			}
			o := &ops[i]
			// Real time: every remaining definite operation that returned
			// before o was called must come first.
			blocked := false
			for j := range ops {
				r := &ops[j]
				if j != i && done&(1<<j) == 0 && r.Type != TypeInfo && r.Return < o.Call {
					blocked = true
					break
				}
			}
			if blocked {
				continue
			}
			val := func(p *string) string {
				if p == nil {
					return absent
				}
				return *p
			}
			next := done | 1<<i
			if o.Type == TypeInfo && dfs(next, state) { // it never took effect
				return true
			}
			switch {
			case o.F == FGet:
				if val(o.Value) == state && dfs(next, state) {
					return true
				}
			case o.F == FSet:
				if dfs(next, *o.Value) {
					return true
				}
			case o.F == FDelete:
				if dfs(next, absent) {
					return true
				}
			case o.Type == TypeFail: // cas found another value
				if state != *o.Expect && dfs(next, state) {
					return true
				}
			default: // cas ok, or unknown and it took effect
				if state == *o.Expect && dfs(next, *o.Value) {
					return true
				}
			}
		}
		return false
	}
	return dfs(0, absent)
}

// randomSmallHistory makes a history of up to n operations on one or two
// keys, each on its own process, with random overlapping intervals, values
// from a tiny set and every outcome.
func randomSmallHistory(rng *rand.Rand, n int) []Event {
	vals := []string{"a", "b", "c"}
	pick := func() *string {
		if rng.Intn(5) == 0 {
			return nil
		}
		return Str(vals[rng.Intn(len(vals))])
	}
	keys := []string{"x", "y"}[:1+rng.Intn(2)]
	var events []Event
	for p := 0; p < n; p++ {
		call := int64(rng.Intn(40))
		ret := call + int64(rng.Intn(25))
		key := keys[rng.Intn(len(keys))]
		inv := Event{Process: p, Type: TypeInvoke, Key: key, Time: call}
		switch rng.Intn(4) {
		case 0:
			inv.F = FGet
		case 1:
			inv.F, inv.Value = FSet, Str(vals[rng.Intn(len(vals))])
		case 2:
			inv.F = FDelete
		default:
			inv.F, inv.Value, inv.Expect = FCAS, Str(vals[rng.Intn(len(vals))]), Str(vals[rng.Intn(len(vals))])
		}
		events = append(events, inv)
		done := Event{Process: p, F: inv.F, Key: key, Time: ret, Value: inv.Value}
		switch r := rng.Intn(10); {
		case r < 6:
			done.Type = TypeOk
			if inv.F == FGet {
				done.Value = pick()
			}
		case r < 8:
			done.Type = TypeFail
			if rng.Intn(2) == 0 {
				done.Error = "no leader"
			}
		case r < 9:
			done.Type, done.Error = TypeInfo, "timeout"
		default:
			continue // no completion
		}
		events = append(events, done)
	}
	sort.SliceStable(events, func(i, j int) bool {
		if events[i].Time != events[j].Time {
			return events[i].Time < events[j].Time
		}
		return events[i].Type == TypeInvoke && events[j].Type != TypeInvoke
	})
	return events
}

// The porcupine-based checker, with and without pruning, agrees with the
// brute-force checker on thousands of random small histories.
func TestAgreesWithBruteForce(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	counts := map[Verdict]int{}
	for i := 0; i < 3000; i++ {
		h := randomSmallHistory(rng, 1+rng.Intn(7))
		want := bruteForce(t, h)
		counts[want]++
		for _, keep := range []bool{false, true} {
			res, err := Check(context.Background(), h, Options{KeepUnobserved: keep, Parallelism: 1})
			require.NoError(t, err)
			if !assert.Equal(t, want, res.Verdict, "history %d (keep unobserved %v)", i, keep) {
				var b []byte
				for _, e := range h {
					b = append(b, e.String()+"\n"...)
				}
				t.Logf("history:\n%s", b)
				t.FailNow()
			}
		}
	}
	t.Logf("verdicts: %v", counts)
	assert.Greater(t, counts[Linearizable], 300)
	assert.Greater(t, counts[NotLinearizable], 300)
}

// simOp is one planned operation of the simulated store.
type simOp struct {
	process        int
	key, f         string
	call, lin, ret int64
	plan           string // ok, fail (not applied, with error), info (applied or not), open
	applied        bool
	value, expect  *string
	read           *string
	casMismatch    bool
}

// simulate runs concurrent clients against a simulated linearizable store:
// each operation takes effect atomically at a random instant inside its
// interval (or not at all, when it fails or, sometimes, when its outcome is
// unknown). Values written are unique.
func simulate(rng *rand.Rand, clients, opsPerClient, nkeys int) ([]Event, []*simOp) {
	var ops []*simOp
	nextProcess := 0
	for c := 0; c < clients; c++ {
		process := nextProcess
		nextProcess++
		t := int64(rng.Intn(10))
		for i := 0; i < opsPerClient; i++ {
			o := &simOp{process: process, key: fmt.Sprintf("k%d", rng.Intn(nkeys))}
			switch r := rng.Intn(10); {
			case r < 4:
				o.f = FGet
			case r < 7:
				o.f = FSet
			case r < 8:
				o.f = FDelete
			default:
				o.f = FCAS
			}
			o.call = t + 1 + int64(rng.Intn(5))
			o.lin = o.call + int64(rng.Intn(30))
			o.ret = o.lin + int64(rng.Intn(30))
			t = o.ret
			switch r := rng.Intn(20); {
			case r < 16:
				o.plan = TypeOk
			case r < 18:
				o.plan = TypeFail
			default:
				o.plan = TypeInfo
			}
			if i == opsPerClient-1 && rng.Intn(4) == 0 {
				o.plan = "open"
			}
			o.applied = o.plan == TypeOk || (o.plan != TypeFail && rng.Intn(2) == 0)
			ops = append(ops, o)
			if o.plan == TypeInfo {
				process = nextProcess // retired: continue under a fresh number
				nextProcess++
			}
		}
	}
	// Take effect in linearization order.
	order := append([]*simOp(nil), ops...)
	sort.SliceStable(order, func(i, j int) bool { return order[i].lin < order[j].lin })
	state := map[string]*string{}
	written := map[string][]string{}
	seq := 0
	for _, o := range order {
		switch o.f {
		case FSet:
			seq++
			o.value = Str(fmt.Sprintf("v%d", seq))
		case FCAS:
			seq++
			o.value = Str(fmt.Sprintf("v%d", seq))
			cur := state[o.key]
			if cur != nil && rng.Intn(2) == 0 {
				o.expect = Str(*cur)
			} else if w := written[o.key]; len(w) > 0 {
				o.expect = Str(w[rng.Intn(len(w))])
			} else {
				o.expect = Str("v0")
			}
		}
		if !o.applied {
			continue
		}
		switch o.f {
		case FGet:
			o.read = state[o.key]
		case FSet:
			state[o.key] = o.value
			written[o.key] = append(written[o.key], *o.value)
		case FDelete:
			state[o.key] = nil
		case FCAS:
			cur := state[o.key]
			if cur != nil && *cur == *o.expect {
				state[o.key] = o.value
				written[o.key] = append(written[o.key], *o.value)
			} else {
				o.casMismatch = true
			}
		}
	}
	var events []Event
	for _, o := range ops {
		inv := Event{Process: o.process, Type: TypeInvoke, F: o.f, Key: o.key, Time: o.call, Value: o.value, Expect: o.expect}
		events = append(events, inv)
		if o.plan == "open" {
			continue
		}
		done := Event{Process: o.process, Type: o.plan, F: o.f, Key: o.key, Time: o.ret, Value: o.value}
		switch {
		case o.plan == TypeFail:
			done.Error = "no leader"
		case o.plan == TypeInfo:
			done.Error = "timeout"
		case o.f == FGet:
			done.Value = o.read
		case o.casMismatch:
			done.Type = TypeFail // 409: found another value
		}
		events = append(events, done)
	}
	sort.SliceStable(events, func(i, j int) bool { return events[i].Time < events[j].Time })
	return events, ops
}

// makeStale changes one ok read to a value that a completed write had
// already replaced before the read began. It reports false if the history
// has no such read.
func makeStale(rng *rand.Rand, events []Event) bool {
	ops, err := Pair(events)
	if err != nil {
		panic(err)
	}
	type cand struct {
		read  int
		value string
	}
	var cands []cand
	for ri := range ops {
		r := &ops[ri]
		if r.F != FGet || r.Type != TypeOk {
			continue
		}
		for wi := range ops {
			w := &ops[wi]
			if w.Key != r.Key || w.Type != TypeOk || (w.F != FSet && w.F != FCAS) || w.Return >= r.Call {
				continue
			}
			if r.Value != nil && *r.Value == *w.Value {
				continue
			}
			for oi := range ops {
				o := &ops[oi]
				if o.Key == r.Key && o.Type == TypeOk && o.F != FGet && oi != wi && o.Call > w.Return && o.Return < r.Call {
					cands = append(cands, cand{ri, *w.Value})
					break
				}
			}
		}
	}
	if len(cands) == 0 {
		return false
	}
	c := cands[rng.Intn(len(cands))]
	line := ops[c.read].ReturnLine
	events[line-1].Value = Str(c.value)
	return true
}

// Histories of a simulated linearizable store always pass; the same
// histories with one read made stale always fail.
func TestSimulatedStore(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	stale := 0
	for i := 0; i < 300; i++ {
		events, _ := simulate(rng, 2+rng.Intn(6), 5+rng.Intn(20), 1+rng.Intn(4))
		res, err := Check(context.Background(), events, Options{})
		require.NoError(t, err)
		require.Equal(t, Linearizable, res.Verdict, "simulated history %d", i)
		if makeStale(rng, events) {
			stale++
			res, err := Check(context.Background(), events, Options{})
			require.NoError(t, err)
			require.Equal(t, NotLinearizable, res.Verdict, "stale history %d", i)
			require.Len(t, res.Explanations, 1)
			assert.Contains(t, res.Explanations[0].Text, "stale read")
		}
	}
	assert.Greater(t, stale, 150)
}
