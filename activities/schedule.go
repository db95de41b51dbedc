package activities

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/herdhq/herd/cluster"
)

// ScaleInput asks a cluster's workflow to scale; UpdateID makes a retried
// request the same request.
type ScaleInput struct {
	Cluster  string               `json:"cluster"`
	Request  cluster.ScaleRequest `json:"request"`
	UpdateID string               `json:"update_id"`
}

// RequestScale sends the scale update to a cluster's workflow and waits for
// its outcome. A request the cluster refuses is not retried.
func (a *Activities) RequestScale(ctx context.Context, in ScaleInput) (string, error) {
	if a.Temporal == nil {
		return "", temporal.NewNonRetryableApplicationError("this worker has no Temporal client for scheduled scaling", "NoClient", nil)
	}
	h, err := a.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: cluster.WorkflowID(in.Cluster), UpdateName: cluster.UpdateScale, UpdateID: in.UpdateID,
		Args: []any{in.Request}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		var res map[string]any
		err = h.Get(ctx, &res)
		if err == nil {
			return fmt.Sprintf("cluster %s: %v, %v nodes", in.Cluster, res["operation"], res["nodes"]), nil
		}
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return "", temporal.NewNonRetryableApplicationError(fmt.Sprintf("cluster %s: %s", in.Cluster, app.Message()), "ScaleFailed", nil)
	}
	return "", fmt.Errorf("scale cluster %s: %w", in.Cluster, err)
}
