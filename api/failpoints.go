package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// ErrNoFailpoints is returned by the failpoint calls when the node answers
// 404 without naming a point: its build has no /failpoints endpoint (an
// ordinary build; only `go build -tags failpoints` has one).
var ErrNoFailpoints = errors.New("node has no failpoints (not a -tags failpoints build)")

// SetFailpoint arms the named failpoint with term ("off", "on", "panic",
// "sleep(300ms)", "error(msg)", "1*panic", ...) through PUT /failpoints/{name}.
// "off" disarms it (the node treats PUT off like DELETE).
func (c *Client) SetFailpoint(ctx context.Context, name, term string) error {
	status, body, err := c.do(ctx, http.MethodPut, c.base+"/failpoints/"+url.PathEscape(name), []byte(term))
	if err != nil {
		return fmt.Errorf("failpoint %s=%s: %w", name, term, err)
	}
	if status == http.StatusOK {
		return nil
	}
	return fmt.Errorf("failpoint %s=%s: %w", name, term, failpointError(status, body))
}

// Failpoints lists the node's failpoints and their terms ("off" when
// disarmed) through GET /failpoints.
func (c *Client) Failpoints(ctx context.Context) (map[string]string, error) {
	status, body, err := c.do(ctx, http.MethodGet, c.base+"/failpoints", nil)
	if err != nil {
		return nil, fmt.Errorf("failpoints: %w", err)
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("failpoints: %w", failpointError(status, body))
	}
	var list []struct {
		Name string `json:"name"`
		Term string `json:"term"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		return nil, fmt.Errorf("decode failpoints: %w", err)
	}
	out := make(map[string]string, len(list))
	for _, p := range list {
		out[p.Name] = p.Term
	}
	return out, nil
}

// failpointError tells a build without the endpoint (404 from the router,
// no JSON error) from an unknown point or a bad term (JSON error).
func failpointError(status int, body []byte) error {
	var m struct {
		Error string `json:"error"`
	}
	if status == http.StatusNotFound && (json.Unmarshal(body, &m) != nil || m.Error == "") {
		return ErrNoFailpoints
	}
	msg := m.Error
	if msg == "" {
		_ = json.Unmarshal(body, &m)
		msg = m.Error
	}
	if msg == "" {
		msg = strings.TrimSpace(string(body))
	}
	return fmt.Errorf("http %d: %s", status, msg)
}
