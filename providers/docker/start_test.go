package docker_test

import (
	"context"
	"testing"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/internal/dockertest"
	"github.com/herdhq/herd/providers"
)

// StartNode creates first and, on a name conflict, adopts what an earlier
// try made: the same container for the same join IP, a new one for a
// stale join IP, and never another cluster's container.
func TestStartNodeAdoptsReplacesOrRefuses(t *testing.T) {
	p := dockertest.Provider(t)
	ctx := context.Background()
	target := cluster.Target{Provider: "docker", Cluster: "adopt", Image: dockertest.NodeImage(t, p.Client), Domain: "herd.test"}
	dockertest.Release(t, p, target.Cluster)
	if err := p.SetUpHosts(ctx, target, nil, nil); err != nil {
		t.Fatal(err)
	}
	node := cluster.Node{Index: 2, Name: "adopt-2", FQDN: "adopt-2.herd.test", Role: contract.RoleAgent, HostGroup: "slaves"}
	start := func(target cluster.Target, joinIP string) (cluster.NodeInfo, error) {
		cfg := contract.DefaultConfig()
		cfg.Role, cfg.NodeName, cfg.Cluster, cfg.JoinAddr = contract.RoleAgent, node.FQDN, target.Cluster, joinIP+":7946"
		return p.StartNode(ctx, providers.StartRequest{Target: target, Node: node, Instance: cluster.Instance{Index: 2}, Config: cfg})
	}
	first, err := start(target, "10.9.9.1")
	if err != nil || first.IP == "" || first.AmbariURL != "" || first.SerfRPC != "" {
		t.Fatalf("an agent has an IP on its network and no published ports: %+v %v", first, err)
	}
	again, err := start(target, "10.9.9.1")
	if err != nil || again.ContainerID != first.ContainerID {
		t.Fatalf("a retried start must adopt %s: %+v %v", first.ContainerID, again, err)
	}
	moved, err := start(target, "10.9.9.2")
	if err != nil || moved.ContainerID == first.ContainerID {
		t.Fatalf("a stale join IP must get a new container: %+v %v", moved, err)
	}
	if _, err := p.Client.ContainerInspect(ctx, first.ContainerID); err == nil {
		t.Fatal("the stale container must be removed")
	}
	other := target
	other.Cluster = "adopt-other"
	dockertest.Release(t, p, other.Cluster)
	if _, err := start(other, "10.9.9.2"); !isPermanent(err, "NameTaken") {
		t.Fatalf("another cluster's container must not be adopted: %v", err)
	}
}

func isPermanent(err error, kind string) bool {
	e, ok := providers.AsPermanent(err)
	return ok && e.Kind == kind
}
