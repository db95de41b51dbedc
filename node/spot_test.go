package node

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/internal/imdstest"
	"github.com/herdhq/herd/internal/poll"
	"github.com/herdhq/herd/membership"
)

func startSerf(t *testing.T) *membership.Agent {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	a, err := membership.Start(context.Background(), membership.Config{
		NodeName: "c1-2.herd.local", BindAddr: "127.0.0.1", BindPort: port, RPCAddr: "127.0.0.1:0",
		Tags:   map[string]string{contract.TagCluster: "c1"},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Shutdown() })
	return a
}

// A spot node reads its instance's notice over IMDSv2 and, when it comes,
// tags itself in Serf with the action and time (keeping its other tags):
// nothing before the notice.
func TestSpotNoticeTagsTheNodeInSerf(t *testing.T) {
	f := imdstest.Start(t)
	a := startSerf(t)
	w := newSpotWatch(f.URL, func(n string) error { return a.SetTag(contract.TagInterruption, n) }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	w.every = 20 * time.Millisecond
	stop, done := make(chan struct{}), make(chan struct{})
	defer close(stop)
	go func() { w.run(stop); close(done) }()
	waitUntil(t, "a few reads", func() bool { return f.Reads() >= 3 })
	if tag, ok := a.LocalMember().Tags[contract.TagInterruption]; ok {
		t.Fatalf("tagged before any notice: %q", tag)
	}
	f.Interrupt("terminate", "2026-12-01T21:30:00Z")
	<-done
	tags := a.LocalMember().Tags
	if tags[contract.TagInterruption] != "terminate 2026-12-01T21:30:00Z" || tags[contract.TagCluster] != "c1" {
		t.Fatalf("tags: %v", tags)
	}
}

// A metadata service that answers garbage, or refuses, is no notice: the
// watch goes on reading.
func TestSpotNoticeIgnoresBadAnswers(t *testing.T) {
	var reads atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			w.Header().Set("X-aws-ec2-metadata-token-ttl-seconds", "300")
			io.WriteString(w, "tok")
			return
		}
		n := reads.Add(1)
		if n%2 == 0 {
			http.Error(w, "", http.StatusInternalServerError)
			return
		}
		io.WriteString(w, "not json "+strconv.Itoa(int(n)))
	}))
	defer srv.Close()
	told := make(chan string, 1)
	w := newSpotWatch(srv.URL, func(n string) error { told <- n; return nil }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	w.every = 10 * time.Millisecond
	stop := make(chan struct{})
	go w.run(stop)
	waitUntil(t, "reads", func() bool { return reads.Load() >= 6 })
	close(stop)
	select {
	case n := <-told:
		t.Fatalf("told a notice from a bad answer: %q", n)
	default:
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := poll.Until(ctx, 10*time.Millisecond, func(context.Context) (bool, error) { return cond(), nil }); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}
