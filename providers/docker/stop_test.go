package docker_test

import (
	"context"
	"testing"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/internal/dockertest"
	"github.com/herdhq/herd/providers/docker"
)

// RemoveNodes stops and removes the nodes named, several at a time, counts
// each it removed once, skips one that is gone, and leaves the others
// running; StopNodes refuses another cluster's container of the same name.
func TestRemoveNodesRemovesTheNamedOnesOnce(t *testing.T) {
	p := dockertest.Provider(t)
	ctx := context.Background()
	name := "remove-some"
	const n = 11 // more than are removed at once
	nodes := runNodes(t, p, name, n)
	target := cluster.Target{Provider: "docker", Cluster: name}
	gone := cluster.Node{Index: 99, Name: name + "-99"}
	rel, err := p.RemoveNodes(ctx, target, append(nodes[1:], gone))
	if err != nil || rel.Containers != n-1 || rel.Instances != n-1 {
		t.Fatalf("removed %+v, %v; want %d containers and instances", rel, err, n-1)
	}
	left, err := p.Containers(ctx, name)
	if err != nil || len(left) != 1 || left[0] != nodes[0].Name {
		t.Fatalf("left %v, %v; want only %s", left, err, nodes[0].Name)
	}
	if err := p.StopNodes(ctx, cluster.Target{Provider: "docker", Cluster: "another"}, nodes[:1]); err == nil {
		t.Fatal("stopping another cluster's container must be refused")
	}
	c, err := p.Client.ContainerInspect(ctx, docker.ContainerName(nodes[0].Name))
	if err != nil || !c.State.Running {
		t.Fatalf("the node not named must still run: %v", err)
	}
}
