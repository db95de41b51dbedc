package clusterdns

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

func newHandler(upstream string) *Handler {
	r := NewRecords("herd.local")
	r.Replace([]Host{
		{FQDN: "c1-1.herd.local", IP: net.ParseIP("172.20.0.2")},
		{FQDN: "c1-2.herd.local.", IP: net.ParseIP("172.20.0.3")},
	})
	return &Handler{Records: r, Upstream: upstream, Timeout: 300 * time.Millisecond}
}

func ask(h *Handler, name string, qtype uint16) *dns.Msg {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	return h.Answer(m, "udp")
}

func TestAForFQDNAndShortName(t *testing.T) {
	h := newHandler("")
	for _, name := range []string{"c1-1.herd.local", "C1-1.HERD.LOCAL", "c1-1"} {
		resp := ask(h, name, dns.TypeA)
		if resp.Rcode != dns.RcodeSuccess || len(resp.Answer) != 1 || !resp.Authoritative {
			t.Fatalf("%s: %v", name, resp)
		}
		if a := resp.Answer[0].(*dns.A); !a.A.Equal(net.ParseIP("172.20.0.2")) {
			t.Fatalf("%s: got %v", name, a.A)
		}
	}
}

func TestPTR(t *testing.T) {
	h := newHandler("")
	resp := ask(h, "3.0.20.172.in-addr.arpa", dns.TypePTR)
	if len(resp.Answer) != 1 || resp.Answer[0].(*dns.PTR).Ptr != "c1-2.herd.local." {
		t.Fatalf("ptr: %v", resp)
	}
}

func TestNXDOMAINWithSOAInDomain(t *testing.T) {
	h := newHandler("")
	resp := ask(h, "nobody.herd.local", dns.TypeA)
	if resp.Rcode != dns.RcodeNameError || len(resp.Ns) != 1 {
		t.Fatalf("want NXDOMAIN with SOA: %v", resp)
	}
	if soa, ok := resp.Ns[0].(*dns.SOA); !ok || soa.Hdr.Name != "herd.local." {
		t.Fatalf("want SOA for herd.local.: %v", resp.Ns[0])
	}
	aaaa := ask(h, "c1-1.herd.local", dns.TypeAAAA)
	if aaaa.Rcode != dns.RcodeSuccess || len(aaaa.Answer) != 0 || len(aaaa.Ns) != 1 {
		t.Fatalf("AAAA of an existing name must be NODATA: %v", aaaa)
	}
}

func TestMembershipChangeRemovesName(t *testing.T) {
	h := newHandler("")
	h.Records.Replace([]Host{{FQDN: "c1-1.herd.local", IP: net.ParseIP("172.20.0.2")}})
	if resp := ask(h, "c1-2.herd.local", dns.TypeA); resp.Rcode != dns.RcodeNameError {
		t.Fatalf("departed member must be NXDOMAIN: %v", resp)
	}
	if resp := ask(h, "3.0.20.172.in-addr.arpa", dns.TypePTR); resp.Rcode != dns.RcodeServerFailure {
		t.Fatalf("its PTR is no longer ours (forwarded, here no upstream): %v", resp)
	}
	h.Records.Replace([]Host{{FQDN: "c1-9.herd.local", IP: net.ParseIP("172.20.0.9")}})
	if resp := ask(h, "c1-9", dns.TypeA); len(resp.Answer) != 1 {
		t.Fatalf("joined member must resolve: %v", resp)
	}
}

// upstream starts a real DNS server answering example.org with 192.0.2.1.
func upstream(t *testing.T) string {
	t.Helper()
	mux := dns.NewServeMux()
	mux.HandleFunc("example.org.", func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		m.Answer = []dns.RR{&dns.A{Hdr: header(r.Question[0].Name, dns.TypeA), A: net.ParseIP("192.0.2.1")}}
		_ = w.WriteMsg(m)
	})
	srv, err := Listen("127.0.0.1:0", mux)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	return srv.Addr()
}

func TestForwardsOtherNames(t *testing.T) {
	h := newHandler(upstream(t))
	resp := ask(h, "example.org", dns.TypeA)
	if len(resp.Answer) != 1 || !resp.Answer[0].(*dns.A).A.Equal(net.ParseIP("192.0.2.1")) {
		t.Fatalf("forwarded: %v", resp)
	}
}

func TestUnreachableUpstreamIsSERVFAIL(t *testing.T) {
	pc, _ := net.ListenPacket("udp", "127.0.0.1:0") // bound, never answers
	defer pc.Close()
	h := newHandler(pc.LocalAddr().String())
	if resp := ask(h, "example.org", dns.TypeA); resp.Rcode != dns.RcodeServerFailure {
		t.Fatalf("want SERVFAIL: %v", resp)
	}
}

func TestForwardingLoopIsCut(t *testing.T) {
	var h *Handler
	ready := make(chan struct{})
	srv, err := Listen("127.0.0.1:0", dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		<-ready
		h.ServeDNS(w, r)
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	h = newHandler(srv.Addr()) // forwards to itself, as Docker's resolver would send it back
	close(ready)
	if resp := ask(h, "example.org", dns.TypeA); resp.Rcode != dns.RcodeServerFailure {
		t.Fatalf("want SERVFAIL on a loop: %v", resp)
	}
}

func TestServerOverUDPAndTCPWithResolver(t *testing.T) {
	h := newHandler("")
	srv, err := Listen("127.0.0.1:0", h)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	for _, network := range []string{"udp", "tcp"} {
		m := new(dns.Msg)
		m.SetQuestion("c1-2.herd.local.", dns.TypeA)
		resp, _, err := (&dns.Client{Net: network}).Exchange(m, srv.Addr())
		if err != nil || len(resp.Answer) != 1 {
			t.Fatalf("%s: %v %v", network, resp, err)
		}
	}
	addrs, err := Resolver(srv.Addr()).LookupHost(context.Background(), "c1-2.herd.local")
	if err != nil || len(addrs) != 1 || addrs[0] != "172.20.0.3" {
		t.Fatalf("resolver: %v %v", addrs, err)
	}
	names, err := Resolver(srv.Addr()).LookupAddr(context.Background(), "172.20.0.2")
	if err != nil || len(names) != 1 || names[0] != "c1-1.herd.local." {
		t.Fatalf("reverse: %v %v", names, err)
	}
}

func TestHostsFile(t *testing.T) {
	h := newHandler("")
	path := filepath.Join(t.TempDir(), "hosts")
	if err := h.Records.WriteHostsFile(path); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), "172.20.0.2 c1-1.herd.local c1-1\n") || !strings.Contains(string(b), "172.20.0.3 c1-2.herd.local c1-2\n") {
		t.Fatalf("hosts file:\n%s", b)
	}
}
