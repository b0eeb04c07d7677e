package readcheck

import (
	"context"
	"fmt"
	"math/rand"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	L "github.com/raftlab/raftlab/linearizability"
)

// The brute-force checker decides the contracts from their definitions by
// enumeration, on small histories:
//
//   - with evidence: every placement of each unknown write (not applied, or
//     at any free integer position after every index that returned before it
//     was invoked) is tried; a read at index i must return the state after
//     the key's writes at positions ≤ i; plus the checks of the evidence
//     itself (one write per key and index, real time, reads on one
//     incarnation never going back, linearizable reads not behind an
//     acknowledged write's index).
//   - without evidence: every order of each key's applied writes (the
//     acknowledged ones and any subset of the unknown ones) that respects
//     real time is tried; each read must return the state after a prefix
//     whose writes were all invoked before it returned, and reads in one
//     stream (node incarnation) must not go back, per key.
func brute(ops []L.Operation, inc incarnations, evidence bool) bool {
	byKey := map[string][]int{}
	for i := range ops {
		byKey[ops[i].Key] = append(byKey[ops[i].Key], i)
	}
	// never-written and future reads break both models.
	for i := range ops {
		r := &ops[i]
		if r.F != L.FGet || r.Type != L.TypeOk || r.Value == nil {
			continue
		}
		found := false
		for _, j := range byKey[r.Key] {
			w := &ops[j]
			if w.F != L.FGet && w.F != L.FDelete && applied(w) && *w.Value == *r.Value && w.Call <= r.Return {
				found = true
			}
		}
		if !found {
			return true
		}
	}
	if evidence {
		return bruteEvidence(ops, byKey, inc)
	}
	for _, idx := range byKey {
		if !bruteKey(ops, idx, inc) {
			return true
		}
	}
	return false
}

func bruteEvidence(ops []L.Operation, byKey map[string][]int, inc incarnations) bool {
	var indexed, unknown []int
	maxIdx := int64(0)
	for i := range ops {
		o := &ops[i]
		if o.Type == L.TypeOk && o.Index > 0 {
			indexed = append(indexed, i)
			maxIdx = max(maxIdx, o.Index)
		}
		if o.F != L.FGet && o.Type == L.TypeInfo {
			unknown = append(unknown, i)
		}
	}
	for _, x := range indexed {
		for _, w := range indexed {
			xo, wo := &ops[x], &ops[w]
			if x == w || wo.F == L.FGet {
				continue
			}
			if xo.Return < wo.Call && xo.Index >= wo.Index {
				return true
			}
			if xo.F != L.FGet && xo.Key == wo.Key && xo.Index == wo.Index {
				return true
			}
		}
	}
	// Reads on one incarnation never go back; linearizable reads are not
	// behind an acknowledged write.
	for _, a := range indexed {
		for _, b := range indexed {
			ra, rb := &ops[a], &ops[b]
			if ra.F != L.FGet || rb.F != L.FGet {
				continue
			}
			if s := streamOf(inc, ra); s != "" && s == streamOf(inc, rb) && ra.Return < rb.Call && rb.Index < ra.Index {
				return true
			}
		}
		r := &ops[a]
		if r.F == L.FGet && r.ReadLevel() == L.LevelLinearizable {
			for _, w := range byKey[r.Key] {
				if wo := &ops[w]; wo.F != L.FGet && wo.Type == L.TypeOk && wo.Return < r.Call && wo.Index > r.Index {
					return true
				}
			}
		}
	}
	pos := make([]int64, len(unknown)) // 0: not applied
	var try func(k int) bool
	try = func(k int) bool {
		if k == len(unknown) {
			return placementFits(ops, byKey, unknown, pos)
		}
		u := &ops[unknown[k]]
		for x := int64(0); x <= maxIdx+1; x++ {
			if x > 0 && !freeSlot(ops, byKey[u.Key], unknown[:k], pos[:k], u, x) {
				continue
			}
			pos[k] = x
			if try(k + 1) {
				return true
			}
		}
		return false
	}
	return !try(0)
}

func freeSlot(ops []L.Operation, idx []int, prev []int, prevPos []int64, u *L.Operation, x int64) bool {
	for _, j := range idx {
		if o := &ops[j]; o.F != L.FGet && o.Type == L.TypeOk && o.Index == x {
			return false
		}
	}
	for k, j := range prev {
		if ops[j].Key == u.Key && prevPos[k] == x {
			return false
		}
	}
	for i := range ops {
		if o := &ops[i]; o.Type == L.TypeOk && o.Index >= x && o.Return < u.Call {
			return false
		}
	}
	return true
}

func placementFits(ops []L.Operation, byKey map[string][]int, unknown []int, pos []int64) bool {
	for i := range ops {
		r := &ops[i]
		if r.F != L.FGet || r.Type != L.TypeOk {
			continue
		}
		var last *L.Operation
		lastAt := int64(0)
		consider := func(w *L.Operation, at int64) {
			if at > 0 && at <= r.Index && at > lastAt {
				last, lastAt = w, at
			}
		}
		for _, j := range byKey[r.Key] {
			if w := &ops[j]; w.F != L.FGet && w.Type == L.TypeOk {
				consider(w, w.Index)
			}
		}
		for k, j := range unknown {
			if ops[j].Key == r.Key {
				consider(&ops[j], pos[k])
			}
		}
		if !sameValue(stateAfter(last), r.Value) {
			return false
		}
	}
	return true
}

func stateAfter(w *L.Operation) *string {
	if w == nil || w.F == L.FDelete {
		return nil
	}
	return w.Value
}

// bruteKey reports whether some order of the key's writes explains its reads.
func bruteKey(ops []L.Operation, idx []int, inc incarnations) bool {
	var acked, unknown, reads []int
	for _, i := range idx {
		o := &ops[i]
		switch {
		case o.F == L.FGet && o.Type == L.TypeOk:
			reads = append(reads, i)
		case o.F != L.FGet && o.Type == L.TypeOk:
			acked = append(acked, i)
		case o.F != L.FGet && o.Type == L.TypeInfo:
			unknown = append(unknown, i)
		}
	}
	for mask := 0; mask < 1<<len(unknown); mask++ {
		ws := append([]int(nil), acked...)
		for k, u := range unknown {
			if mask&(1<<k) != 0 {
				ws = append(ws, u)
			}
		}
		sort.Ints(ws)
		if permute(ws, 0, func(order []int) bool { return readsFit(ops, order, reads, inc) }) {
			return true
		}
	}
	return false
}

func permute(a []int, k int, f func([]int) bool) bool {
	if k == len(a) {
		return f(a)
	}
	for i := k; i < len(a); i++ {
		a[k], a[i] = a[i], a[k]
		if permute(a, k+1, f) {
			a[k], a[i] = a[i], a[k]
			return true
		}
		a[k], a[i] = a[i], a[k]
	}
	return false
}

func readsFit(ops []L.Operation, order, reads []int, inc incarnations) bool {
	for i := range order {
		for j := i + 1; j < len(order); j++ {
			if ret(&ops[order[j]]) < ops[order[i]].Call {
				return false // real time: order[j] was acknowledged before order[i] began
			}
		}
	}
	at := map[int]int{} // read → its prefix length
	for _, ri := range reads {
		r := &ops[ri]
		lo := 0
		if s := streamOf(inc, r); s != "" {
			for _, q := range reads {
				if p, ok := at[q]; ok && streamOf(inc, &ops[q]) == s && ops[q].Return < r.Call {
					lo = max(lo, p)
				}
			}
		}
		found := -1
		for p := lo; p <= len(order) && found < 0; p++ {
			okCall := true
			for _, w := range order[:p] {
				okCall = okCall && ops[w].Call <= r.Return
			}
			var last *L.Operation
			if p > 0 {
				last = &ops[order[p-1]]
			}
			if okCall && sameValue(stateAfter(last), r.Value) {
				found = p
			}
		}
		if found < 0 {
			return false
		}
		at[ri] = found
	}
	return true
}

// randomHistory makes a small history: three clients on two nodes, a few
// writes with unique values (some of unknown outcome) and reads that return
// a random written value or absent; with evidence, indexes near the truth.
func randomHistory(rng *rand.Rand, evidence, infoDeletes bool) []L.Event {
	type proc struct {
		id   int
		t    int64
		node string
	}
	procs := []*proc{{0, 0, "n1"}, {1, 0, "n2"}, {2, 0, "n1"}}
	next := 3
	keys := []string{"a", "b"}[:1+rng.Intn(2)]
	var written = map[string][]string{}
	var events []L.Event
	var idx int64
	nOps := 4 + rng.Intn(4)
	unknowns := 0
	for n := 0; n < nOps; n++ {
		p := procs[rng.Intn(len(procs))]
		key := keys[rng.Intn(len(keys))]
		call := p.t + int64(rng.Intn(20))
		end := call + 1 + int64(rng.Intn(30))
		p.t = end + 1
		inv := L.Event{Process: p.id, Type: L.TypeInvoke, Key: key, Time: call, Node: p.node}
		comp := inv
		comp.Type, comp.Time = L.TypeOk, end
		switch x := rng.Intn(10); {
		case x < 4:
			v := fmt.Sprintf("v%d", n)
			inv.F, comp.F, inv.Value, comp.Value = L.FSet, L.FSet, L.Str(v), L.Str(v)
			written[key] = append(written[key], v)
		case x < 5:
			inv.F, comp.F = L.FDelete, L.FDelete
		default:
			inv.F, comp.F = L.FGet, L.FGet
			inv.Level = []string{L.LevelStale, L.LevelStale, L.LevelLinearizable, L.LevelLeader}[rng.Intn(4)]
			comp.Level = inv.Level
			if vs := written[key]; len(vs) > 0 && rng.Intn(4) > 0 {
				comp.Value = L.Str(vs[rng.Intn(len(vs))])
			}
		}
		if inv.F != L.FGet && unknowns < 2 && rng.Intn(5) == 0 && (infoDeletes || inv.F == L.FSet) {
			comp.Type = L.TypeInfo
			unknowns++
			procs = append(procs[:0:0], procs...)
			for i := range procs {
				if procs[i] == p {
					procs[i] = &proc{next, p.t, p.node}
					next++
				}
			}
		}
		if evidence && comp.Type == L.TypeOk {
			if inv.F == L.FGet {
				comp.Index = max(1, idx-int64(rng.Intn(3))+int64(rng.Intn(2)))
			} else {
				idx++
				comp.Index = idx
				if rng.Intn(8) == 0 {
					comp.Index = max(1, idx-1)
				}
			}
		}
		events = append(events, inv, comp)
	}
	sort.SliceStable(events, func(i, j int) bool { return events[i].Time < events[j].Time })
	return events
}

// On small random histories the fast check agrees with brute force: exactly
// with evidence when no write of unknown outcome is a delete; without
// evidence it is sound (it never finds an anomaly that the brute force does
// not confirm), and its stale reads and lost writes (linearizable reads
// behind an acknowledged write) are always confirmed by porcupine.
func TestFastAgreesWithBruteForce(t *testing.T) {
	for _, mode := range []struct {
		name                  string
		evidence, infoDeletes bool
		exact                 bool
	}{
		{"evidence", true, false, true},
		{"evidence-unknown-deletes", true, true, false},
		{"history-only", false, true, false},
	} {
		t.Run(mode.name, func(t *testing.T) {
			rng := rand.New(rand.NewSource(14))
			var agreeOK, agreeBad, fastMissed int
			for n := 0; n < 3000; n++ {
				events := randomHistory(rng, mode.evidence, mode.infoDeletes)
				ops, err := L.Pair(events)
				require.NoError(t, err)
				res, err := Check(context.Background(), events, Options{})
				require.NoError(t, err)
				contract, recency := false, false
				for _, a := range res.Anomalies {
					if !mode.evidence && (a.Kind == StaleRead || a.Kind == LostWrite) {
						recency = true
					} else {
						contract = true
					}
				}
				nodes := map[string]bool{"n1": true, "n2": true}
				want := brute(ops, newIncarnations(events, nil, nodes), mode.evidence)
				if recency {
					require.NotEqual(t, L.Linearizable, res.Level(L.LevelLinearizable).Linearizable,
						"stale read without a linearizability violation: %v\n%s", res.Anomalies, dump(events))
				}
				switch {
				case contract && !want:
					require.Failf(t, "false alarm", "fast: %v\n%s", res.Anomalies, dump(events))
				case !contract && want && mode.exact:
					require.Failf(t, "missed", "brute force finds a violation the fast check does not\n%s", dump(events))
				case !contract && want:
					fastMissed++
				case want:
					agreeBad++
				default:
					agreeOK++
				}
			}
			t.Logf("%s: agree ok %d, agree violated %d, brute-only %d", mode.name, agreeOK, agreeBad, fastMissed)
			assert.Greater(t, agreeOK, 100)
			assert.Greater(t, agreeBad, 100)
		})
	}
}

func dump(events []L.Event) string {
	s := ""
	for _, e := range events {
		s += fmt.Sprintf("%+v idx=%d lvl=%s\n", e.String(), e.Index, e.Level)
	}
	return s
}

// A simulated correct store (linearizable writes, stale and leader reads
// lagging behind but never going back, writes of unknown outcome) gets no
// anomaly, with its indexes and with them stripped: no false alarm at scale.
func TestNoFalseAlarmOnASimulatedStore(t *testing.T) {
	for seed := int64(1); seed <= 5; seed++ {
		events := evidenceHistory(seed, 8, 20_000, 20)
		res, err := Contracts(events)
		require.NoError(t, err)
		require.True(t, res.Evidence)
		assert.Zero(t, res.AnomaliesTotal, "seed %d with evidence: %v", seed, res.Anomalies[:min(3, len(res.Anomalies))])
		assert.Positive(t, res.ResolvedWrites, "some unknown writes are read")

		stripped := append([]L.Event(nil), events...)
		for i := range stripped {
			stripped[i].Index = 0
		}
		res, err = Contracts(stripped)
		require.NoError(t, err)
		require.False(t, res.Evidence)
		assert.Zero(t, res.AnomaliesTotal, "seed %d without evidence: %v", seed, res.Anomalies[:min(3, len(res.Anomalies))])
	}
}

// streamOf names r's stream for comparisons ("" when r is in none).
func streamOf(inc incarnations, r *L.Operation) string {
	s, ok := inc.stream(r)
	if !ok {
		return ""
	}
	return fmt.Sprintf("%s\x00%s\x00%d", s.node, s.incarnation, s.n)
}
