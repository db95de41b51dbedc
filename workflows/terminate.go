package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/herdhq/herd/cluster"
)

// TerminateCluster removes every container, network and instance of a
// cluster whose own workflow has already ended (e.g. failed with
// keep-on-failure). Without a provider it sweeps every provider the worker
// has, by labels and tags, and says which it could not search.
func TerminateCluster(ctx workflow.Context, in cluster.ReleaseInput) (cluster.Sweep, error) {
	ao := releaseStep()
	ao.TaskQueue = cluster.ActivityQueue(in.Place)
	ctx = workflow.WithActivityOptions(ctx, ao)
	if in.Provider == "" {
		var sw cluster.Sweep
		err := workflow.ExecuteActivity(ctx, a.SweepCluster, in).Get(ctx, &sw)
		return sw, err
	}
	var rel cluster.Released
	err := workflow.ExecuteActivity(ctx, a.ReleaseCluster, in).Get(ctx, &rel)
	return cluster.Sweep{Released: rel, Providers: []string{in.Provider}}, err
}
