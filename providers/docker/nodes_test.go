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

// runNodes releases what an earlier run of cluster name left (and does
// again when the test ends), then runs n node containers of it on its
// network, as nodes are, labelled with the cluster and the node.
func runNodes(t *testing.T, p *docker.Provider, name string, n int) []cluster.Node {
	t.Helper()
	ctx := context.Background()
	dockertest.Release(t, p, name)
	t.Cleanup(func() { dockertest.Release(t, p, name) })
	image := dockertest.NodeImage(t, p.Client)
	netLabels := map[string]string{contract.LabelCluster: name}
	if _, err := p.Client.NetworkCreate(ctx, docker.NetworkName(name), network.CreateOptions{Labels: netLabels}); err != nil {
		t.Fatal(err)
	}
	env := []string{"AMBARI_ROLE=agent", "HERD_CLUSTER=" + name, "HERD_DOMAIN=herd.test", "HERD_HOST_GROUP=slaves",
		"AMBARI_PASSWORD=x", "SERF_RPC_AUTH=x"}
	onNet := &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{docker.NetworkName(name): {}}}
	var nodes []cluster.Node
	for i := range n {
		node := cluster.Node{Index: i + 1, Name: fmt.Sprintf("%s-%d", name, i+1)}
		labels := map[string]string{contract.LabelCluster: name, contract.LabelNode: node.Name}
		c, err := p.Client.ContainerCreate(ctx, &container.Config{Image: image, Labels: labels, Env: env}, nil, onNet, nil, docker.ContainerName(node.Name))
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Client.ContainerStart(ctx, c.ID, container.StartOptions{}); err != nil {
			t.Fatal(err)
		}
		nodes = append(nodes, node)
	}
	return nodes
}
