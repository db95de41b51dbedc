package starter

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/herdclient"
	"github.com/herdhq/herd/worker"
)

// workerCommand is `herd worker`.
func (app *App) workerCommand() *cobra.Command {
	var obs worker.Observability
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "run a herd worker against a Temporal cluster",
		Long: `Worker runs herd's workflows and activities on the "herd" task queue of the
Temporal cluster at --address. Workers of one deployment share one master key
file (--secret-file): cluster credentials derive from it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := obs.Logger()
			if err != nil {
				return usage(err)
			}
			opts := app.Conn
			opts.Logger, opts.Metrics = log, obs.ClientMetrics()
			if opts.DataConverter, err = worker.Codec(app.SecretFile); err != nil {
				return err
			}
			c, err := herdclient.Dial(opts)
			if err != nil {
				return err
			}
			defer c.Close()
			if srv, err := obs.Serve(c, opts.Namespace, log); err != nil {
				return err
			} else if srv != nil {
				defer srv.Close()
			}
			if added, err := worker.EnsureSearchAttributes(cmd.Context(), c, opts.Namespace); err != nil {
				log.Warn("could not register herd's search attributes; run `herd setup` with operator rights", "err", err)
			} else if len(added) > 0 {
				log.Info("search attributes registered", "added", added)
			}
			acts, err := worker.DefaultActivities(c, app.SecretFile, log)
			if err != nil {
				return err
			}
			log.Info("herd worker started", "address", opts.Address, "namespace", opts.Namespace, "task_queue", cluster.TaskQueue)
			return worker.Run(cmd.Context(), c, acts, os.Getenv(chaosKillAfter))
		},
	}
	bindObs(cmd.Flags(), &obs)
	return cmd
}

// setupCommand is `herd setup`: prepares a Temporal namespace for herd.
func (app *App) setupCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "setup",
		Short: "register herd's search attributes on a Temporal namespace (once per namespace)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return app.withClient(func(c *herdclient.Client) error {
				added, err := worker.EnsureSearchAttributes(cmd.Context(), c.T, app.Conn.Namespace)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "namespace %s is ready for herd (search attributes added: %v)\n", app.Conn.Namespace, added)
				return nil
			})
		},
	}
}

// chaosKillAfter names the activity after which a worker kills itself
// (SIGKILL) on its first attempt: for herd's chaos tests, never set
// otherwise.
const chaosKillAfter = "HERD_CHAOS_KILL_AFTER"
