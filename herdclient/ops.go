package herdclient

import (
	"context"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/internal/failure"
	"github.com/herdhq/herd/internal/poll"
)

// Scale sets a host group's node count; w, when set, follows it.
func (c *Client) Scale(ctx context.Context, name string, req cluster.ScaleRequest, w Watcher) (cluster.OpResult, error) {
	return c.operate(ctx, name, cluster.UpdateScale, w, req)
}

// Stop stops a cluster's services and containers, keeping them.
func (c *Client) Stop(ctx context.Context, name string, w Watcher) (cluster.OpResult, error) {
	return c.operate(ctx, name, cluster.UpdateStop, w)
}

// Start starts a stopped cluster again.
func (c *Client) Start(ctx context.Context, name string, w Watcher) (cluster.OpResult, error) {
	return c.operate(ctx, name, cluster.UpdateStart, w)
}

// Repair replaces the named nodes, or every node that is down.
func (c *Client) Repair(ctx context.Context, name string, req cluster.RepairRequest, w Watcher) (cluster.OpResult, error) {
	return c.operate(ctx, name, cluster.UpdateRepair, w, req)
}

// SetRepairPolicy changes a cluster's repair policy.
func (c *Client) SetRepairPolicy(ctx context.Context, name string, p cluster.RepairPolicy) (cluster.OpResult, error) {
	return c.operate(ctx, name, cluster.UpdatePolicy, nil, p)
}

// Configure changes a configuration type in the cluster's Ambari and
// restarts what the change made stale.
func (c *Client) Configure(ctx context.Context, name string, req cluster.ConfigRequest, w Watcher) (cluster.OpResult, error) {
	return c.operate(ctx, name, cluster.UpdateConfig, w, req)
}

// Service starts, stops or restarts one of the cluster's services.
func (c *Client) Service(ctx context.Context, name string, req cluster.ServiceRequest, w Watcher) (cluster.OpResult, error) {
	return c.operate(ctx, name, cluster.UpdateService, w, req)
}

// Submit sends an operation without waiting for it to end: a refusal by
// the cluster's validator is still an error.
func (c *Client) Submit(ctx context.Context, name, op string, args ...any) error {
	h, err := c.update(ctx, name, op, args)
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if err := h.Get(wctx, nil); err != nil && wctx.Err() == nil {
		return fmt.Errorf("%s %s: %s", op, name, failure.Message(err))
	}
	return nil
}

func (c *Client) update(ctx context.Context, name, op string, args []any) (client.WorkflowUpdateHandle, error) {
	h, err := c.T.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: cluster.WorkflowID(name), UpdateName: op, Args: args,
		WaitForStage: client.WorkflowUpdateStageAccepted,
	})
	if err != nil {
		return nil, fmt.Errorf("%s %s: %s", op, name, failure.Message(err))
	}
	return h, nil
}

// operate sends an operation (a Temporal update) and waits for its end,
// telling w of the cluster meanwhile. The cluster refuses a bad request
// before anything happens.
func (c *Client) operate(ctx context.Context, name, op string, w Watcher, args ...any) (cluster.OpResult, error) {
	var res cluster.OpResult
	h, err := c.update(ctx, name, op, args)
	if err != nil {
		return res, err
	}
	done := make(chan error, 1)
	go func() { done <- h.Get(ctx, &res) }()
	var opErr error
	finished := false
	err = poll.Until(ctx, watchInterval, func(ctx context.Context) (bool, error) {
		select {
		case opErr = <-done:
			finished = true
		default:
		}
		if w != nil {
			w(c.Look(ctx, name))
		}
		return finished, nil
	})
	if err != nil {
		return res, err
	}
	if opErr != nil {
		return res, fmt.Errorf("%s %s failed: %s", op, name, failure.Message(opErr))
	}
	return res, nil
}

// Terminate removes everything a cluster has: through its workflow when it
// runs (which then completes), else with a clean-up workflow on the
// provider its history names, or, when that is gone too, on every provider
// (the sweep says which it could not search).
func (c *Client) Terminate(ctx context.Context, name string, fallback cluster.ReleaseInput) (cluster.Sweep, error) {
	if snap := c.Look(ctx, name); snap.Err == nil && !snap.Closed {
		if _, err := c.operate(ctx, name, cluster.UpdateTerminate, nil); err != nil {
			return cluster.Sweep{}, err
		}
		st, err := c.Status(ctx, name)
		if err != nil || st.Released == nil {
			return cluster.Sweep{}, err
		}
		return cluster.Sweep{Released: *st.Released, Providers: []string{st.Provider}}, nil
	}
	in := fallback
	in.Cluster = name
	if spec, err := c.SpecOf(ctx, name); err == nil && in.Provider == "" {
		in.Provider, in.Options, in.Place = spec.Provider, spec.ProviderOptions, spec.Place
	}
	run, err := c.T.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: cluster.TerminateWorkflowID(name), TaskQueue: cluster.TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, cluster.WorkflowTerminate, in)
	if err != nil {
		return cluster.Sweep{}, fmt.Errorf("start terminating %s: %w", name, err)
	}
	var sw cluster.Sweep
	if err := run.Get(ctx, &sw); err != nil {
		return sw, fmt.Errorf("terminate %s: %s", name, failure.Message(err))
	}
	return sw, nil
}

// SpecOf reads the spec a cluster's latest workflow started with.
func (c *Client) SpecOf(ctx context.Context, name string) (cluster.Spec, error) {
	it := c.T.GetWorkflowHistory(ctx, cluster.WorkflowID(name), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	if !it.HasNext() {
		return cluster.Spec{}, fmt.Errorf("cluster %s has no history", name)
	}
	e, err := it.Next()
	if err != nil {
		return cluster.Spec{}, fmt.Errorf("read history of %s: %w", name, err)
	}
	var in cluster.ClusterInput
	err = c.DC.FromPayloads(e.GetWorkflowExecutionStartedEventAttributes().GetInput(), &in)
	return in.Spec, err
}
