package starter

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/herdclient"
)

func (app *App) repairCommand() *cobra.Command {
	var req cluster.RepairRequest
	wait := false
	cmd := &cobra.Command{
		Use:   "repair NAME",
		Short: "replace a cluster's down nodes now (or the nodes named with --node)",
		Long: `Repair replaces nodes with new ones of the same names and host groups: their
containers (or instances) are removed, replacements start and join Serf, and
Ambari installs their host groups again. The server keeps its Ambari state.
Without --node it replaces every node that is down; with auto repair (the
default) herd does this by itself once a node has been down for repair-after.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return app.runOp(cmd, args[0], cluster.UpdateRepair, wait, func(c *herdclient.Client, w herdclient.Watcher) (cluster.OpResult, error) {
				return c.Repair(cmd.Context(), args[0], req, w)
			}, req)
		},
	}
	cmd.Flags().StringArrayVar(&req.Nodes, "node", nil, "node to replace, by name (repeatable; default: every node that is down)")
	cmd.Flags().BoolVar(&wait, "wait", false, "follow progress until the repair ends")
	return cmd
}

func (app *App) repairPolicyCommand() *cobra.Command {
	var p cluster.RepairPolicy
	cmd := &cobra.Command{
		Use:   "repair-policy NAME",
		Short: "change how a cluster is repaired: --repair auto|manual, --repair-after",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := p.WithDefaults().Validate(); err != nil {
				return usage(err)
			}
			return app.withClient(func(c *herdclient.Client) error {
				res, err := c.SetRepairPolicy(cmd.Context(), args[0], p)
				if err != nil {
					return err
				}
				return app.print(cmd.OutOrStdout(), res, func() {
					fmt.Fprintf(cmd.OutOrStdout(), "cluster %s: %s\n", args[0], res.Operation)
				})
			})
		},
	}
	bindRepair(cmd, &p)
	return cmd
}

// bindRepair adds --repair and --repair-after.
func bindRepair(cmd *cobra.Command, p *cluster.RepairPolicy) {
	*p = cluster.RepairPolicy{}.WithDefaults()
	cmd.Flags().StringVar((*string)(&p.Mode), "repair", string(p.Mode), "repair lost nodes by herd itself (auto) or only when told (manual)")
	cmd.Flags().DurationVar(&p.After, "repair-after", p.After, "how long a node is down before auto repair replaces it")
}
