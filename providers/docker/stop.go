package docker

import (
	"context"
	"errors"
	"fmt"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/errdefs"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
)

// stopTimeout is how long a node gets to leave Serf after SIGTERM.
const stopTimeout = 10

// StopNodes stops the nodes' containers gracefully (SIGTERM: they leave
// Serf), atOnce at a time, and keeps them for a later start. Missing
// containers are skipped.
func (p *Provider) StopNodes(ctx context.Context, t cluster.Target, nodes []cluster.Node) error {
	return errors.Join(eachAtOnce(len(nodes), func(i int) error {
		if err := p.stop(ctx, t.Cluster, nodes[i]); !errdefs.IsNotFound(err) {
			return err
		}
		return nil
	})...)
}

func (p *Provider) stop(ctx context.Context, clusterName string, n cluster.Node) error {
	name := ContainerName(n.Name)
	c, err := p.Client.ContainerInspect(ctx, name)
	if err != nil {
		return err
	}
	if c.Config.Labels[contract.LabelCluster] != clusterName {
		return fmt.Errorf("container %s does not belong to cluster %s", name, clusterName)
	}
	timeout := stopTimeout
	if err := p.Client.ContainerStop(ctx, c.ID, container.StopOptions{Timeout: &timeout}); err != nil {
		return fmt.Errorf("stop container %s: %w", name, err)
	}
	return nil
}

// RemoveNodes stops the nodes gracefully, then removes their containers,
// atOnce at a time; missing ones are skipped.
func (p *Provider) RemoveNodes(ctx context.Context, t cluster.Target, nodes []cluster.Node) (cluster.Released, error) {
	var rel cluster.Released
	if err := p.StopNodes(ctx, t, nodes); err != nil {
		return rel, err
	}
	names := make([]string, len(nodes))
	for i, n := range nodes {
		names[i] = ContainerName(n.Name)
	}
	removed, errs := p.removeContainers(ctx, names)
	rel.Containers, rel.Instances = removed, removed
	return rel, errors.Join(errs...)
}
