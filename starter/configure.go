package starter

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/herdhq/herd/ambari"
	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/herdclient"
	"github.com/herdhq/herd/secrets"
)

func (app *App) configCommand() *cobra.Command {
	cmd := group("config", "read and change a cluster's service configuration in Ambari")
	cmd.AddCommand(app.configGetCommand(), app.configSetCommand())
	return cmd
}

func (app *App) configGetCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "get NAME TYPE",
		Short: "print the current version of a configuration type (hdfs-site, core-site, ...)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return app.withCredentials(cmd.Context(), args[0], func(st cluster.Status, s secrets.Cluster) error {
				if st.AmbariURL == "" {
					return fmt.Errorf("cluster %s has no Ambari server yet (it is %s)", args[0], st.Phase)
				}
				cfg, err := ambari.NewClient(st.AmbariURL, s.AmbariUser, s.AmbariPassword).DesiredConfig(cmd.Context(), args[0], args[1])
				if err != nil {
					return err
				}
				out := cmd.OutOrStdout()
				return app.print(out, cfg, func() { printConfig(out, cfg) })
			})
		},
	}
}

func printConfig(w io.Writer, cfg ambari.Config) {
	fmt.Fprintf(w, "# %s version %d (tag %s)\n", cfg.Type, cfg.Version, cfg.Tag)
	for _, k := range slices.Sorted(maps.Keys(cfg.Properties)) {
		fmt.Fprintf(w, "%s=%s\n", k, cfg.Properties[k])
	}
}

func (app *App) configSetCommand() *cobra.Command {
	wait := false
	cmd := &cobra.Command{
		Use:   "set NAME TYPE key=value... [-key...]",
		Short: "change a configuration type: a new version in Ambari, then a restart of what it makes stale",
		Long: `Set makes a new version of a configuration type in the cluster's Ambari with
the keys given set (key=value) or removed (-key), then has Ambari restart the
components whose configuration is stale, and follows that request to its end.
It runs on the cluster's workflow, one operation at a time, like scale.`,
		Args: cobra.MinimumNArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			req, err := configRequest(args[1], args[2:])
			if err != nil {
				return usage(err)
			}
			return app.runOp(cmd, args[0], cluster.UpdateConfig, wait, func(c *herdclient.Client, w herdclient.Watcher) (cluster.OpResult, error) {
				return c.Configure(cmd.Context(), args[0], req, w)
			}, req)
		},
	}
	cmd.Flags().BoolVar(&wait, "wait", false, "follow progress until the restart has completed")
	return cmd
}

// configRequest reads key=value and -key arguments.
func configRequest(typ string, args []string) (cluster.ConfigRequest, error) {
	req := cluster.ConfigRequest{Type: typ, Set: map[string]string{}}
	for _, a := range args {
		if k, ok := strings.CutPrefix(a, "-"); ok && !strings.Contains(a, "=") {
			req.Unset = append(req.Unset, k)
			continue
		}
		k, v, ok := strings.Cut(a, "=")
		if !ok || k == "" {
			return req, fmt.Errorf("%q: use key=value to set a property, -key to remove one", a)
		}
		req.Set[k] = v
	}
	return req, req.Validate()
}

func (app *App) serviceCommand() *cobra.Command {
	cmd := group("service", "start, stop or restart one of a cluster's services through Ambari")
	for _, action := range []string{cluster.ServiceStart, cluster.ServiceStop, cluster.ServiceRestart} {
		cmd.AddCommand(app.serviceActionCommand(action))
	}
	return cmd
}

func (app *App) serviceActionCommand(action string) *cobra.Command {
	wait := false
	cmd := &cobra.Command{
		Use:   action + " NAME SERVICE",
		Short: action + " a service (HDFS, YARN, ...) of the cluster and follow Ambari's request",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			req := cluster.ServiceRequest{Service: strings.ToUpper(args[1]), Action: action}
			return app.runOp(cmd, args[0], cluster.UpdateService, wait, func(c *herdclient.Client, w herdclient.Watcher) (cluster.OpResult, error) {
				return c.Service(cmd.Context(), args[0], req, w)
			}, req)
		},
	}
	cmd.Flags().BoolVar(&wait, "wait", false, "follow progress until Ambari's request has completed")
	return cmd
}
