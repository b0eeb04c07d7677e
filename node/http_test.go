package node

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/raftlab/raftlab/api"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func doReq(t *testing.T, method, url, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"), "%s %s", method, url)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m), "body %q is JSON", b)
	return resp.StatusCode, m
}

func TestHTTPBadInputChangesNothing(t *testing.T) {
	nd := startNodes(t, 1)[0]
	base := "http://" + nd.HTTPAddr()
	status, _ := doReq(t, "POST", base+"/key", `{"keep":"me"}`)
	require.Equal(t, 200, status)
	applied := nd.fsm.Applied()

	big := `{"k":"` + strings.Repeat("x", 1<<20) + `"}`
	cases := []struct {
		name, method, path, body string
		want                     int
	}{
		{"malformed json", "POST", "/key", `{"a":`, 400},
		{"not an object", "POST", "/key", `["a","b"]`, 400},
		{"null body", "POST", "/key", `null`, 400},
		{"empty body", "POST", "/key/", ``, 400},
		{"empty object", "POST", "/key", `{}`, 400},
		{"number value", "POST", "/key", `{"a":1}`, 400},
		{"null value", "POST", "/key", `{"a":null}`, 400},
		{"object value", "POST", "/key", `{"a":{"b":"c"}}`, 400},
		{"one bad value among good", "POST", "/key", `{"keep":"changed","b":true}`, 400},
		{"empty key", "POST", "/key", `{"":"v"}`, 400},
		{"key not utf-8 in body", "POST", "/key", "{\"\xff\":\"v\"}", 400},
		{"key lone surrogate in body", "POST", "/key", `{"\udc80":"v"}`, 400},
		{"key not utf-8 in path", "GET", "/key/a%FFb", ``, 400},
		{"delete key not utf-8 in path", "DELETE", "/key/%C3", ``, 400},
		{"cas key not utf-8", "POST", "/cas", "{\"key\":\"\xff\",\"expect\":\"a\",\"value\":\"b\"}", 400},
		{"huge key", "POST", "/key", `{"` + strings.Repeat("k", MaxKeyLen+1) + `":"v"}`, 400},
		{"trailing data", "POST", "/key", `{"keep":"changed"} {"x":"y"}`, 400},
		{"oversized body", "POST", "/key", big, 413},
		{"cas missing value", "POST", "/cas", `{"key":"keep","expect":"me"}`, 400},
		{"cas number", "POST", "/cas", `{"key":"keep","expect":"me","value":5}`, 400},
		{"cas unknown field", "POST", "/cas", `{"key":"keep","expect":"me","value":"x","extra":1}`, 400},
		{"cas empty key", "POST", "/cas", `{"key":"","expect":"me","value":"x"}`, 400},
		{"get on /key/", "GET", "/key/", ``, 405},
		{"delete on /key/", "DELETE", "/key/", ``, 405},
		{"bad read level", "GET", "/key/keep?consistency=eventual", ``, 400},
		{"join missing id", "POST", "/join", `{"raft_addr":"127.0.0.1:1","http_addr":"127.0.0.1:2"}`, 400},
		{"join hostname raft addr", "POST", "/join", `{"id":"x","raft_addr":"host:1","http_addr":"127.0.0.1:2"}`, 400},
		{"join unspecified raft addr", "POST", "/join", `{"id":"x","raft_addr":"0.0.0.0:1","http_addr":"127.0.0.1:2"}`, 400},
		{"remove no id", "DELETE", "/members/", ``, 400},
		{"remove a non-member", "DELETE", "/members/nope", ``, 404},
		{"unknown path", "GET", "/nope", ``, 404},
		{"put key", "PUT", "/key/keep", `"v"`, 405},
		{"get on /key", "GET", "/key", ``, 405},
		{"delete status", "DELETE", "/status", ``, 405},
		{"get cas", "GET", "/cas", ``, 405},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := doReq(t, c.method, base+c.path, c.body)
			assert.Equal(t, c.want, status)
			assert.NotEmpty(t, body["error"], "a JSON error names the problem")
		})
	}
	assert.Equal(t, applied, nd.fsm.Applied(), "no bad request reached the log")
	status, body := doReq(t, "GET", base+"/key/keep", "")
	assert.Equal(t, 200, status)
	assert.Equal(t, "me", body["keep"])
}

func TestHTTPAPIOnOneNode(t *testing.T) {
	nd := startNodes(t, 1)[0]
	c := api.NewClient(nd.HTTPAddr())
	ctx := context.Background()

	r := c.Get(ctx, "k", "")
	require.Equal(t, api.OK, r.Outcome)
	assert.Nil(t, r.Value, "absent")
	require.Equal(t, api.OK, c.SetMany(ctx, map[string]string{"k": "v1", "j": "w"}).Outcome)
	for _, lvl := range []api.ReadLevel{api.ReadStale, api.ReadLeader, api.ReadLinearizable, ""} {
		r = c.Get(ctx, "k", lvl)
		require.Equal(t, api.OK, r.Outcome, "level %q", lvl)
		assert.Equal(t, "v1", *r.Value)
	}
	r = c.CAS(ctx, "k", "nope", "v2")
	assert.Equal(t, api.Fail, r.Outcome)
	assert.True(t, r.Mismatch)
	assert.Equal(t, "v1", *r.Value)
	assert.Equal(t, api.OK, c.CAS(ctx, "k", "v1", "v2").Outcome)
	r = c.CAS(ctx, "absent", "", "x")
	assert.True(t, r.Mismatch)
	assert.Nil(t, r.Value)
	assert.Equal(t, api.OK, c.Delete(ctx, "k").Outcome)
	assert.Equal(t, api.OK, c.Delete(ctx, "k").Outcome, "deleting an absent key succeeds")
	assert.Nil(t, c.Get(ctx, "k", "").Value)
	// Keys with slashes and spaces round-trip through the path.
	require.Equal(t, api.OK, c.Set(ctx, "a/b c", "x").Outcome)
	assert.Equal(t, "x", *c.Get(ctx, "a/b c", "").Value)

	st, err := c.Status(ctx)
	require.NoError(t, err)
	assert.Equal(t, "Leader", st.State)
	assert.Equal(t, "n1", st.LeaderID)
	assert.Equal(t, nd.HTTPAddr(), st.LeaderHTTPAddr)
	assert.True(t, st.IsVoter("n1"))

	status, body := doReq(t, "GET", "http://"+nd.HTTPAddr()+"/health", "")
	assert.Equal(t, 200, status)
	assert.Equal(t, "ok", body["status"])
}
