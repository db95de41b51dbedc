package starter

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/herdhq/herd/activities"
	"github.com/herdhq/herd/providers"
	"github.com/herdhq/herd/workflows"
)

func (app *App) clusterCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "cluster", Short: "create, inspect and terminate clusters"}
	cmd.AddCommand(app.createCommand(), app.statusCommand(), app.listCommand(), app.terminateCommand())
	return cmd
}

func (app *App) statusCommand() *cobra.Command {
	return &cobra.Command{
		Use: "status NAME", Short: "show a cluster's phase, steps and nodes", Args: cobra.ExactArgs(1),
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

func printStatus(w io.Writer, st workflows.Status) {
	fmt.Fprintf(w, "cluster %s (%s): %s\n", st.Cluster, st.Provider, st.Phase)
	if st.AmbariURL != "" {
		fmt.Fprintf(w, "ambari: %s\n", st.AmbariURL)
	}
	if st.Error != "" {
		fmt.Fprintf(w, "error: %s\n", st.Error)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nSTEP\tSTATE\tDETAIL")
	for _, s := range st.Steps {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Name, s.State, s.Detail)
	}
	fmt.Fprintln(tw, "\nNODE\tFQDN\tROLE\tHOST GROUP\tIP\tSTATE")
	for _, n := range st.Nodes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", n.Name, n.FQDN, n.Role, n.HostGroup, n.IP, n.State)
	}
	tw.Flush()
}

// ClusterSummary is one row of `herd cluster list`.
type ClusterSummary struct {
	Name    string    `json:"name"`
	Status  string    `json:"status"`
	Started time.Time `json:"started"`
}

func (app *App) listCommand() *cobra.Command {
	return &cobra.Command{
		Use: "list", Short: "list clusters and how their provisioning went", Args: cobra.NoArgs,
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
	fmt.Fprintln(tw, "NAME\tPROVISIONING\tSTARTED")
	for _, s := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Name, s.Status, s.Started.Format(time.RFC3339))
	}
	tw.Flush()
}

// List returns the latest provisioning of every cluster, newest first.
func List(ctx context.Context, c client.Client) ([]ClusterSummary, error) {
	var out []ClusterSummary
	seen := map[string]bool{}
	req := &workflowservice.ListWorkflowExecutionsRequest{Query: "WorkflowType = 'ProvisionCluster'"}
	for {
		resp, err := c.ListWorkflow(ctx, req)
		if err != nil {
			return nil, fmt.Errorf("list clusters: %w", err)
		}
		for _, e := range resp.Executions {
			name := e.Execution.WorkflowId[len(workflows.WorkflowID("")):]
			if seen[name] {
				continue
			}
			seen[name] = true
			out = append(out, ClusterSummary{Name: name, Status: statusWord(e.Status), Started: e.StartTime.AsTime()})
		}
		if len(resp.NextPageToken) == 0 {
			return out, nil
		}
		req.NextPageToken = resp.NextPageToken
	}
}

func statusWord(s enumspb.WorkflowExecutionStatus) string {
	switch s {
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
		return "running"
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		return "ready"
	case enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED:
		return "cancelled"
	}
	return "failed"
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

// Terminate stops a provisioning still running and removes everything the
// cluster has, waiting until it is gone.
func Terminate(ctx context.Context, c client.Client, name string) (providers.Released, error) {
	provider := "docker"
	if st, err := QueryStatus(ctx, c, name); err == nil && st.Provider != "" {
		provider = st.Provider
	}
	_ = c.CancelWorkflow(ctx, workflows.WorkflowID(name), "") // not running is fine
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: workflows.TerminateWorkflowID(name), TaskQueue: workflows.TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, workflows.TerminateCluster, activities.ReleaseInput{Cluster: name, Provider: provider})
	if err != nil {
		return providers.Released{}, fmt.Errorf("start terminating %s: %w", name, err)
	}
	var rel providers.Released
	if err := run.Get(ctx, &rel); err != nil {
		return rel, fmt.Errorf("terminate %s: %w", name, err)
	}
	return rel, nil
}
