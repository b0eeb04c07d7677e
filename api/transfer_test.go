package api

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTransferLeader(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = r.Method + " " + r.URL.Path + " " + string(b)
		switch string(b) {
		case `{"to":"n9"}`:
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"error":"no voter \"n9\""}`))
		default:
			_, _ = w.Write([]byte(`{"from":"n1","to":"n2"}`))
		}
	}))
	defer srv.Close()
	c := NewClient(srv.URL)
	a, err := c.TransferLeader(context.Background(), "n2")
	require.NoError(t, err)
	assert.Equal(t, `POST /leader/transfer {"to":"n2"}`, got)
	assert.Equal(t, TransferAnswer{From: "n1", To: "n2"}, a)
	_, err = c.TransferLeader(context.Background(), "")
	require.NoError(t, err)
	assert.Equal(t, `POST /leader/transfer {}`, got, "raft's choice: no target")
	_, err = c.TransferLeader(context.Background(), "n9")
	assert.ErrorContains(t, err, `http 404: no voter "n9"`)
}
