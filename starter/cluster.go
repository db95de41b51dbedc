package starter

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/workflows"
)

func (app *App) clusterCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "cluster", Short: "create, inspect, scale, stop, start and terminate clusters"}
	cmd.AddCommand(app.createCommand(), app.statusCommand(), app.listCommand(), app.terminateCommand(),
		app.scaleCommand(), app.powerCommand(cluster.UpdateStop), app.powerCommand(cluster.UpdateStart), app.watchCommand())
	return cmd
}

func (app *App) statusCommand() *cobra.Command {
	return &cobra.Command{
		Use: "status NAME", Short: "show a cluster's phase, last operation's steps and nodes", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return app.withClient(func(c client.Client) error {
				st, err := QueryStatus(cmd.Context(), c, args[0])
				if err != nil {
					return err
				}
				return app.print(cmd.OutOrStdout(), st, func() { printStatus(cmd.OutOrStdout(), st) })
			})
		},
	}
}

// ClusterSummary is one row of `herd cluster list`.
type ClusterSummary struct {
	Name    string    `json:"name"`
	Phase   string    `json:"phase"`
	Nodes   int       `json:"nodes"`
	Started time.Time `json:"started"`
}

func (app *App) listCommand() *cobra.Command {
	return &cobra.Command{
		Use: "list", Short: "list clusters with their phase", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return app.withClient(func(c client.Client) error {
				list, err := List(cmd.Context(), c)
				if err != nil {
					return err
				}
				return app.print(cmd.OutOrStdout(), list, func() { printList(cmd.OutOrStdout(), list) })
			})
		},
	}
}

func printList(w io.Writer, list []ClusterSummary) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tPHASE\tNODES\tSTARTED")
	for _, s := range list {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", s.Name, s.Phase, s.Nodes, s.Started.Format(time.RFC3339))
	}
	tw.Flush()
}

// List returns every cluster's latest workflow, newest first, with the
// phase and size its search attributes hold: one visibility query.
func List(ctx context.Context, c client.Client) ([]ClusterSummary, error) {
	var out []ClusterSummary
	seen := map[string]bool{}
	req := &workflowservice.ListWorkflowExecutionsRequest{Query: "WorkflowType = 'ClusterWorkflow'"}
	for {
		resp, err := c.ListWorkflow(ctx, req)
		if err != nil {
			return nil, fmt.Errorf("list clusters: %w", err)
		}
		for _, e := range resp.Executions {
			name := strings.TrimPrefix(e.Execution.WorkflowId, cluster.WorkflowIDPrefix)
			if seen[name] {
				continue
			}
			seen[name] = true
			s := ClusterSummary{Name: name, Phase: closedPhase(e.Status), Started: e.StartTime.AsTime()}
			sa := e.GetSearchAttributes().GetIndexedFields()
			_ = converter.GetDefaultDataConverter().FromPayload(sa[workflows.SAPhase.GetName()], &s.Phase)
			_ = converter.GetDefaultDataConverter().FromPayload(sa[workflows.SANodes.GetName()], &s.Nodes)
			out = append(out, s)
		}
		if len(resp.NextPageToken) == 0 {
			return out, nil
		}
		req.NextPageToken = resp.NextPageToken
	}
}

func closedPhase(s enumspb.WorkflowExecutionStatus) string {
	switch s {
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
		return "running"
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		return workflows.PhaseTerminated
	}
	return workflows.PhaseFailed
}

// settled reports whether no operation is under way.
func settled(st workflows.Status) bool {
	switch st.Phase {
	case workflows.PhaseReady, workflows.PhaseStopped, workflows.PhaseFailed, workflows.PhaseTerminated:
		return true
	}
	return false
}

func (app *App) watchCommand() *cobra.Command {
	return &cobra.Command{
		Use: "watch NAME", Short: "follow whatever operation runs on a cluster until it settles", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return app.withClient(func(c client.Client) error {
				out := cmd.OutOrStdout()
				st, err := newFollower(c, args[0], progressWriter(app, out)).until(cmd.Context(), settled)
				if err != nil {
					return err
				}
				if err := app.print(out, st, func() { fmt.Fprintln(out); printStatus(out, st) }); err != nil {
					return err
				}
				return isFailed(st)
			})
		},
	}
}
