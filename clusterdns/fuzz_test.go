package clusterdns

import (
	"testing"

	"github.com/miekg/dns"
)

// FuzzAnswer feeds the DNS handler arbitrary packets: whatever unpacks is
// answered without a panic, with the question's id, and the answer packs.
func FuzzAnswer(f *testing.F) {
	for _, name := range []string{"c1-1.herd.local.", "3.0.20.172.in-addr.arpa.", "nobody.herd.local.", "example.org."} {
		m := new(dns.Msg)
		m.SetQuestion(name, dns.TypeA)
		b, _ := m.Pack()
		f.Add(b)
	}
	h := newHandler("") // no upstream: nothing leaves the process
	f.Fuzz(func(t *testing.T, packet []byte) {
		req := new(dns.Msg)
		if req.Unpack(packet) != nil {
			return
		}
		resp := h.Answer(req, "udp")
		if resp == nil {
			t.Fatal("no answer")
		}
		if resp.Id != req.Id {
			t.Fatalf("answer id %d for question id %d", resp.Id, req.Id)
		}
		if _, err := resp.Pack(); err != nil {
			t.Fatalf("the answer does not pack: %v", err)
		}
	})
}
