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
	var outcome string
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, ao), a.RequestScale, activities.ScaleInput{
		Cluster: in.Cluster, Request: in.Request, UpdateID: info.WorkflowExecution.ID + "/" + info.WorkflowExecution.RunID,
	}).Get(ctx, &outcome)
	return outcome, err
}
