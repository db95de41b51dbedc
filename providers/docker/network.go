package docker

import (
	"context"
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/errdefs"

	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/providers"
)

// ensureNetwork returns the id of the cluster's network, created when
// missing: a retry, or a new cluster of a name whose network was left,
// uses the one there is.
func (p *Provider) ensureNetwork(ctx context.Context, clusterName string) (string, error) {
	name := NetworkName(clusterName)
	nets, err := p.Client.NetworkList(ctx, network.ListOptions{Filters: clusterFilter(clusterName)})
	if err != nil {
		return "", fmt.Errorf("list networks of %s: %w", clusterName, err)
	}
	for _, n := range nets {
		if n.Name == name {
			return n.ID, nil
		}
	}
	return p.createNetwork(ctx, name, clusterName)
}

// createNetwork creates a cluster's network with a plan for its addresses
// (see plan): the engine picks a free subnet for a first network, which
// is then made again with that subnet given, as the engine lets a
// container have an address chosen in advance only on such a network. A
// subnet too small to plan, or one that is not IPv4, keeps the first
// network, and the server's address is then known once it runs. Another
// network may take the subnet in between (clusters created at once): then
// it begins again, with the engine's next pick.
func (p *Provider) createNetwork(ctx context.Context, name, clusterName string) (string, error) {
	for attempt := 1; ; attempt++ {
		id, err := p.createPlanned(ctx, name, clusterName)
		if err == nil || !strings.Contains(err.Error(), "overlaps") || attempt == maxPlanAttempts {
			return id, err
		}
		p.Logger.Info("subnet taken meanwhile, planning again", "network", name, "err", err)
	}
}

// maxPlanAttempts bounds createNetwork's tries; past them the activity's
// own retries go on.
const maxPlanAttempts = 5

func (p *Provider) createPlanned(ctx context.Context, name, clusterName string) (string, error) {
	labels := map[string]string{contract.LabelCluster: clusterName}
	resp, err := p.Client.NetworkCreate(ctx, name, network.CreateOptions{Driver: "bridge", Labels: labels})
	if err != nil {
		return "", fmt.Errorf("create network %s: %w", name, err)
	}
	n, err := p.Client.NetworkInspect(ctx, resp.ID, network.InspectOptions{})
	if err != nil {
		return "", fmt.Errorf("inspect network %s: %w", name, err)
	}
	cfg, server, ok := plan(n.IPAM.Config)
	if !ok {
		p.Logger.Info("network created", "network", name)
		return resp.ID, nil
	}
	if err := p.Client.NetworkRemove(ctx, resp.ID); err != nil {
		return "", fmt.Errorf("remove network %s to give it its subnet: %w", name, err)
	}
	labels[contract.LabelServerIP] = server.String()
	resp, err = p.Client.NetworkCreate(ctx, name, network.CreateOptions{
		Driver: "bridge", Labels: labels, IPAM: &network.IPAM{Config: []network.IPAMConfig{cfg}}})
	if err != nil {
		return "", fmt.Errorf("create network %s on subnet %s: %w", name, cfg.Subnet, err)
	}
	p.Logger.Info("network created", "network", name, "subnet", cfg.Subnet, "server_ip", server)
	return resp.ID, nil
}

// minPlanBits is the longest subnet prefix that plan plans: a /20 leaves
// 2,046 addresses to the engine, enough for any cluster on one engine.
const minPlanBits = 20

// plan lays out the addresses of a cluster's network on the engine's
// IPv4 subnet: the engine hands out the upper half, and the server has the
// lower half's first address after the gateway, which thus no container
// takes before it (the agents, started alongside the server, join that
// address). ok is false when the subnet is not IPv4 or is too small.
func plan(cfgs []network.IPAMConfig) (cfg network.IPAMConfig, server netip.Addr, ok bool) {
	for _, c := range cfgs {
		subnet, err := netip.ParsePrefix(c.Subnet)
		if err != nil || !subnet.Addr().Is4() || subnet.Bits() > minPlanBits {
			continue
		}
		subnet = subnet.Masked()
		gateway, err := netip.ParseAddr(c.Gateway)
		if err != nil {
			gateway = subnet.Addr().Next()
		}
		server = subnet.Addr().Next().Next()
		if server == gateway {
			server = server.Next()
		}
		return network.IPAMConfig{Subnet: subnet.String(), Gateway: gateway.String(), IPRange: upperHalf(subnet).String()}, server, true
	}
	return network.IPAMConfig{}, netip.Addr{}, false
}

// upperHalf is the upper half of an IPv4 subnet.
func upperHalf(subnet netip.Prefix) netip.Prefix {
	a := subnet.Addr().As4()
	binary.BigEndian.PutUint32(a[:], binary.BigEndian.Uint32(a[:])|1<<(31-subnet.Bits()))
	return netip.PrefixFrom(netip.AddrFrom4(a), subnet.Bits()+1)
}

// serverIP is the address a cluster's network keeps for its server, or ""
// when it has no plan (see plan).
func (p *Provider) serverIP(ctx context.Context, clusterName string) (string, error) {
	n, err := p.Client.NetworkInspect(ctx, NetworkName(clusterName), network.InspectOptions{})
	if err != nil {
		return "", fmt.Errorf("inspect network %s: %w", NetworkName(clusterName), err)
	}
	return n.Labels[contract.LabelServerIP], nil
}

// staleRecheck is how long removeNetwork waits before it asks again an
// engine that refused a network no container is attached to: an endpoint
// being let go by a removal that just ended is not a stale one.
const staleRecheck = 2 * time.Second

// removeNetwork removes a cluster's network; one gone already is no error.
// The engine refuses a network that endpoints are on. When containers are
// attached (they cannot be the cluster's: Release removed those), the
// refusal names them and how to detach them. When none is, the engine's
// own count of the network's endpoints is stale: Docker 20.10 was seen to
// keep one after 100 containers left a network at once, and then refuses
// the network until it restarts. Both refusals are permanent, with the
// fix, rather than retried for minutes in vain.
func (p *Provider) removeNetwork(ctx context.Context, clusterName string, n network.Summary) error {
	err := p.Client.NetworkRemove(ctx, n.ID)
	if err == nil || errdefs.IsNotFound(err) {
		return nil
	}
	if !endpointsOn(err) {
		return fmt.Errorf("remove network %s: %w", n.Name, err)
	}
	attached, ierr := p.attached(ctx, n.ID)
	if ierr != nil {
		return fmt.Errorf("remove network %s: %w (and %w)", n.Name, err, ierr)
	}
	if len(attached) > 0 {
		return providers.Permanent("NetworkInUse", fmt.Errorf(
			"network %s of cluster %s is still used by containers that are not the cluster's: %s; detach them (docker network disconnect %s NAME) and release the cluster again",
			n.Name, clusterName, strings.Join(attached, ", "), n.Name))
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(staleRecheck):
	}
	switch err := p.Client.NetworkRemove(ctx, n.ID); {
	case err == nil || errdefs.IsNotFound(err):
		return nil
	case !endpointsOn(err): // another failure, worth a retry
		return fmt.Errorf("remove network %s: %w", n.Name, err)
	}
	return providers.Permanent("EngineStaleNetwork", fmt.Errorf(
		"network %s of cluster %s has no container attached, but the Docker engine still counts endpoints on it and refuses to remove it "+
			"(an engine fault, seen with Docker 20.10 after many containers left a network at once): restart the Docker engine, which recounts them, "+
			"then release the cluster again (herd cluster terminate %s); until then a new cluster named %s reuses the network",
		n.Name, clusterName, clusterName, clusterName))
}

// endpointsOn tells the engine's refusal of a network that endpoints are on.
func endpointsOn(err error) bool {
	return errdefs.IsForbidden(err) && strings.Contains(err.Error(), "active endpoints")
}

// attached names the containers attached to a network.
func (p *Provider) attached(ctx context.Context, id string) ([]string, error) {
	nw, err := p.Client.NetworkInspect(ctx, id, network.InspectOptions{})
	if err != nil {
		return nil, fmt.Errorf("inspect network %s: %w", id, err)
	}
	var names []string
	for _, c := range nw.Containers {
		names = append(names, c.Name)
	}
	slices.Sort(names)
	return names, nil
}
