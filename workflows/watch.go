package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/herdhq/herd/activities"
	"github.com/herdhq/herd/cluster"
)

// watchOptions keep the health watch running for as long as the cluster
// runs: it heartbeats, and is retried without end, on any worker.
func watchOptions() workflow.ActivityOptions {
	return workflow.ActivityOptions{
		StartToCloseTimeout: 24 * time.Hour,
		HeartbeatTimeout:    30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 10 * time.Second},
		Summary:             "watch the cluster's health (Serf events and Ambari host states)",
	}
}

// watchHealth runs the health watch while the cluster runs, and starts it
// again when the server moves (its Serf and Ambari addresses change) or an
// operation stops the cluster.
func (c *clusterRun) watchHealth(ctx workflow.Context) {
	for {
		if err := workflow.Await(ctx, c.watching); err != nil {
			return
		}
		server := c.state.Server()
		wctx, cancel := workflow.WithCancel(ctx)
		in := activities.WatchInput{Cluster: c.state.Spec.Name, RPCAddr: server.SerfRPC, AmbariURL: server.AmbariURL}
		if c.alertsOn {
			in.DiskAlertPercent = c.state.Spec.DiskAlert()
		}
		ao := watchOptions()
		ao.TaskQueue = cluster.ActivityQueue(c.state.Spec.Place)
		f := workflow.ExecuteActivity(workflow.WithActivityOptions(wctx, ao), a.WatchHealth, in)
		err := workflow.Await(ctx, func() bool {
			return f.IsReady() || !c.watching() || c.state.Server().SerfRPC != server.SerfRPC
		})
		cancel()
		_ = f.Get(ctx, nil)
		if err != nil {
			return
		}
	}
}
