package activities

import (
	"context"
	"fmt"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/internal/failure"
)

// ReleaseCluster removes every container, network and instance of a cluster.
func (a *Activities) ReleaseCluster(ctx context.Context, in cluster.ReleaseInput) (cluster.Released, error) {
	p, err := a.provider(in.Provider)
	if err != nil {
		return cluster.Released{}, err
	}
	rel, err := p.Release(ctx, cluster.Target{Provider: in.Provider, Cluster: in.Cluster, Options: in.Options})
	if err != nil {
		return rel, wrap(err, "release %s on %s", in.Cluster, in.Provider)
	}
	a.logger().Info("cluster released", "cluster", in.Cluster, "provider", in.Provider,
		"containers", rel.Containers, "networks", rel.Networks, "instances", rel.Instances)
	return rel, nil
}

// SweepCluster releases a cluster on every provider this worker has, for a
// cluster whose provider is no longer known (its workflow history is gone).
// A provider that cannot be searched (say, no region is known) is listed
// in Unswept with the fix, never skipped in silence; a provider that fails
// for a reason worth retrying fails the sweep, which Temporal retries.
func (a *Activities) SweepCluster(ctx context.Context, in cluster.ReleaseInput) (cluster.Sweep, error) {
	var sw cluster.Sweep
	for _, name := range a.Providers.Names() {
		rel, err := a.ReleaseCluster(ctx, cluster.ReleaseInput{Cluster: in.Cluster, Provider: name, Options: in.Options})
		if err != nil {
			if !isPermanent(err) {
				return sw, err
			}
			sw.Unswept = append(sw.Unswept, fmt.Sprintf("%s: %s (give --provider %s and its --provider-opt to terminate there)", name, failure.Message(err), name))
			continue
		}
		if rel != (cluster.Released{}) {
			sw.Providers = append(sw.Providers, name)
		}
		sw.Released = sw.Released.Add(rel)
	}
	return sw, nil
}
