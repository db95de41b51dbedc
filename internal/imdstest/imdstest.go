// Package imdstest is an EC2 instance metadata service for tests, as a
// spot instance sees it over IMDSv2: a session token from PUT
// /latest/api/token, required on every read; spot/instance-action is 404
// until the interruption notice.
package imdstest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Server is a running metadata service.
type Server struct {
	URL    string
	mu     sync.Mutex
	notice string
	reads  int
}

// Start starts one on 127.0.0.1 (a container in the host's network reaches
// it), stopped when the test ends.
func Start(t testing.TB) *Server {
	s := &Server{}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// Interrupt gives the notice EC2 gives two minutes before it takes a spot
// instance: action is terminate, stop or hibernate; at is RFC 3339.
func (s *Server) Interrupt(action, at string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notice = `{"action": "` + action + `", "time": "` + at + `"}`
}

// Reads counts the reads of spot/instance-action with a valid token.
func (s *Server) Reads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reads
}

const token = "session-token"

// ServeHTTP answers as IMDSv2 does.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ttl := r.Header.Get("X-aws-ec2-metadata-token-ttl-seconds")
	switch {
	case r.Method == http.MethodPut && r.URL.Path == "/latest/api/token":
		if ttl == "" {
			http.Error(w, "", http.StatusBadRequest)
			return
		}
		w.Header().Set("X-aws-ec2-metadata-token-ttl-seconds", ttl)
		_, _ = io.WriteString(w, token)
	case r.Header.Get("X-aws-ec2-metadata-token") != token:
		http.Error(w, "", http.StatusUnauthorized) // IMDSv1 is off, as herd launches instances
	case r.URL.Path == "/latest/meta-data/spot/instance-action":
		s.mu.Lock()
		s.reads++
		notice := s.notice
		s.mu.Unlock()
		if notice == "" {
			http.NotFound(w, r)
			return
		}
		_, _ = io.WriteString(w, notice)
	default:
		http.NotFound(w, r)
	}
}
