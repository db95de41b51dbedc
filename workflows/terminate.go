package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/herdhq/herd/activities"
	"github.com/herdhq/herd/providers"
)

// TerminateWorkflowID is the id of a cluster's terminate workflow.
func TerminateWorkflowID(clusterName string) string { return "terminate-" + clusterName }

// TerminateCluster removes every container, network and instance of a cluster.
func TerminateCluster(ctx workflow.Context, in activities.ReleaseInput) (providers.Released, error) {
	var rel providers.Released
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, releaseStep()), a.ReleaseCluster, in).Get(ctx, &rel)
	return rel, err
}
