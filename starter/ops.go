package starter

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/herdhq/herd/activities"
	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/providers"
	"github.com/herdhq/herd/workflows"
)

// Operate sends an operation (a Temporal update) to a cluster's workflow.
// The cluster refuses a bad request before anything happens. With w set,
// progress is printed there until the operation ends.
func Operate(ctx context.Context, c client.Client, name, op string, w io.Writer, args ...any) (workflows.OpResult, error) {
	var res workflows.OpResult
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: cluster.WorkflowID(name), UpdateName: op, Args: args,
		WaitForStage: client.WorkflowUpdateStageAccepted,
	})
	if err != nil {
		return res, fmt.Errorf("%s %s: %s", op, name, workflows.FailureMessage(err))
	}
	if w == nil {
		return res, rejection(ctx, h, op, name)
	}
	done := make(chan error, 1)
	go func() { done <- h.Get(ctx, &res) }()
	f := newFollower(c, name, w)
	for {
		select {
		case err := <-done:
			f.step(ctx)
			if err != nil {
				return res, fmt.Errorf("%s %s failed: %s", op, name, workflows.FailureMessage(err))
			}
			return res, nil
		default:
		}
		f.step(ctx)
		if err := pause(ctx); err != nil {
			return res, err
		}
	}
}

// rejection reports a refused update: a rejected update's outcome is known
// at once, an accepted one's only when it ends.
func rejection(ctx context.Context, h client.WorkflowUpdateHandle, op, name string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	err := h.Get(ctx, nil)
	if err == nil || ctx.Err() != nil {
		return nil
	}
	return fmt.Errorf("%s %s: %s", op, name, workflows.FailureMessage(err))
}

func (app *App) scaleCommand() *cobra.Command {
	var req cluster.ScaleRequest
	wait := false
	cmd := &cobra.Command{
		Use: "scale NAME", Short: "set a host group's node count (up or down)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return app.runOp(cmd, args[0], cluster.UpdateScale, wait, req)
		},
	}
	cmd.Flags().StringVar(&req.HostGroup, "host-group", "slaves", "host group to scale")
	cmd.Flags().IntVar(&req.Count, "nodes", 0, "node count the host group should have")
	cmd.Flags().BoolVar(&wait, "wait", false, "follow progress until the operation ends")
	_ = cmd.MarkFlagRequired("nodes")
	return cmd
}

func (app *App) powerCommand(op string) *cobra.Command {
	wait := false
	short := map[string]string{cluster.UpdateStop: "stop services and containers, keeping them", cluster.UpdateStart: "start a stopped cluster again"}
	cmd := &cobra.Command{
		Use: op + " NAME", Short: short[op], Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return app.runOp(cmd, args[0], op, wait) },
	}
	cmd.Flags().BoolVar(&wait, "wait", false, "follow progress until the operation ends")
	return cmd
}

func (app *App) runOp(cmd *cobra.Command, name, op string, wait bool, args ...any) error {
	return app.withClient(func(c client.Client) error {
		out := cmd.OutOrStdout()
		var w io.Writer
		if wait {
			w = progressWriter(app, out)
		}
		res, err := Operate(cmd.Context(), c, name, op, w, args...)
		if err != nil {
			return err
		}
		if !wait {
			fmt.Fprintf(out, "%s of %s accepted; follow it with: herd cluster status %s\n", op, name, name)
			return nil
		}
		return app.print(out, res, func() {
			fmt.Fprintf(out, "%s: %s done; cluster is %s with %d nodes\n", name, res.Operation, res.Phase, res.Nodes)
		})
	})
}

func (app *App) terminateCommand() *cobra.Command {
	return &cobra.Command{
		Use: "terminate NAME", Short: "remove a cluster's containers, network and instances", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return app.withClient(func(c client.Client) error {
				rel, err := Terminate(cmd.Context(), c, args[0])
				if err != nil {
					return err
				}
				return app.print(cmd.OutOrStdout(), rel, func() {
					fmt.Fprintf(cmd.OutOrStdout(), "cluster %s terminated: %d containers and %d networks removed\n", args[0], rel.Containers, rel.Networks)
				})
			})
		},
	}
}

// Terminate removes everything a cluster has: through its workflow when it
// runs (which then completes), else with a clean-up workflow.
func Terminate(ctx context.Context, c client.Client, name string) (providers.Released, error) {
	_, err := QueryStatus(ctx, c, name)
	closed, _ := describe(ctx, c, cluster.WorkflowID(name))
	if err == nil && !closed {
		if _, err := Operate(ctx, c, name, cluster.UpdateTerminate, io.Discard); err != nil {
			return providers.Released{}, err
		}
		st, err := QueryStatus(ctx, c, name)
		if err == nil && st.Released != nil {
			return *st.Released, nil
		}
		return providers.Released{}, err
	}
	in := activities.ReleaseInput{Cluster: name, Provider: "docker"}
	if spec, err := specOf(ctx, c, name); err == nil {
		in.Provider, in.Options = spec.Provider, spec.ProviderOptions
	}
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: workflows.TerminateWorkflowID(name), TaskQueue: workflows.TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, workflows.TerminateCluster, in)
	if err != nil {
		return providers.Released{}, fmt.Errorf("start terminating %s: %w", name, err)
	}
	var rel providers.Released
	if err := run.Get(ctx, &rel); err != nil {
		return rel, fmt.Errorf("terminate %s: %w", name, err)
	}
	return rel, nil
}

// specOf reads the spec a cluster's latest workflow started with.
func specOf(ctx context.Context, c client.Client, name string) (cluster.Spec, error) {
	it := c.GetWorkflowHistory(ctx, cluster.WorkflowID(name), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	if !it.HasNext() {
		return cluster.Spec{}, fmt.Errorf("cluster %s has no history", name)
	}
	e, err := it.Next()
	if err != nil {
		return cluster.Spec{}, err
	}
	var in workflows.ClusterInput
	err = converter.GetDefaultDataConverter().FromPayloads(e.GetWorkflowExecutionStartedEventAttributes().GetInput(), &in)
	return in.Spec, err
}
