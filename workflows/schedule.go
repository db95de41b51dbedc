package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/herdhq/herd/activities"
	"github.com/herdhq/herd/cluster"
)

// ScaleWorkflow is started by a Temporal Schedule: it sends the scale update
// to the cluster's workflow and records the outcome.
func ScaleWorkflow(ctx workflow.Context, in cluster.ScheduledScale) (string, error) {
	info := workflow.GetInfo(ctx)
	ao := shortStep(time.Hour)
	ao.RetryPolicy.MaximumAttempts = 3
	ao.TaskQueue = cluster.ActivityQueue(in.Place)
	ctx = workflow.WithActivityOptions(ctx, ao)
	updateID := info.WorkflowExecution.ID + "/" + info.WorkflowExecution.RunID
	var outcome string
	if in.AutoscaleMax > 0 {
		err := workflow.ExecuteActivity(ctx, a.SetAutoscaleBounds, activities.BoundsInput{
			Cluster: in.Cluster, Min: in.AutoscaleMin, Max: in.AutoscaleMax, UpdateID: updateID,
		}).Get(ctx, &outcome)
		return outcome, err
	}
	err := workflow.ExecuteActivity(ctx, a.RequestScale, activities.ScaleInput{
		Cluster: in.Cluster, Request: in.Request, UpdateID: updateID,
	}).Get(ctx, &outcome)
	return outcome, err
}
