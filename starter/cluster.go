package starter

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/herdclient"
)

func (app *App) clusterCommand() *cobra.Command {
	cmd := group("cluster", "create, inspect, scale, repair, stop, start and terminate clusters")
	cmd.AddCommand(app.createCommand(), app.statusCommand(), app.listCommand(), app.terminateCommand(),
		app.scaleCommand(), app.powerCommand(cluster.UpdateStop), app.powerCommand(cluster.UpdateStart), app.watchCommand(),
		app.repairCommand(), app.repairPolicyCommand(), app.credentialsCommand(), app.loadCommand(), app.queryCommand(), app.eventCommand(), app.configCommand(), app.serviceCommand())
	return cmd
}

func (app *App) statusCommand() *cobra.Command {
	return &cobra.Command{
		Use: "status NAME", Short: "show a cluster's phase, last operation's steps and nodes", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return app.withClient(func(c *herdclient.Client) error {
				st, err := c.Status(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				return app.print(cmd.OutOrStdout(), st, func() { printStatus(cmd.OutOrStdout(), st) })
			})
		},
	}
}

func (app *App) listCommand() *cobra.Command {
	return &cobra.Command{
		Use: "list", Short: "list clusters with their phase", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return app.withClient(func(c *herdclient.Client) error {
				list, err := c.List(cmd.Context())
				if err != nil {
					return err
				}
				return app.print(cmd.OutOrStdout(), list, func() { printList(cmd.OutOrStdout(), list) })
			})
		},
	}
}

func printList(w io.Writer, list []herdclient.Summary) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tPHASE\tHEALTH\tNODES\tSTARTED")
	for _, s := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", s.Name, s.Phase, orDash(string(s.Health)), s.Nodes, s.Started.Format(time.RFC3339))
	}
	tw.Flush()
}

func (app *App) watchCommand() *cobra.Command {
	return &cobra.Command{
		Use: "watch NAME", Short: "follow whatever operation runs on a cluster until it settles", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return app.withClient(func(c *herdclient.Client) error {
				out := cmd.OutOrStdout()
				st, err := c.Watch(cmd.Context(), args[0], func(st cluster.Status) bool { return st.Phase.Settled() }, app.progress(out))
				if err != nil {
					return err
				}
				if err := app.print(out, st, func() { fmt.Fprintln(out); printStatus(out, st) }); err != nil {
					return err
				}
				return st.Failed()
			})
		},
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
