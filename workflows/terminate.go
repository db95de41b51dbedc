package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/herdhq/herd/activities"
	"github.com/herdhq/herd/providers"
)

// TerminateCluster removes every container, network and instance of a
// cluster whose own workflow has already ended (e.g. failed with
// keep-on-failure).
func TerminateCluster(ctx workflow.Context, in activities.ReleaseInput) (providers.Released, error) {
	var rel providers.Released
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, releaseStep()), a.ReleaseCluster, in).Get(ctx, &rel)
	return rel, err
}
