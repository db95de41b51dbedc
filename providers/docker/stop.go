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
// Serf) and keeps them for a later start. Missing containers are skipped.
func (p *Provider) StopNodes(ctx context.Context, t cluster.Target, nodes []cluster.Node) error {
	var errs []error
	for _, n := range nodes {
		err := p.stop(ctx, t.Cluster, n)
		if err != nil && !errdefs.IsNotFound(err) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
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

// RemoveNodes stops the nodes gracefully, then removes their containers.
func (p *Provider) RemoveNodes(ctx context.Context, t cluster.Target, nodes []cluster.Node) (cluster.Released, error) {
	var rel cluster.Released
	if err := p.StopNodes(ctx, t, nodes); err != nil {
		return rel, err
	}
	for _, n := range nodes {
		err := p.Client.ContainerRemove(ctx, ContainerName(n.Name), container.RemoveOptions{Force: true})
		if errdefs.IsNotFound(err) {
			continue
		}
		if err != nil {
			return rel, fmt.Errorf("remove container %s: %w", ContainerName(n.Name), err)
		}
		rel.Containers++
		rel.Instances++
	}
	return rel, nil
}
