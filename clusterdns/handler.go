package clusterdns

import (
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// ttl is short: membership changes within seconds.
const ttl = 5

// Handler answers DNS queries from Records and forwards the rest upstream.
type Handler struct {
	Records  *Records
	Upstream string // host:port of the upstream resolver; empty = no forwarding
	Timeout  time.Duration
	Logger   *slog.Logger

	mu       sync.Mutex
	inflight map[dns.Question]bool
}

// ServeDNS implements dns.Handler.
func (h *Handler) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	_ = w.WriteMsg(h.Answer(req, w.RemoteAddr().Network()))
}

// Answer builds the response to req; network is "udp" or "tcp".
func (h *Handler) Answer(req *dns.Msg, network string) *dns.Msg {
	if len(req.Question) != 1 {
		return failure(req, dns.RcodeFormatError)
	}
	q := req.Question[0]
	if resp, ok := h.local(req, q); ok {
		return resp
	}
	return h.forward(req, q, network)
}

// local answers from the cluster records; ok is false when the name is not
// ours to answer.
func (h *Handler) local(req *dns.Msg, q dns.Question) (*dns.Msg, bool) {
	name := strings.ToLower(q.Name)
	if strings.HasSuffix(name, ".in-addr.arpa.") {
		fqdn, found := h.Records.LookupPTR(name)
		if !found {
			return nil, false
		}
		return h.reply(req, q, &dns.PTR{Hdr: header(q.Name, dns.TypePTR), Ptr: fqdn}), true
	}
	ip, found := h.Records.LookupA(name)
	switch {
	case found && q.Qtype == dns.TypeA:
		return h.reply(req, q, &dns.A{Hdr: header(q.Name, dns.TypeA), A: ip}), true
	case found:
		return h.reply(req, q, nil), true // the name exists, without that type
	case h.Records.InDomain(name):
		return h.nxdomain(req), true
	}
	return nil, false
}

func header(name string, rrtype uint16) dns.RR_Header {
	return dns.RR_Header{Name: name, Rrtype: rrtype, Class: dns.ClassINET, Ttl: ttl}
}

func (h *Handler) reply(req *dns.Msg, q dns.Question, rr dns.RR) *dns.Msg {
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	m.RecursionAvailable = true
	if rr != nil {
		m.Answer = []dns.RR{rr}
	} else {
		m.Ns = []dns.RR{h.soa()}
	}
	return m
}

func (h *Handler) nxdomain(req *dns.Msg) *dns.Msg {
	m := new(dns.Msg)
	m.SetRcode(req, dns.RcodeNameError)
	m.Authoritative = true
	m.RecursionAvailable = true
	m.Ns = []dns.RR{h.soa()}
	return m
}

func (h *Handler) soa() dns.RR {
	zone := h.Records.Domain()
	return &dns.SOA{
		Hdr:     dns.RR_Header{Name: zone, Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: ttl},
		Ns:      "ns." + zone,
		Mbox:    "hostmaster." + zone,
		Serial:  1,
		Refresh: 3600, Retry: 600, Expire: 86400, Minttl: ttl,
	}
}

// forward sends req upstream. A query that comes back to us while we are
// forwarding it (Docker's embedded resolver forwards to --dns 127.0.0.1,
// which is us) is a loop and is answered SERVFAIL at once.
func (h *Handler) forward(req *dns.Msg, q dns.Question, network string) *dns.Msg {
	if h.Upstream == "" {
		return failure(req, dns.RcodeServerFailure)
	}
	if !h.enter(q) {
		return failure(req, dns.RcodeServerFailure)
	}
	defer h.leave(q)
	c := &dns.Client{Net: network, Timeout: h.timeout()}
	resp, _, err := c.Exchange(req, h.Upstream)
	if err != nil {
		h.logger().Warn("dns upstream unreachable", "upstream", h.Upstream, "name", q.Name, "err", err)
		return failure(req, dns.RcodeServerFailure)
	}
	return resp
}

func (h *Handler) enter(q dns.Question) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.inflight == nil {
		h.inflight = map[dns.Question]bool{}
	}
	q.Name = strings.ToLower(q.Name)
	if h.inflight[q] {
		return false
	}
	h.inflight[q] = true
	return true
}

func (h *Handler) leave(q dns.Question) {
	h.mu.Lock()
	defer h.mu.Unlock()
	q.Name = strings.ToLower(q.Name)
	delete(h.inflight, q)
}

func (h *Handler) timeout() time.Duration {
	if h.Timeout > 0 {
		return h.Timeout
	}
	return 2 * time.Second
}

func (h *Handler) logger() *slog.Logger {
	if h.Logger != nil {
		return h.Logger
	}
	return slog.Default()
}

func failure(req *dns.Msg, rcode int) *dns.Msg {
	m := new(dns.Msg)
	m.SetRcode(req, rcode)
	m.RecursionAvailable = true
	return m
}
