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
		return "", permanent("NoClient", "this worker has no Temporal client for scheduled scaling")
	}
	h, err := a.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: cluster.WorkflowID(in.Cluster), UpdateName: cluster.UpdateScale, UpdateID: in.UpdateID,
		Args: []any{in.Request}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		var res cluster.OpResult
		err = h.Get(ctx, &res)
		if err == nil {
			return fmt.Sprintf("cluster %s: %s, %d nodes", in.Cluster, res.Operation, res.Nodes), nil
		}
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return "", permanent("ScaleFailed", "cluster %s: %s", in.Cluster, app.Message())
	}
	return "", fmt.Errorf("scale cluster %s: %w", in.Cluster, err)
}
