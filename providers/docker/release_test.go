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
// each once, and leaves nothing; a second release finds nothing to do.
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
	for i := range n {
		_, err := p.Client.ContainerCreate(ctx, &container.Config{Image: image, Labels: labels}, nil, nil, nil, fmt.Sprintf("herd-%s-%d", name, i))
		if err != nil {
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
