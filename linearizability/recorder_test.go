package linearizability

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRecorderManyGoroutines(t *testing.T) {
	r := NewRecorder()
	const clients, ops = 16, 200
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			cl := r.NewClient(fmt.Sprintf("n%d", c%3+1))
			key := fmt.Sprintf("k%d", c) // one writer per key: its reads are predictable
			var last *string
			for i := 0; i < ops; i++ {
				switch i % 4 {
				case 0:
					v := fmt.Sprintf("%d-%d", c, i)
					cl.Set(key, v).Ok(nil)
					last = Str(v)
				case 1:
					cl.Get(key).Ok(last)
				case 2:
					cl.CAS(key, "nope", "x").Fail("") // found another value
				case 3:
					if i%20 == 3 {
						cl.Delete(key).Info("timeout") // unknown: retires the process
						last = nil
						cl.Set(key, fmt.Sprintf("%d-%d", c, i)).Ok(nil)
						last = Str(fmt.Sprintf("%d-%d", c, i))
					} else {
						cl.Get(key).Fail("no leader")
					}
				}
			}
		}(c)
	}
	for i := 0; i < 20; i++ {
		r.Nemesis("partition", "n1 | n2 n3")
		r.Nemesis("heal", "")
	}
	wg.Wait()

	events := r.Events()
	require.Len(t, events, clients*(ops*2+ops/20*2)+40)
	var buf bytes.Buffer
	require.NoError(t, r.WriteJSONL(&buf))
	read, err := ReadJSONL(&buf)
	require.NoError(t, err, "the recorded history is valid: one clock, fresh processes after info")
	assert.Equal(t, events, read)

	res, err := Check(context.Background(), events, Options{})
	require.NoError(t, err)
	assert.Equal(t, Linearizable, res.Verdict)
	assert.Equal(t, 40, res.Nemesis)
}

func TestRecorderFreshProcessAfterInfo(t *testing.T) {
	r := NewRecorder()
	c := r.NewClient("")
	other := r.NewClient("")
	assert.Equal(t, 0, c.Process())
	assert.Equal(t, 1, other.Process())
	c.Set("k", "a").Info("timeout")
	assert.Equal(t, 2, c.Process())
	c.Get("k").Ok(nil)
	ev := r.Events()
	require.Len(t, ev, 4)
	assert.Equal(t, []int{0, 0, 2, 2}, []int{ev[0].Process, ev[1].Process, ev[2].Process, ev[3].Process})
	assert.Equal(t, TypeInfo, ev[1].Type)
	assert.Equal(t, "timeout", ev[1].Error)
	assert.Equal(t, "a", *ev[1].Value)
}

func TestRecorderMisuse(t *testing.T) {
	r := NewRecorder()
	c := r.NewClient("")
	call := c.Get("k")
	assert.Panics(t, func() { c.Get("k") }, "two operations outstanding")
	call.Ok(nil)
	assert.Panics(t, func() { call.Ok(nil) }, "completed twice")
}
