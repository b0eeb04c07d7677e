package failpoint

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/raftlab/raftlab/fault"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseTerm(t *testing.T) {
	good := map[string]Term{
		"off":                 {Kind: Off},
		"":                    {Kind: Off},
		" panic ":             {Kind: Panic},
		"on":                  {Kind: On},
		"sleep(100ms)":        {Kind: Sleep, Sleep: 100 * time.Millisecond},
		"sleep(0s)":           {Kind: Sleep},
		"error(disk on fire)": {Kind: Fail, Msg: "disk on fire"},
		"error()":             {Kind: Fail, Msg: "injected error"},
	}
	for in, want := range good {
		got, err := ParseTerm(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
		again, err := ParseTerm(got.String())
		require.NoError(t, err)
		assert.Equal(t, got, again, "String round-trips %q", in)
	}
	for _, in := range []string{"sleep", "sleep(fast)", "sleep(-1s)", "error(x", "crash", "return(1)", "panic()", "0*panic", "x*panic", "2*off", "1*explode"} {
		_, err := ParseTerm(in)
		assert.Error(t, err, in)
	}
}

func TestParseSpec(t *testing.T) {
	s, err := ParseSpec(" a=panic; b = sleep(1s) ;;c=error(x)")
	require.NoError(t, err)
	assert.Equal(t, Spec{"a": {Kind: Panic}, "b": {Kind: Sleep, Sleep: time.Second}, "c": {Kind: Fail, Msg: "x"}}, s)
	empty, err := ParseSpec("")
	require.NoError(t, err)
	assert.Empty(t, empty)
	for _, bad := range []string{"a", "=panic", "a=explode"} {
		_, err := ParseSpec(bad)
		assert.Error(t, err, bad)
	}
}

func testRegistry() *Registry {
	return New([]Point{{Name: "p", Description: "a point"}, {Name: "q", Description: "another"}})
}

func TestArmEvalDisarm(t *testing.T) {
	r := testRegistry()
	assert.NoError(t, r.Eval("p"), "off by default")
	assert.False(t, r.On("p"))
	assert.Zero(t, r.Hits("p"), "hits count only armed evaluations")

	require.NoError(t, r.Arm("p", Term{Kind: Fail, Msg: "boom"}))
	err := r.Eval("p")
	var inj *InjectedError
	require.ErrorAs(t, err, &inj)
	assert.Equal(t, "failpoint p: boom", err.Error())
	assert.True(t, r.On("p"))
	assert.Equal(t, uint64(2), r.Hits("p"))

	require.NoError(t, r.Arm("p", Term{Kind: Sleep, Sleep: 30 * time.Millisecond}))
	start := time.Now()
	assert.NoError(t, r.Eval("p"))
	assert.GreaterOrEqual(t, time.Since(start), 30*time.Millisecond)

	var crashed []string
	r.SetCrash(func(name string) { crashed = append(crashed, name) })
	require.NoError(t, r.Arm("p", Term{Kind: Panic}))
	assert.NoError(t, r.Eval("p"))
	assert.Equal(t, []string{"p"}, crashed)

	require.NoError(t, r.Arm("p", Term{Kind: Off}))
	assert.NoError(t, r.Eval("p"))
	assert.False(t, r.On("p"))

	err = r.Arm("nope", Term{Kind: Panic})
	assert.ErrorIs(t, err, ErrUnknown)
	assert.Contains(t, err.Error(), `"nope"`)

	var nilReg *Registry
	assert.NoError(t, nilReg.Eval("p"), "a nil registry has every point off")
	assert.False(t, nilReg.On("p"))
}

func TestArmSpecIsAllOrNothing(t *testing.T) {
	r := testRegistry()
	err := r.ArmSpec(Spec{"p": {Kind: On}, "zzz": {Kind: On}})
	require.ErrorIs(t, err, ErrUnknown)
	assert.False(t, r.On("p"), "nothing armed when one name is unknown")
	require.NoError(t, r.ArmSpec(Spec{"p": {Kind: On}, "q": {Kind: Sleep, Sleep: time.Millisecond}}))
	list := r.List()
	require.Len(t, list, 2)
	assert.Equal(t, "p", list[0].Name)
	assert.Equal(t, "on", list[0].Term)
	assert.Equal(t, "sleep(1ms)", list[1].Term)
}

// A counted term acts exactly that many times, even from racing goroutines.
func TestCountedTerm(t *testing.T) {
	r := testRegistry()
	require.NoError(t, r.Arm("p", Term{Kind: Fail, Msg: "x", Count: 5}))
	var mu sync.Mutex
	fails := 0
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				if r.Eval("p") != nil {
					mu.Lock()
					fails++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 5, fails)
	assert.Equal(t, "off", r.List()[0].Term)
	assert.Equal(t, uint64(5), r.Hits("p"))
}

// Arming, disarming and evaluating from many goroutines is race-free (run
// with -race) and never loses a hit.
func TestConcurrentUse(t *testing.T) {
	r := testRegistry()
	require.NoError(t, r.Arm("q", Term{Kind: On}))
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for j := 0; j < 500; j++ {
				_ = r.Eval("p")
				r.On("q")
			}
		}()
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				k := Term{Kind: Off}
				if (i+j)%2 == 0 {
					k = Term{Kind: Fail, Msg: "x"}
				}
				_ = r.Arm("p", k)
				_ = r.List()
			}
		}(i)
	}
	wg.Wait()
	assert.Equal(t, uint64(8*500), r.Hits("q"))
}

func TestHandler(t *testing.T) {
	r := testRegistry()
	srv := httptest.NewServer(r.Handler())
	defer srv.Close()
	do := func(method, path, body string) int {
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusOK, do(http.MethodPut, "/failpoints/p", "sleep(5ms)"))
	assert.Equal(t, "sleep(5ms)", r.List()[0].Term)
	assert.Equal(t, http.StatusBadRequest, do(http.MethodPut, "/failpoints/p", "explode"))
	assert.Equal(t, http.StatusNotFound, do(http.MethodPut, "/failpoints/nope", "panic"))
	assert.Equal(t, http.StatusOK, do(http.MethodDelete, "/failpoints/p", ""))
	assert.Equal(t, "off", r.List()[0].Term)
	assert.Equal(t, http.StatusOK, do(http.MethodGet, "/failpoints", ""))
	assert.Equal(t, http.StatusMethodNotAllowed, do(http.MethodPost, "/failpoints", ""))
	assert.True(t, errors.Is(r.Arm("nope", Term{}), ErrUnknown))
}

// The node registers exactly the points package fault names (the names the
// lab arms): a point added to one and not the other fails here.
func TestNodePointsAreFaultsPoints(t *testing.T) {
	var names []string
	for _, p := range NodePoints {
		names = append(names, p.Name)
		assert.NotEmpty(t, p.Description, p.Name)
	}
	assert.Equal(t, fault.Points(), names)
}
