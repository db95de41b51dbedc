package clusterdns

import (
	"net"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// A fixed address whose TCP port another process holds is refused, naming
// it; only a port left to the system (0) is picked again.
func TestListenOnATakenPort(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	addr := taken.Addr().String()
	if _, err := Listen(addr, dns.HandlerFunc(func(dns.ResponseWriter, *dns.Msg) {})); err == nil || !strings.Contains(err.Error(), "listen dns tcp "+addr) {
		t.Fatalf("want the taken TCP port named, got %v", err)
	}
	for addr, want := range map[string]bool{"127.0.0.1:0": true, "127.0.0.1:53": false, ":0": true, "bad": false} {
		if ephemeral(addr) != want {
			t.Errorf("ephemeral(%q) = %v", addr, !want)
		}
	}
}
