package starter

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/herdclient"
)

func (app *App) scaleCommand() *cobra.Command {
	var req cluster.ScaleRequest
	wait := false
	cmd := &cobra.Command{
		Use: "scale NAME", Short: "set a host group's node count (up or down)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return app.runOp(cmd, args[0], cluster.UpdateScale, wait, func(c *herdclient.Client, w herdclient.Watcher) (cluster.OpResult, error) {
				return c.Scale(cmd.Context(), args[0], req, w)
			}, req)
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
		RunE: func(cmd *cobra.Command, args []string) error {
			return app.runOp(cmd, args[0], op, wait, func(c *herdclient.Client, w herdclient.Watcher) (cluster.OpResult, error) {
				if op == cluster.UpdateStop {
					return c.Stop(cmd.Context(), args[0], w)
				}
				return c.Start(cmd.Context(), args[0], w)
			})
		},
	}
	cmd.Flags().BoolVar(&wait, "wait", false, "follow progress until the operation ends")
	return cmd
}

// runOp runs an operation: with wait, followed to its end; without, only
// submitted (a refusal is still reported).
func (app *App) runOp(cmd *cobra.Command, name, op string, wait bool, run func(*herdclient.Client, herdclient.Watcher) (cluster.OpResult, error), args ...any) error {
	out := cmd.OutOrStdout()
	return app.withClient(func(c *herdclient.Client) error {
		if !wait {
			if err := c.Submit(cmd.Context(), name, op, args...); err != nil {
				return err
			}
			fmt.Fprintf(out, "%s of %s accepted; follow it with: herd cluster watch %s\n", op, name, name)
			return nil
		}
		res, err := run(c, app.progress(out))
		if err != nil {
			return err
		}
		return app.print(out, res, func() {
			fmt.Fprintf(out, "%s: %s done; cluster is %s with %d nodes\n", name, res.Operation, res.Phase, res.Nodes)
		})
	})
}

func (app *App) terminateCommand() *cobra.Command {
	var fallback cluster.ReleaseInput
	var opts []string
	cmd := &cobra.Command{
		Use:   "terminate NAME",
		Short: "remove a cluster's containers, network and instances",
		Long: `Terminate removes everything a cluster has. A running cluster is terminated
by its own workflow. For a cluster whose workflow has ended, the provider is
read from its history; when that is gone too, every provider the worker has is
swept by the cluster's labels and tags — give --provider and --provider-opt to
reach one that cannot be searched without its options (say, an AWS region).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if fallback.Options, err = keyValues("--provider-opt", opts); err != nil {
				return usage(err)
			}
			return app.withClient(func(c *herdclient.Client) error {
				sw, err := c.Terminate(cmd.Context(), args[0], fallback)
				if err != nil {
					return err
				}
				return app.printSweep(cmd, args[0], sw)
			})
		},
	}
	cmd.Flags().StringVar(&fallback.Provider, "provider", "", "provider to release on when the cluster's history is gone")
	cmd.Flags().StringArrayVar(&opts, "provider-opt", nil, "provider option KEY=VALUE for --provider (repeatable)")
	return cmd
}

func (app *App) printSweep(cmd *cobra.Command, name string, sw cluster.Sweep) error {
	out := cmd.OutOrStdout()
	if err := app.print(out, sw, func() {
		fmt.Fprintf(out, "cluster %s terminated: %d containers, %d networks and %d instances removed", name, sw.Containers, sw.Networks, sw.Instances)
		if len(sw.Providers) > 0 {
			fmt.Fprintf(out, " (on %s)", strings.Join(sw.Providers, ", "))
		}
		fmt.Fprintln(out)
		for _, u := range sw.Unswept {
			fmt.Fprintf(cmd.ErrOrStderr(), "warning: not searched: %s\n", u)
		}
	}); err != nil {
		return err
	}
	if len(sw.Unswept) > 0 && sw.Released == (cluster.Released{}) {
		return fmt.Errorf("nothing of %s was found, and %d provider(s) could not be searched: %s", name, len(sw.Unswept), strings.Join(sw.Unswept, "; "))
	}
	return nil
}

// keyValues reads KEY=VALUE flags into a map.
func keyValues(flag string, kvs []string) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%s %q: use KEY=VALUE", flag, kv)
		}
		out[k] = v
	}
	return out, nil
}
