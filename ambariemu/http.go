package ambariemu

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
)

const csrfMessage = "CSRF protection is turned on. X-Requested-By HTTP header is required."

// Handler serves the REST API (/api/v1/...) the way Ambari does: basic auth
// (403 when wrong), X-Requested-By on writes, errors as {"status","message"}.
func (e *Emulator) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/check", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("RUNNING"))
	})
	e.routeHosts(mux)
	e.routeBlueprints(mux)
	e.routeClusters(mux)
	e.routeResources(mux)
	e.routeClusterConfig(mux)
	e.routeStacks(mux)
	e.routeYarn(mux)
	e.routeAlerts(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "The requested resource doesn't exist: "+r.URL.Path)
	})
	return e.guard(mux)
}

func (e *Emulator) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/check" {
			next.ServeHTTP(w, r)
			return
		}
		user, pass, ok := r.BasicAuth()
		if !ok || !e.credentialsMatch(user, pass) {
			writeError(w, http.StatusForbidden, "Full authentication is required to access this resource")
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodOptions &&
			r.Header.Get("X-Requested-By") == "" {
			writeError(w, http.StatusBadRequest, csrfMessage)
			return
		}
		next.ServeHTTP(w, r)
		if r.Method != http.MethodGet {
			e.bump()
		}
	})
}

func (e *Emulator) credentialsMatch(user, pass string) bool {
	u := subtle.ConstantTimeCompare([]byte(user), []byte(e.cfg.User))
	p := subtle.ConstantTimeCompare([]byte(pass), []byte(e.cfg.Password))
	return u&p == 1 && e.cfg.Password != ""
}

// writeJSON answers with Ambari's habit of serving JSON as text/plain.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"status": status, "message": msg})
}

// decode reads a JSON body, answering 400 when it is not valid.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "Invalid Request: Malformed Request Body.  An exception occurred parsing the request body: "+err.Error())
		return false
	}
	return true
}
