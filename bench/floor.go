package bench

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/go-connections/nat"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/providers/docker"
)

// Floor is the engine's own limit for a cluster of n nodes, measured in
// the same run as herd: a network, then n containers of the node image
// created and started at once with the settings herd gives them (the first
// one's ports published, DNS, a name on the network, no Docker health
// check), and no cluster logic: each runs the node program as an agent that
// joins nobody. Wall is from the network's creation until the last container
// has started.
func (s *Stack) Floor(name, image string, n int) (Run, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	cli := s.Docker.Client
	netName := docker.NetworkName(name)
	start := time.Now()
	if _, err := cli.NetworkCreate(ctx, netName, network.CreateOptions{Labels: map[string]string{contract.LabelCluster: name}}); err != nil {
		return Run{}, fmt.Errorf("floor network: %w", err)
	}
	defer func() {
		_, _ = s.Docker.Release(context.Background(), cluster.Target{Provider: "docker", Cluster: name})
	}()
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = floorContainer(ctx, s, name, image, i+1)
		}()
	}
	wg.Wait()
	wall := time.Since(start).Seconds()
	for _, err := range errs {
		if err != nil {
			return Run{}, err
		}
	}
	return Run{Nodes: n, Wall: wall}, nil
}

// floorContainer creates and starts one container as herd's provider
// would, in two calls.
func floorContainer(ctx context.Context, s *Stack, name, image string, i int) error {
	node := name + "-" + strconv.Itoa(i)
	api, rpc := nat.Port(contract.Port(contract.PortAmbariAPI)+"/tcp"), nat.Port(contract.Port(contract.PortSerfRPC)+"/tcp")
	publish := []nat.PortBinding{{HostIP: "127.0.0.1"}}
	cfg := &container.Config{Image: image, Hostname: node, Domainname: "herd.local",
		Env: []string{"AMBARI_ROLE=agent", "HERD_CLUSTER=" + name, "HERD_DOMAIN=herd.local", "HERD_HOST_GROUP=slaves",
			"AMBARI_PASSWORD=floor", "SERF_RPC_AUTH=floor-token"},
		Labels: map[string]string{contract.LabelCluster: name, contract.LabelNode: node}, Healthcheck: docker.NoHealthcheck()}
	host := &container.HostConfig{DNS: []string{"127.0.0.1"}}
	if i == 1 { // the server's ports only, as herd publishes
		cfg.ExposedPorts, host.PortBindings = nat.PortSet{api: {}, rpc: {}}, nat.PortMap{api: publish, rpc: publish}
	}
	netCfg := &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{
		docker.NetworkName(name): {Aliases: []string{node + ".herd.local"}}}}
	c, err := s.Docker.Client.ContainerCreate(ctx, cfg, host, netCfg, nil, docker.ContainerName(node))
	if err != nil {
		return fmt.Errorf("floor: create %s: %w", node, err)
	}
	if err := s.Docker.Client.ContainerStart(ctx, c.ID, container.StartOptions{}); err != nil {
		return fmt.Errorf("floor: start %s: %w", node, err)
	}
	return nil
}
