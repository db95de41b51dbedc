package herdclient

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/herdhq/herd/autoscale"
	"github.com/herdhq/herd/cluster"
)

// SetAutoscale gives a cluster its autoscaling policy: checked against the
// host group's bounds in the cluster's blueprint first, then sent to the
// cluster's autoscale workflow, which starts if it does not run yet.
func (c *Client) SetAutoscale(ctx context.Context, p autoscale.Policy) (autoscale.Policy, error) {
	spec, err := c.SpecOf(ctx, p.Cluster)
	if err != nil {
		return p, err
	}
	min, max, err := spec.GroupLimits(p.HostGroup)
	if err != nil {
		return p, err
	}
	if err := p.Validate(min, max); err != nil {
		return p, err
	}
	start := c.T.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID: autoscale.WorkflowID(p.Cluster), TaskQueue: cluster.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		StaticSummary:            "autoscale " + p.Cluster + "/" + p.HostGroup,
	}, autoscale.WorkflowName, autoscale.Input{Policy: p, Place: spec.Place})
	h, err := c.T.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{WorkflowID: autoscale.WorkflowID(p.Cluster), UpdateName: autoscale.UpdatePolicy,
			Args: []any{p}, WaitForStage: client.WorkflowUpdateStageCompleted}})
	if err == nil {
		err = h.Get(ctx, &p)
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return p, errors.New(app.Message())
	}
	if err != nil {
		return p, fmt.Errorf("set the autoscaling of %s: %w", p.Cluster, err)
	}
	return p, nil
}

// Autoscale reads a cluster's autoscaling: its policy, decisions and
// samples.
func (c *Client) Autoscale(ctx context.Context, name string) (autoscale.Status, error) {
	var st autoscale.Status
	v, err := c.T.QueryWorkflow(ctx, autoscale.WorkflowID(name), "", autoscale.QueryStatus)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return st, fmt.Errorf("cluster %s has no autoscaling: set it with `herd autoscale set %s --host-group ... --min ... --max ... --rule ...`", name, name)
	}
	if err == nil {
		err = v.Get(&st)
	}
	if err != nil {
		return st, fmt.Errorf("read the autoscaling of %s: %w", name, err)
	}
	return st, nil
}

// EnableAutoscale turns a cluster's autoscaling on or off, keeping its
// policy.
func (c *Client) EnableAutoscale(ctx context.Context, name string, on bool) (autoscale.Policy, error) {
	st, err := c.Autoscale(ctx, name)
	if err != nil {
		return st.Policy, err
	}
	st.Policy.Enabled = on
	return c.SetAutoscale(ctx, st.Policy)
}
