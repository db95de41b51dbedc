package node

import (
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/miekg/dns"

	"github.com/herdhq/herd/ambari"
	"github.com/herdhq/herd/clusterdns"
	"github.com/herdhq/herd/contract"
)

// fakeAmbari answers agent registrations and heartbeats, asking for a
// registration again when told to, and counts the calls of each kind.
type fakeAmbari struct {
	mu               sync.Mutex
	registers, beats int
	askToRegister    bool
}

func (f *fakeAmbari) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var reply ambari.HeartbeatReply
	switch {
	case strings.HasPrefix(r.URL.Path, ambari.AgentRegisterPath):
		f.registers++
	case strings.HasPrefix(r.URL.Path, ambari.AgentHeartbeatPath):
		f.beats++
		if f.askToRegister {
			reply.RegistrationCommand, f.askToRegister = &ambari.RegistrationCommand{}, false
		}
	default:
		http.NotFound(w, r)
		return
	}
	_ = json.NewEncoder(w).Encode(reply)
}

func (f *fakeAmbari) counts() (registers, beats int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.registers, f.beats
}

// An agent resolves the server's name through its node's DNS before it
// registers, and not on each heartbeat: those reuse the connection. When
// the server asks it to register again, it looks the name up again first.
func TestRegisteredAgentBeatsWithoutLookups(t *testing.T) {
	fake := &fakeAmbari{}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	s := startSerf(t)
	if err := s.SetTag(contract.TagServer, "true"); err != nil {
		t.Fatal(err)
	}
	var lookups atomic.Int64
	records := clusterdns.NewRecords("herd.local")
	records.Replace([]clusterdns.Host{{FQDN: "c1-2.herd.local", IP: net.ParseIP("127.0.0.1")}})
	handler := &clusterdns.Handler{Records: records}
	dnsSrv, err := clusterdns.Listen("127.0.0.1:0", dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		lookups.Add(1)
		handler.ServeDNS(w, r)
	}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dnsSrv.Shutdown(t.Context()) })
	cfg := contract.DefaultConfig()
	cfg.NodeName, cfg.Ambari.AgentPort = "c1-2.herd.local", srv.Listener.Addr().(*net.TCPAddr).Port
	a := newAmbariAgent(&Node{cfg: cfg, log: slog.New(slog.NewTextHandler(io.Discard, nil)), serf: s, dns: dnsSrv})

	a.tick()
	afterRegister := lookups.Load()
	if regs, _ := fake.counts(); regs != 1 || afterRegister == 0 {
		t.Fatalf("first tick: %d registrations and %d DNS queries, want 1 registration after a lookup (last error %q)", regs, afterRegister, a.lastErr)
	}
	for range 5 {
		a.tick()
	}
	if regs, beats := fake.counts(); regs != 1 || beats != 5 || lookups.Load() != afterRegister {
		t.Fatalf("5 ticks registered: %d registrations, %d beats, %d more DNS queries; want 1, 5, 0 (last error %q)",
			regs, beats, lookups.Load()-afterRegister, a.lastErr)
	}
	fake.mu.Lock()
	fake.askToRegister = true
	fake.mu.Unlock()
	a.tick() // told to register again
	a.tick() // registers, looking the name up first
	if regs, _ := fake.counts(); regs != 2 || lookups.Load() == afterRegister {
		t.Fatalf("asked to register again: %d registrations, %d more DNS queries; want 2 and a lookup", regs, lookups.Load()-afterRegister)
	}
}
