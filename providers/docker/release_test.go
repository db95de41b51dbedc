package docker_test

import (
	"context"
	"testing"

	"github.com/docker/docker/api/types/container"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/internal/dockertest"
)

// Release removes every container of a cluster, several at a time, counts
// each once, and leaves nothing, its network included (no endpoint left
// on it); a second release finds nothing to do.
func TestReleaseRemovesEveryContainerOnce(t *testing.T) {
	p := dockertest.Provider(t)
	ctx := context.Background()
	name := "release-many"
	const n = 19 // more than are removed at once, and not a multiple of it
	runNodes(t, p, name, n)
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
