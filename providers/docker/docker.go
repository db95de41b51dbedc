// Package docker is the local provider: every instance is a slot on one
// Docker engine, and a cluster's containers share a user-defined bridge
// network named after the cluster.
package docker

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sort"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"
	"github.com/docker/docker/errdefs"
	"golang.org/x/sync/errgroup"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/providers"
)

// Provider runs clusters on a Docker engine.
type Provider struct {
	Client *client.Client
	// PublishHost is the host address the server's ports are published on,
	// 127.0.0.1 by default: the orchestrator reaches Ambari and Serf RPC there.
	PublishHost string
	// HostNetwork runs containers in the host's network (one node per cloud
	// instance, as Cloudbreak did on EC2): the node is reached at its
	// instance's address and advertises it to Serf.
	HostNetwork bool
	Logger      *slog.Logger
	// NeighbourLimit is the file the kernel's neighbour table limit is
	// read from (NeighbourLimitFile when empty).
	NeighbourLimit string
}

// New connects to the engine named by DOCKER_HOST (or the local socket).
func New(logger *slog.Logger) (*Provider, error) {
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return nil, fmt.Errorf("docker client: %w", err)
	}
	return &Provider{Client: cli, PublishHost: "127.0.0.1", Logger: logger}, nil
}

// NetworkName is the cluster's network.
func NetworkName(clusterName string) string { return "herd-" + clusterName }

// ContainerName is a node's container.
func ContainerName(nodeName string) string { return "herd-" + nodeName }

// Schema describes the docker provider: it takes no options.
func (p *Provider) Schema() providers.Schema { return Schema }

// Schema describes the docker provider, for checks where no engine is.
var Schema = providers.Schema{Name: "docker", Summary: "containers on the local Docker engine, one bridge network per cluster"}

// Allocate returns one slot per node; slots are names, so a retry returns
// the same slots and nothing is allocated twice. It refuses nodes the
// host's neighbour table could not hold (see checkNeighbours).
func (p *Provider) Allocate(ctx context.Context, t cluster.Target, nodes []cluster.Node) ([]cluster.Instance, error) {
	if err := p.checkNeighbours(ctx, t.Cluster, len(nodes)); err != nil {
		return nil, err
	}
	var out []cluster.Instance
	for _, n := range nodes {
		out = append(out, cluster.Instance{ID: "docker/" + ContainerName(n.Name), Index: n.Index, Address: "local"})
	}
	return out, nil
}

// SetUpHosts does on the engine what a cloud host's cloud-config does: the
// node image must be present and the cluster network must exist.
func (p *Provider) SetUpHosts(ctx context.Context, t cluster.Target, _ []cluster.Node, _ []cluster.Instance) error {
	if _, err := p.Client.ImageInspect(ctx, t.Image); err != nil {
		if errdefs.IsNotFound(err) {
			return providers.Permanent("ImageNotFound",
				fmt.Errorf("image %s is not on the Docker engine: build it with `make image` (no image can be pulled)", t.Image))
		}
		return fmt.Errorf("inspect image %s: %w", t.Image, err)
	}
	if p.HostNetwork {
		return nil
	}
	_, err := p.ensureNetwork(ctx, t.Cluster)
	return err
}

// Release removes every container, network and volume labelled with the
// cluster.
func (p *Provider) Release(ctx context.Context, t cluster.Target) (cluster.Released, error) {
	clusterName := t.Cluster
	var rel cluster.Released
	cs, err := p.list(ctx, clusterName)
	if err != nil {
		return rel, err
	}
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	_, errs := p.removeContainers(ctx, ids)
	rel.Containers = len(cs) - len(errs) // one gone since the list is removed too
	nets, err := p.Client.NetworkList(ctx, network.ListOptions{Filters: clusterFilter(clusterName)})
	if err != nil {
		return rel, providers.Join(append(errs, fmt.Errorf("list networks of %s: %w", clusterName, err))...)
	}
	for _, n := range nets {
		if err := p.removeNetwork(ctx, clusterName, n); err != nil {
			errs = append(errs, err)
			continue
		}
		rel.Networks++
	}
	rel.Instances = rel.Containers
	vols, err := p.Client.VolumeList(ctx, volume.ListOptions{Filters: clusterFilter(clusterName)})
	if err != nil {
		return rel, providers.Join(append(errs, fmt.Errorf("list volumes of %s: %w", clusterName, err))...)
	}
	for _, v := range vols.Volumes {
		if err := p.Client.VolumeRemove(ctx, v.Name, true); err != nil && !errdefs.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("remove volume %s: %w", v.Name, err))
			continue
		}
		rel.Volumes++
	}
	return rel, providers.Join(errs...)
}

// atOnce bounds the containers stopped or removed at once: a 100-node
// cluster took 100 s to remove one by one, and Docker 20.10 deadlocked here
// removing 98 at once (sandbox deletion against its embedded resolver).
const atOnce = 8

// removeContainers removes the containers refs (ids or names), atOnce at
// a time, and returns how many it removed and one error per container it
// could not remove; one gone already is neither.
func (p *Provider) removeContainers(ctx context.Context, refs []string) (int, []error) {
	removed := make([]bool, len(refs))
	errs := eachAtOnce(len(refs), func(i int) error {
		err := p.Client.ContainerRemove(ctx, refs[i], container.RemoveOptions{Force: true, RemoveVolumes: true})
		removed[i] = err == nil
		if err != nil && !errdefs.IsNotFound(err) {
			return fmt.Errorf("remove container %s: %w", shortID(refs[i]), err)
		}
		return nil
	})
	n := 0
	for _, ok := range removed {
		if ok {
			n++
		}
	}
	return n, errs
}

// eachAtOnce runs do for 0 to n-1, atOnce at a time, and returns the
// errors it gave, in order.
func eachAtOnce(n int, do func(i int) error) []error {
	errs := make([]error, n)
	var g errgroup.Group
	g.SetLimit(atOnce)
	for i := range n {
		g.Go(func() error {
			errs[i] = do(i)
			return nil // each one's error is in errs
		})
	}
	_ = g.Wait()
	return slices.DeleteFunc(errs, func(err error) bool { return err == nil })
}

// shortID shortens a container id as the docker CLI shows it; a name is
// kept whole.
func shortID(ref string) string {
	if len(ref) == 64 {
		return ref[:12]
	}
	return ref
}

func clusterFilter(clusterName string) filters.Args {
	return filters.NewArgs(filters.Arg("label", contract.LabelCluster+"="+clusterName))
}

func (p *Provider) list(ctx context.Context, clusterName string) ([]container.Summary, error) {
	cs, err := p.Client.ContainerList(ctx, container.ListOptions{All: true, Filters: clusterFilter(clusterName)})
	if err != nil {
		return nil, fmt.Errorf("list containers of %s: %w", clusterName, err)
	}
	return cs, nil
}

// Containers lists the cluster's containers by node name.
func (p *Provider) Containers(ctx context.Context, clusterName string) ([]string, error) {
	cs, err := p.list(ctx, clusterName)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, c := range cs {
		names = append(names, c.Labels[contract.LabelNode])
	}
	sort.Strings(names)
	return names, nil
}
