package docker_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/internal/dockertest"
	"github.com/herdhq/herd/internal/faultproxy"
	"github.com/herdhq/herd/providers"
	"github.com/herdhq/herd/providers/docker"
)

// A network the engine refuses to remove though no container is on it
// (its stale count of endpoints, a Docker 20.10 fault, played here by a
// proxy in front of the real engine) fails the release at once, as
// permanent, with the fix; the containers are removed all the same, and
// once the engine lets the network go, a release removes it.
func TestReleaseNamesTheFixForAStaleNetwork(t *testing.T) {
	p := dockertest.Provider(t)
	name := "release-stale-net"
	runNodes(t, p, name, 2)
	faulty := *p
	faulty.Client = staleNetworkEngine(t)
	rel, err := faulty.Release(context.Background(), cluster.Target{Provider: "docker", Cluster: name})
	pe, ok := providers.AsPermanent(err)
	if !ok || pe.Kind != "EngineStaleNetwork" || !strings.Contains(err.Error(), "restart the Docker engine") {
		t.Fatalf("release error %v; want a permanent EngineStaleNetwork error that says to restart the engine", err)
	}
	if rel.Containers != 2 || rel.Networks != 0 {
		t.Fatalf("released %+v; want the 2 containers and not the network", rel)
	}
	rel, err = p.Release(context.Background(), cluster.Target{Provider: "docker", Cluster: name})
	if err != nil || rel.Networks != 1 || rel.Containers != 0 {
		t.Fatalf("release on the engine itself: %+v, %v; want the network alone removed", rel, err)
	}
}

// A container of no cluster attached to a cluster's network fails the
// release at once, as permanent, naming the container and how to detach
// it; the cluster's own containers are removed all the same.
func TestReleaseNamesAForeignContainerOnTheNetwork(t *testing.T) {
	p := dockertest.Provider(t)
	ctx := context.Background()
	name := "release-foreign"
	runNodes(t, p, name, 1)
	foreign := "herd-test-foreign-" + name
	onNet := &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{docker.NetworkName(name): {}}}
	env := []string{"AMBARI_ROLE=agent", "HERD_CLUSTER=other", "HERD_DOMAIN=herd.test", "AMBARI_PASSWORD=x", "SERF_RPC_AUTH=x"}
	c, err := p.Client.ContainerCreate(ctx, &container.Config{Image: dockertest.NodeImage(t, p.Client), Env: env}, nil, onNet, nil, foreign)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Client.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true}) })
	if err := p.Client.ContainerStart(ctx, c.ID, container.StartOptions{}); err != nil {
		t.Fatal(err)
	}
	rel, err := p.Release(ctx, cluster.Target{Provider: "docker", Cluster: name})
	pe, ok := providers.AsPermanent(err)
	if !ok || pe.Kind != "NetworkInUse" || !strings.Contains(err.Error(), foreign) || !strings.Contains(err.Error(), "docker network disconnect") {
		t.Fatalf("release error %v; want a permanent NetworkInUse error naming %s and how to detach it", err, foreign)
	}
	if rel.Containers != 1 || rel.Networks != 0 {
		t.Fatalf("released %+v; want the cluster's container and not the network", rel)
	}
	if err := p.Client.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	rel, err = p.Release(ctx, cluster.Target{Provider: "docker", Cluster: name})
	if err != nil || rel.Networks != 1 {
		t.Fatalf("release once detached: %+v, %v; want the network removed", rel, err)
	}
}

// staleNetworkEngine is a client of the real engine through a proxy that
// refuses every network removal as Docker 20.10 does a network whose
// endpoint count is stale.
func staleNetworkEngine(t *testing.T) *client.Client {
	t.Helper()
	proxy, err := faultproxy.StartRefusing(dockertest.Socket(), func(r *http.Request) (int, string) {
		if r.Method == http.MethodDelete && strings.Contains(r.URL.Path, "/networks/") {
			return http.StatusForbidden, "error while removing network: network herd-x id 0123 has active endpoints"
		}
		return 0, ""
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = proxy.Close() })
	cli, err := client.NewClientWithOpts(client.WithHost("tcp://"+proxy.Addr), client.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatal(err)
	}
	return cli
}
