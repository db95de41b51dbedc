package docker_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/internal/dockertest"
	"github.com/herdhq/herd/providers/docker"
)

// Release removes every container of a cluster, several at a time, counts
// each once, and leaves nothing, its network included (no endpoint left
// on it); a second release finds nothing to do.
func TestReleaseRemovesEveryContainerOnce(t *testing.T) {
	p := dockertest.Provider(t)
	ctx := context.Background()
	name := "release-many"
	image := dockertest.NodeImage(t, p.Client)
	dockertest.Release(t, p, name)
	labels := map[string]string{contract.LabelCluster: name}
	if _, err := p.Client.NetworkCreate(ctx, docker.NetworkName(name), network.CreateOptions{Labels: labels}); err != nil {
		t.Fatal(err)
	}
	const n = 19 // more than are removed at once, and not a multiple of it
	env := []string{"AMBARI_ROLE=agent", "HERD_CLUSTER=" + name, "AMBARI_PASSWORD=x", "SERF_RPC_AUTH=x"}
	onNet := &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{docker.NetworkName(name): {}}}
	for i := range n { // running on the cluster's network, as nodes are
		c, err := p.Client.ContainerCreate(ctx, &container.Config{Image: image, Labels: labels, Env: env}, nil, onNet, nil, fmt.Sprintf("herd-%s-%d", name, i))
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Client.ContainerStart(ctx, c.ID, container.StartOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	rel, err := p.Release(ctx, cluster.Target{Provider: "docker", Cluster: name})
	if err != nil || rel.Containers != n || rel.Instances != n || rel.Networks != 1 {
		t.Fatalf("released %+v, %v; want %d containers and 1 network", rel, err, n)
	}
	left, err := p.Client.ContainerList(ctx, container.ListOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range left {
		if c.Labels[contract.LabelCluster] == name {
			t.Fatalf("container %s left behind", c.Names)
		}
	}
	again, err := p.Release(ctx, cluster.Target{Provider: "docker", Cluster: name})
	if err != nil || again != (cluster.Released{}) {
		t.Fatalf("a second release: %+v, %v; want nothing to do", again, err)
	}
}
