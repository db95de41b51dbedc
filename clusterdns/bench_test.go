package clusterdns

import (
	"fmt"
	"net"
	"testing"

	"github.com/miekg/dns"
)

func hosts(n int) []Host {
	out := make([]Host, n)
	for i := range out {
		out[i] = Host{FQDN: fmt.Sprintf("c1-%d.herd.local", i+1), IP: net.IPv4(10, byte(i>>16), byte(i>>8), byte(i))}
	}
	return out
}

// BenchmarkAnswerA is one A query answered from 1,000 members.
func BenchmarkAnswerA(b *testing.B) {
	r := NewRecords("herd.local")
	r.Replace(hosts(1000))
	h := &Handler{Records: r}
	q := new(dns.Msg)
	q.SetQuestion("c1-500.herd.local.", dns.TypeA)
	b.ReportAllocs()
	for b.Loop() {
		if resp := h.Answer(q, "udp"); len(resp.Answer) != 1 {
			b.Fatal("no answer")
		}
	}
}

// BenchmarkRebuild is the membership→DNS rebuild a Serf event triggers.
func BenchmarkRebuild(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			r := NewRecords("herd.local")
			hs := hosts(n)
			b.ReportAllocs()
			for b.Loop() {
				r.Replace(hs)
			}
		})
	}
}
