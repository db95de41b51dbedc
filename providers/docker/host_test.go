package docker_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/internal/dockertest"
	"github.com/herdhq/herd/providers"
)

// TestHostNetworkNode starts a node the way a cloud instance runs it: in
// the host's network, reached at the instance's address, advertising it,
// finding its Ambari server by name through its own DNS.
func TestHostNetworkNode(t *testing.T) {
	p := dockertest.Provider(t)
	p.HostNetwork = true
	target := cluster.Target{Provider: "docker", Cluster: "hostnet", Image: dockertest.NodeImage(t, p.Client), Domain: "herd.test"}
	dockertest.Release(t, p, target.Cluster)
	cfg, health := dockertest.HostNodeConfig(t, "hostnet-1.herd.test")
	node := cluster.Node{Index: 1, Name: "hostnet-1", FQDN: "hostnet-1.herd.test", Role: contract.RoleServer, HostGroup: "master"}
	info, err := p.StartNode(context.Background(), providers.StartRequest{Target: target, Node: node,
		Instance: cluster.Instance{Index: 1, Address: "127.0.0.1"}, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	if info.IP != "127.0.0.1" || info.AmbariURL != "http://"+cfg.Ambari.APIAddr || info.SerfRPC != cfg.SerfRPCAddr {
		t.Fatalf("node info: %+v", info)
	}
	dockertest.WaitHealthy(t, health)
	c, err := p.Client.ContainerInspect(context.Background(), info.ContainerID)
	if err != nil || string(c.HostConfig.NetworkMode) != "host" {
		t.Fatalf("network mode: %v %v", c.HostConfig.NetworkMode, err)
	}
}

// Allocate reads the kernel's neighbour limit and refuses, before anything
// is created, nodes it could not hold.
func TestAllocateRefusesWhatTheNeighbourTableCannotHold(t *testing.T) {
	p := dockertest.Provider(t)
	limit := filepath.Join(t.TempDir(), "gc_thresh3")
	p.NeighbourLimit = limit
	target := cluster.Target{Provider: "docker", Cluster: "arp", Image: "herd-node:dev", Domain: "herd.test"}
	nodes := []cluster.Node{{Index: 1, Name: "arp-1"}, {Index: 2, Name: "arp-2"}}
	if err := os.WriteFile(limit, []byte("0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := p.Allocate(context.Background(), target, nodes)
	if _, ok := providers.AsPermanent(err); !ok || !strings.Contains(err.Error(), "gc_thresh3") {
		t.Fatalf("want a permanent refusal naming gc_thresh3, got %v", err)
	}
	if err := os.WriteFile(limit, []byte("100000000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if inst, err := p.Allocate(context.Background(), target, nodes); err != nil || len(inst) != 2 {
		t.Fatalf("with room: %v %v", inst, err)
	}
}
