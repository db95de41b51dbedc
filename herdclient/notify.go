package herdclient

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/internal/failure"
)

// AddTarget adds a notification target, starting the workflow that holds
// them the first time. The target is validated first.
func (c *Client) AddTarget(ctx context.Context, t cluster.NotifyTarget) ([]cluster.NotifyTarget, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	_, err := c.T.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: cluster.NotifyWorkflowID, TaskQueue: cluster.TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		StaticSummary:            "herd's notification targets",
	}, cluster.WorkflowNotify, []cluster.NotifyTarget(nil))
	if err != nil {
		return nil, fmt.Errorf("start the notification targets' workflow: %w", err)
	}
	return c.changeTargets(ctx, cluster.UpdateAddTarget, t)
}

// RemoveTarget removes a notification target.
func (c *Client) RemoveTarget(ctx context.Context, name string) ([]cluster.NotifyTarget, error) {
	return c.changeTargets(ctx, cluster.UpdateRemoveTarget, name)
}

func (c *Client) changeTargets(ctx context.Context, update string, arg any) ([]cluster.NotifyTarget, error) {
	h, err := c.T.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: cluster.NotifyWorkflowID, UpdateName: update,
		Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted})
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return nil, errors.New("there are no notification targets yet: add one with herd notify add")
	}
	var out []cluster.NotifyTarget
	if err == nil {
		err = h.Get(ctx, &out)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %s", update, failure.Message(err))
	}
	return out, nil
}

// Targets lists the notification targets (none when none was ever added).
func (c *Client) Targets(ctx context.Context) ([]cluster.NotifyTarget, error) {
	v, err := c.T.QueryWorkflow(ctx, cluster.NotifyWorkflowID, "", cluster.QueryTargets)
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read notification targets: %w", err)
	}
	var out []cluster.NotifyTarget
	return out, v.Get(&out)
}

// TestTarget sends a test alert to one target through the workers, as a
// real alert goes, trying 3 times, and waits for the outcome.
func (c *Client) TestTarget(ctx context.Context, name string) (cluster.Delivered, error) {
	al := cluster.NewAlert(time.Now().UTC(), "herd", "", cluster.AlertTest, cluster.SeverityOK, "test notification from herd to target "+name)
	run, err := c.T.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: cluster.DeliveryWorkflowID(al.ID), TaskQueue: cluster.TaskQueue,
		StaticSummary: "test notification to " + name},
		cluster.WorkflowDeliverAlert, cluster.DeliverInput{Alert: al, Only: name, Attempts: 3})
	if err != nil {
		return cluster.Delivered{}, fmt.Errorf("start the test notification: %w", err)
	}
	var out cluster.Delivered
	if err := run.Get(ctx, &out); err != nil {
		return out, fmt.Errorf("test notification to %s: %s", name, failure.Message(err))
	}
	return out, nil
}
