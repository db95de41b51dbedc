package docker

import (
	"testing"

	"github.com/docker/docker/api/types/network"
)

// plan gives the engine the upper half of an IPv4 subnet large enough and
// keeps for the server the lower half's first address after the gateway;
// it leaves other subnets alone.
func TestPlan(t *testing.T) {
	for _, c := range []struct {
		in                      network.IPAMConfig
		subnet, ipRange, server string
	}{
		{network.IPAMConfig{Subnet: "172.18.0.0/16", Gateway: "172.18.0.1"}, "172.18.0.0/16", "172.18.128.0/17", "172.18.0.2"},
		{network.IPAMConfig{Subnet: "192.168.16.0/20", Gateway: "192.168.16.1"}, "192.168.16.0/20", "192.168.24.0/21", "192.168.16.2"},
		{network.IPAMConfig{Subnet: "10.1.0.0/16", Gateway: "10.1.0.2"}, "10.1.0.0/16", "10.1.128.0/17", "10.1.0.3"},
		{network.IPAMConfig{Subnet: "10.2.0.0/16"}, "10.2.0.0/16", "10.2.128.0/17", "10.2.0.2"},
	} {
		cfg, server, ok := plan([]network.IPAMConfig{c.in})
		if !ok || cfg.Subnet != c.subnet || cfg.IPRange != c.ipRange || server.String() != c.server {
			t.Errorf("plan(%+v) = %+v %s %v; want %s %s %s", c.in, cfg, server, ok, c.subnet, c.ipRange, c.server)
		}
	}
	for _, in := range []network.IPAMConfig{{Subnet: "10.3.0.0/24"}, {Subnet: "fd00::/64"}, {Subnet: "nonsense"}} {
		if cfg, _, ok := plan([]network.IPAMConfig{in}); ok {
			t.Errorf("plan(%+v) = %+v; want no plan", in, cfg)
		}
	}
}
