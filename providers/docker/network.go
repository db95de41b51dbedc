package docker

import (
	"context"
	"fmt"
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
	resp, err := p.Client.NetworkCreate(ctx, name, network.CreateOptions{
		Driver: "bridge", Labels: map[string]string{contract.LabelCluster: clusterName},
	})
	if err != nil {
		return "", fmt.Errorf("create network %s: %w", name, err)
	}
	p.Logger.Info("network created", "network", name)
	return resp.ID, nil
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
