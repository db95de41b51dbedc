package docker

import (
	"context"
	"fmt"
	"net"
	"sort"
	"strings"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/errdefs"
	"github.com/docker/go-connections/nat"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/providers"
)

// Ports of the node image.
const (
	PortAmbari  = "8080/tcp"
	PortSerfRPC = "7373/tcp"
)

// StartNode starts the node's container, or adopts the one a previous try
// created, and reports its IP and published ports.
func (p *Provider) StartNode(ctx context.Context, req providers.StartRequest) (cluster.NodeInfo, error) {
	name := ContainerName(req.Node.Name)
	id, err := p.existing(ctx, name, req.Spec.Name, req.Env["SERF_JOIN_IP"])
	if err != nil {
		return cluster.NodeInfo{}, err
	}
	if id == "" {
		if id, err = p.create(ctx, name, req); err != nil {
			return cluster.NodeInfo{}, err
		}
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
	if c.Config.Labels[LabelCluster] != clusterName {
		return "", fmt.Errorf("a container named %s exists but does not belong to cluster %s: remove it or pick another cluster name", name, clusterName)
	}
	if c.Config.Labels[LabelJoinIP] != joinIP {
		p.Logger.Info("replacing container with a stale join IP", "container", name, "join_ip", joinIP)
		if err := p.Client.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true}); err != nil {
			return "", fmt.Errorf("remove stale container %s: %w", name, err)
		}
		return "", nil
	}
	p.Logger.Info("adopting existing container", "container", name)
	return c.ID, nil
}

func (p *Provider) create(ctx context.Context, name string, req providers.StartRequest) (string, error) {
	n := req.Node
	exposed := nat.PortSet{PortAmbari: {}, PortSerfRPC: {}}
	publish := nat.PortMap{
		PortAmbari:  {{HostIP: p.publishHost(), HostPort: ""}},
		PortSerfRPC: {{HostIP: p.publishHost(), HostPort: ""}},
	}
	if p.HostNetwork {
		return p.createOnHost(ctx, name, req)
	}
	cfg := &container.Config{
		Image: req.Spec.Image, Hostname: n.Name, Domainname: req.Spec.Domain,
		Env: envList(req.Env), ExposedPorts: exposed,
		Labels: map[string]string{LabelCluster: req.Spec.Name, LabelNode: n.Name, LabelRole: n.Role,
			LabelHostGroup: n.HostGroup, LabelJoinIP: req.Env["SERF_JOIN_IP"]},
	}
	host := &container.HostConfig{DNS: []string{"127.0.0.1"}, PortBindings: publish}
	netCfg := &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{
		NetworkName(req.Spec.Name): {Aliases: []string{n.FQDN}},
	}}
	resp, err := p.Client.ContainerCreate(ctx, cfg, host, netCfg, nil, name)
	if errdefs.IsConflict(err) { // created by a concurrent try: adopt it
		return p.existing(ctx, name, req.Spec.Name, req.Env["SERF_JOIN_IP"])
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
		info.AmbariURL = "http://" + net.JoinHostPort(addr, portOf(req.Env["AMBARI_API_ADDR"], "8080"))
		info.SerfRPC = net.JoinHostPort(addr, portOf(req.Env["SERF_RPC_ADDR"], "7373"))
		return info, nil
	}
	if ep := c.NetworkSettings.Networks[NetworkName(req.Spec.Name)]; ep != nil {
		info.IP = ep.IPAddress
	}
	if info.IP == "" {
		return info, fmt.Errorf("container %s has no IP on network %s yet", c.Name, NetworkName(req.Spec.Name))
	}
	info.AmbariURL = "http://" + p.binding(c.NetworkSettings.Ports, PortAmbari)
	info.SerfRPC = p.binding(c.NetworkSettings.Ports, PortSerfRPC)
	if strings.HasSuffix(info.AmbariURL, "//") || info.SerfRPC == "" {
		return info, fmt.Errorf("container %s has no published ports yet", c.Name)
	}
	return info, nil
}

func (p *Provider) binding(ports nat.PortMap, port nat.Port) string {
	for _, b := range ports[port] {
		if b.HostPort != "" {
			return p.publishHost() + ":" + b.HostPort
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

func envList(env map[string]string) []string {
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// createOnHost creates a node container in the host's network; it
// advertises the instance's address to Serf.
func (p *Provider) createOnHost(ctx context.Context, name string, req providers.StartRequest) (string, error) {
	n := req.Node
	env := map[string]string{}
	for k, v := range req.Env {
		env[k] = v
	}
	env["SERF_ADVERTISE_IP"] = req.Instance.Address
	cfg := &container.Config{
		Image: req.Spec.Image, Hostname: n.Name, Domainname: req.Spec.Domain, Env: envList(env),
		Labels: map[string]string{LabelCluster: req.Spec.Name, LabelNode: n.Name, LabelRole: n.Role,
			LabelHostGroup: n.HostGroup, LabelJoinIP: req.Env["SERF_JOIN_IP"]},
	}
	host := &container.HostConfig{NetworkMode: "host", RestartPolicy: container.RestartPolicy{Name: container.RestartPolicyUnlessStopped}}
	resp, err := p.Client.ContainerCreate(ctx, cfg, host, nil, nil, name)
	if errdefs.IsConflict(err) {
		return p.existing(ctx, name, req.Spec.Name, req.Env["SERF_JOIN_IP"])
	}
	if err != nil {
		return "", fmt.Errorf("create container %s on %s: %w", name, req.Instance.Address, err)
	}
	return resp.ID, nil
}

// portOf is the port of a listen address such as 0.0.0.0:8080.
func portOf(addr, def string) string {
	if _, port, err := net.SplitHostPort(addr); err == nil && port != "" {
		return port
	}
	return def
}
