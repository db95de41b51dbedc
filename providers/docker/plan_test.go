package docker_test

import (
	"context"
	"net/netip"
	"strconv"
	"sync"
	"testing"

	"github.com/docker/docker/api/types/network"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/internal/dockertest"
	"github.com/herdhq/herd/providers"
	"github.com/herdhq/herd/providers/docker"
)

// A cluster's network keeps an address for the server, known once the
// hosts are set up: the server gets it, whenever it starts, and the
// agents, started alongside it, get addresses from the rest of the subnet.
func TestTheNetworkKeepsTheServersAddress(t *testing.T) {
	p := dockertest.Provider(t)
	ctx := context.Background()
	target := cluster.Target{Provider: "docker", Cluster: "plan", Image: dockertest.NodeImage(t, p.Client), Domain: "herd.test"}
	dockertest.Release(t, p, target.Cluster)
	t.Cleanup(func() { dockertest.Release(t, p, target.Cluster) })
	if err := p.SetUpHosts(ctx, target, nil, nil); err != nil {
		t.Fatal(err)
	}
	planned, err := p.PlannedJoinIP(ctx, target, cluster.Instance{Index: 1, Address: "local"})
	if err != nil {
		t.Fatal(err)
	}
	n, err := p.Client.NetworkInspect(ctx, docker.NetworkName(target.Cluster), network.InspectOptions{})
	if err != nil || len(n.IPAM.Config) != 1 {
		t.Fatalf("network: %+v %v", n.IPAM, err)
	}
	subnet, dynamic := netip.MustParsePrefix(n.IPAM.Config[0].Subnet), netip.MustParsePrefix(n.IPAM.Config[0].IPRange)
	ip, err := netip.ParseAddr(planned)
	if err != nil || !subnet.Contains(ip) || dynamic.Contains(ip) {
		t.Fatalf("the planned IP %q must be in %s and out of the engine's range %s", planned, subnet, dynamic)
	}
	start := func(role contract.Role, index int, joinIP string) cluster.NodeInfo {
		node := cluster.Node{Index: index, Name: "plan-" + strconv.Itoa(index), Role: role, HostGroup: "slaves"}
		node.FQDN = node.Name + ".herd.test"
		cfg := contract.DefaultConfig()
		cfg.Role, cfg.NodeName, cfg.Cluster, cfg.Ambari.Password = role, node.FQDN, target.Cluster, "x"
		if joinIP != "" {
			cfg.JoinAddr = joinIP + ":7946"
		}
		info, err := p.StartNode(ctx, providers.StartRequest{Target: target, Node: node, Instance: cluster.Instance{Index: index}, Config: cfg})
		if err != nil {
			t.Fatal(err)
		}
		return info
	}
	agent := start(contract.RoleAgent, 2, planned) // before the server, as it may be
	if a := netip.MustParseAddr(agent.IP); !dynamic.Contains(a) {
		t.Fatalf("an agent must get an address from the engine's range %s, got %s", dynamic, a)
	}
	if server := start(contract.RoleServer, 1, ""); server.IP != planned {
		t.Fatalf("the server must get the planned IP %s, got %s", planned, server.IP)
	}
}

// Clusters set up at once each get a planned network of their own: one
// that takes another's subnet while it is being planned makes that one
// plan again.
func TestNetworksPlannedAtOnceGetSubnetsOfTheirOwn(t *testing.T) {
	p := dockertest.Provider(t)
	ctx := context.Background()
	image := dockertest.NodeImage(t, p.Client)
	const n = 10
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		name := "plan-at-once-" + strconv.Itoa(i)
		dockertest.Release(t, p, name)
		t.Cleanup(func() { dockertest.Release(t, p, name) })
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = p.SetUpHosts(ctx, cluster.Target{Provider: "docker", Cluster: name, Image: image}, nil, nil)
		}()
	}
	wg.Wait()
	subnets := map[string]string{}
	for i, err := range errs {
		name := "plan-at-once-" + strconv.Itoa(i)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		net, err := p.Client.NetworkInspect(ctx, docker.NetworkName(name), network.InspectOptions{})
		if err != nil || net.Labels[contract.LabelServerIP] == "" || len(net.IPAM.Config) != 1 {
			t.Fatalf("%s is not planned: %+v %v", name, net.IPAM, err)
		}
		if other, taken := subnets[net.IPAM.Config[0].Subnet]; taken {
			t.Fatalf("%s and %s share subnet %s", name, other, net.IPAM.Config[0].Subnet)
		}
		subnets[net.IPAM.Config[0].Subnet] = name
	}
}
