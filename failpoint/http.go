package failpoint

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Handler serves the registry under /failpoints:
//
//	GET    /failpoints         every point, its term and hits (JSON array)
//	PUT    /failpoints/{name}  body: a term (off, on, panic, sleep(100ms), error(msg))
//	DELETE /failpoints/{name}  the same as PUT "off"
//
// Errors are JSON {"error": ...}: 404 for an unknown name, 400 for a bad term.
func (r *Registry) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		name := strings.Trim(strings.TrimPrefix(req.URL.Path, "/failpoints"), "/")
		switch {
		case name == "" && req.Method == http.MethodGet:
			writeJSON(w, http.StatusOK, r.List())
		case name != "" && (req.Method == http.MethodPut || req.Method == http.MethodDelete):
			body := "off"
			if req.Method == http.MethodPut {
				b, err := io.ReadAll(io.LimitReader(req.Body, 4096))
				if err != nil {
					writeJSON(w, http.StatusBadRequest, errBody(fmt.Errorf("read body: %w", err)))
					return
				}
				body = string(b)
			}
			t, err := ParseTerm(body)
			if err != nil {
				writeJSON(w, http.StatusBadRequest, errBody(err))
				return
			}
			if err := r.Arm(name, t); err != nil {
				status := http.StatusBadRequest
				if errors.Is(err, ErrUnknown) {
					status = http.StatusNotFound
				}
				writeJSON(w, status, errBody(err))
				return
			}
			writeJSON(w, http.StatusOK, map[string]string{"name": name, "term": t.String()})
		default:
			w.Header().Set("Allow", "GET on /failpoints; PUT, DELETE on /failpoints/{name}")
			writeJSON(w, http.StatusMethodNotAllowed, errBody(fmt.Errorf("method %s not allowed on %s", req.Method, req.URL.Path)))
		}
	})
}

func errBody(err error) map[string]string { return map[string]string{"error": err.Error()} }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
