package docker

import (
	"context"
	"fmt"
	"net"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/errdefs"
	"github.com/docker/go-connections/nat"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/providers"
)

// Ports of the node image that are published to the orchestrator.
var (
	portAmbari  = nat.Port(contract.Port(contract.PortAmbariAPI) + "/tcp")
	portSerfRPC = nat.Port(contract.Port(contract.PortSerfRPC) + "/tcp")
)

// StartNode starts the node's container, or adopts the one a previous try
// created, and reports its IP and published ports.
func (p *Provider) StartNode(ctx context.Context, req providers.StartRequest) (cluster.NodeInfo, error) {
	if p.HostNetwork {
		req.Config.AdvertiseIP = req.Instance.Address
	}
	name := ContainerName(req.Node.Name)
	// Create first: on the usual path the container does not exist yet, and
	// a name conflict tells of one a previous try made. When that one was
	// stale and is removed, create again.
	id, err := p.create(ctx, name, req)
	if err == nil && id == "" {
		id, err = p.create(ctx, name, req)
	}
	if err != nil {
		return cluster.NodeInfo{}, err
	}
	if id == "" {
		return cluster.NodeInfo{}, fmt.Errorf("create container %s: it was replaced by another try meanwhile; try again", name)
	}
	if err := p.Client.ContainerStart(ctx, id, container.StartOptions{}); err != nil {
		return cluster.NodeInfo{}, fmt.Errorf("start container %s: %w", name, err)
	}
	return p.describe(ctx, id, req)
}

// existing returns the id of the node's container if a previous try made
// it. A container told another join IP (the server came back with a new
// address) is removed, so that it is made again with the current one.
func (p *Provider) existing(ctx context.Context, name, clusterName, joinIP string) (string, error) {
	c, err := p.Client.ContainerInspect(ctx, name)
	if errdefs.IsNotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("inspect container %s: %w", name, err)
	}
	if c.Config.Labels[contract.LabelCluster] != clusterName {
		return "", providers.Permanent("NameTaken", fmt.Errorf(
			"a container named %s exists but does not belong to cluster %s: remove it or pick another cluster name", name, clusterName))
	}
	if c.Config.Labels[contract.LabelJoinIP] != joinIP {
		p.Logger.Info("replacing container with a stale join IP", "container", name, "join_ip", joinIP)
		if err := p.Client.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true}); err != nil {
			return "", fmt.Errorf("remove stale container %s: %w", name, err)
		}
		return "", nil
	}
	p.Logger.Info("adopting existing container", "container", name)
	return c.ID, nil
}

func labels(req providers.StartRequest) map[string]string {
	n := req.Node
	return map[string]string{contract.LabelCluster: req.Target.Cluster, contract.LabelNode: n.Name,
		contract.LabelRole: string(n.Role), contract.LabelHostGroup: n.HostGroup, contract.LabelJoinIP: req.Config.JoinIP()}
}

func (p *Provider) create(ctx context.Context, name string, req providers.StartRequest) (string, error) {
	n := req.Node
	cfg := &container.Config{
		Image: req.Target.Image, Hostname: n.Name, Domainname: req.Target.Domain,
		Env: req.Config.EnvList(), Labels: labels(req), Healthcheck: NoHealthcheck(),
	}
	host := &container.HostConfig{NetworkMode: "host", RestartPolicy: container.RestartPolicy{Name: container.RestartPolicyUnlessStopped}}
	var netCfg *network.NetworkingConfig
	if !p.HostNetwork {
		host = &container.HostConfig{DNS: []string{"127.0.0.1"}}
		if n.IsServer() {
			p.publish(cfg, host)
		}
		netCfg = &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{
			NetworkName(req.Target.Cluster): {Aliases: []string{n.FQDN}},
		}}
	}
	confine(host)
	if n.IsServer() {
		if err := p.stateVolume(ctx, req, host); err != nil {
			return "", err
		}
	}
	resp, err := p.Client.ContainerCreate(ctx, cfg, host, netCfg, nil, name)
	if errdefs.IsConflict(err) { // created by an earlier or concurrent try: adopt it
		return p.existing(ctx, name, req.Target.Cluster, req.Config.JoinIP())
	}
	if err != nil {
		return "", fmt.Errorf("create container %s: %w", name, err)
	}
	p.Logger.Info("container created", "container", name, "role", n.Role)
	return resp.ID, nil
}

func (p *Provider) describe(ctx context.Context, id string, req providers.StartRequest) (cluster.NodeInfo, error) {
	c, err := p.Client.ContainerInspect(ctx, id)
	if err != nil {
		return cluster.NodeInfo{}, fmt.Errorf("inspect container %s: %w", id, err)
	}
	info := cluster.NodeInfo{Node: req.Node, ContainerID: c.ID}
	if p.HostNetwork {
		addr := req.Instance.Address
		info.IP = addr
		info.AmbariURL = "http://" + net.JoinHostPort(addr, req.Config.APIPort())
		info.SerfRPC = net.JoinHostPort(addr, req.Config.RPCPort())
		return info, nil
	}
	if ep := c.NetworkSettings.Networks[NetworkName(req.Target.Cluster)]; ep != nil {
		info.IP = ep.IPAddress
	}
	if info.IP == "" {
		return info, fmt.Errorf("container %s has no IP on network %s yet", c.Name, NetworkName(req.Target.Cluster))
	}
	if !req.Node.IsServer() {
		return info, nil
	}
	api, rpc := p.binding(c.NetworkSettings.Ports, portAmbari), p.binding(c.NetworkSettings.Ports, portSerfRPC)
	if api == "" || rpc == "" {
		return info, fmt.Errorf("container %s has no published ports yet", c.Name)
	}
	info.AmbariURL, info.SerfRPC = "http://"+api, rpc
	return info, nil
}

// NoHealthcheck turns off the node image's Docker HEALTHCHECK (kept for
// containers run by hand) on the containers herd starts: herd watches their
// health through Serf, and each Docker check is an exec into the container
// (measured here: about 30 ms of the node's CPU and three times as much of
// the engine's). Every 30 s on each node, that was more than the node's own
// idle use, and at 100 nodes on one engine, a third of a core.
func NoHealthcheck() *container.HealthConfig {
	return &container.HealthConfig{Test: []string{"NONE"}}
}

// publish has the engine publish the server's Ambari and Serf RPC ports
// on the host: herd reaches the cluster through them. Agents publish none:
// nothing outside their network talks to them, and each published port is
// a proxy process and NAT rules on the host (at 30 nodes, 60 processes and
// about a fifth of the engine's time to start the containers).
func (p *Provider) publish(cfg *container.Config, host *container.HostConfig) {
	cfg.ExposedPorts = nat.PortSet{portAmbari: {}, portSerfRPC: {}}
	publish := []nat.PortBinding{{HostIP: p.publishHost()}}
	host.PortBindings = nat.PortMap{portAmbari: publish, portSerfRPC: publish}
}

func (p *Provider) binding(ports nat.PortMap, port nat.Port) string {
	for _, b := range ports[port] {
		if b.HostPort != "" {
			return net.JoinHostPort(p.publishHost(), b.HostPort)
		}
	}
	return ""
}

func (p *Provider) publishHost() string {
	if p.PublishHost != "" {
		return p.PublishHost
	}
	return "127.0.0.1"
}

// StateVolume is the volume that keeps a server node's state (the
// emulator's, as Ambari keeps its database) across a replacement of its
// container; Release removes it.
func StateVolume(nodeName string) string { return ContainerName(nodeName) + "-state" }

// stateVolume creates the server's state volume when it is missing and
// mounts it on the node's state directory.
func (p *Provider) stateVolume(ctx context.Context, req providers.StartRequest, host *container.HostConfig) error {
	name := StateVolume(req.Node.Name)
	if _, err := p.Client.VolumeInspect(ctx, name); errdefs.IsNotFound(err) {
		_, err = p.Client.VolumeCreate(ctx, volume.CreateOptions{Name: name, Labels: map[string]string{
			contract.LabelCluster: req.Target.Cluster, contract.LabelNode: req.Node.Name}})
		if err != nil {
			return fmt.Errorf("create volume %s: %w", name, err)
		}
	} else if err != nil {
		return fmt.Errorf("inspect volume %s: %w", name, err)
	}
	host.Mounts = append(host.Mounts, mount.Mount{Type: mount.TypeVolume, Source: name, Target: contract.StateDir})
	return nil
}

// confine gives a node container least privilege: every capability dropped
// but binding the DNS port, no privilege gained through exec, and a
// read-only root file system (the server's state is on its volume).
func confine(host *container.HostConfig) {
	host.CapDrop = []string{"ALL"}
	host.CapAdd = []string{"NET_BIND_SERVICE"}
	host.SecurityOpt = []string{"no-new-privileges:true"}
	host.ReadonlyRootfs = true
}
