package ambari

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A hostile or broken server: every call fails with a clear error that
// says whether to try again, and none hangs.
func TestClientAgainstABrokenServer(t *testing.T) {
	cases := []struct {
		name      string
		handler   http.HandlerFunc
		want      string
		retryable bool
	}{
		{"garbage JSON", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("{not json")) }, "decode answer", true},
		{"a 500 page", func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "<html>oops</html>", 500) }, "ambari: 500 <html>oops</html>", true},
		{"Ambari's 403", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(403)
			_, _ = w.Write([]byte(`{"status":403,"message":"Full authentication is required to access this resource"}`))
		}, "ambari: 403 Full authentication", false},
		{"a redirect loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, r.URL.Path, http.StatusFound) }, "redirected 10 times", false},
		{"throttling", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(429) }, "ambari: 429", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			_, err := NewClient(srv.URL, "admin", "pw").Hosts(context.Background())
			if err == nil || !strings.Contains(err.Error(), tc.want) || Retryable(err) != tc.retryable {
				t.Fatalf("got %v (retryable %v), want %q (retryable %v)", err, Retryable(err), tc.want, tc.retryable)
			}
		})
	}
}

func TestClientNeverHangs(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	c := NewClient(srv.URL, "admin", "pw")
	c.HTTP.Timeout = 500 * time.Millisecond
	start := time.Now()
	_, err := c.Hosts(context.Background())
	if err == nil || time.Since(start) > 5*time.Second || !Retryable(err) {
		t.Fatalf("a hanging server must time out, retryably: %v after %s", err, time.Since(start))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	c.HTTP.Timeout = time.Hour
	if _, err := c.Hosts(ctx); err == nil {
		t.Fatal("the caller's deadline must end a call to a hanging server")
	}
}

func TestCardinality(t *testing.T) {
	for card, cases := range map[string]map[int]bool{
		"1": {0: false, 1: true, 2: false}, "1+": {0: false, 1: true, 50: true},
		"0-1": {0: true, 1: true, 2: false}, "1-2": {0: false, 2: true, 3: false}, "": {0: true, 9: true},
	} {
		for n, want := range cases {
			if got := CardinalityAllows(card, n); got != want {
				t.Errorf("%q allows %d: %v, want %v", card, n, got, want)
			}
		}
	}
	if !ParseCardinality("ALL").Allows(3, 3) || ParseCardinality("ALL").Allows(2, 3) {
		t.Error("ALL means every host group")
	}
	if !ParseCardinality("2").Fixed() || ParseCardinality("1+").Fixed() {
		t.Error("only a number is fixed")
	}
}
