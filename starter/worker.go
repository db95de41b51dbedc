package starter

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/api/serviceerror"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/herdclient"
	"github.com/herdhq/herd/internal/poll"
	"github.com/herdhq/herd/worker"
)

// workerCommand is `herd worker`.
func (app *App) workerCommand() *cobra.Command {
	var obs worker.Observability
	place := os.Getenv("HERD_PLACE")
	every := 2 * time.Second
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "run a herd worker against a Temporal cluster",
		Long: `Worker runs herd's workflows and activities on the "herd" task queue of the
Temporal cluster at --address. With --place NAME it runs workflows there too,
and only the activities of clusters created with --place NAME, on the task
queue "herd@NAME": start such workers where those clusters' machines can be
reached. Workers of one deployment share one master key file (--secret-file):
cluster credentials derive from it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := obs.Logger()
			if err != nil {
				return usage(err)
			}
			if err := cluster.ValidatePlace(place); err != nil {
				return usage(err)
			}
			if every <= 0 {
				return usage(fmt.Errorf("--poll-interval %s: give a positive duration, e.g. 2s", every))
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
			acts.PollInterval = every
			log.Info("herd worker started", "address", opts.Address, "namespace", opts.Namespace, "place", place,
				"task_queue", cluster.TaskQueue, "place_queue", cluster.ActivityQueue(place))
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			err = worker.Run(ctx, c, acts, place, os.Getenv(chaosKillAfter))
			log.Info("herd worker stopped")
			return err
		},
	}
	bindObs(cmd.Flags(), &obs)
	cmd.Flags().DurationVar(&every, "poll-interval", envDuration("HERD_POLL_INTERVAL", every), "how often a step that waits on a cluster (Ambari's request, hosts registering) looks again (HERD_POLL_INTERVAL)")
	cmd.Flags().StringVar(&place, "place", place, "serve only the clusters created with this --place (a region, a data centre), whose machines this worker can reach (HERD_PLACE)")
	return cmd
}

// setupCommand is `herd setup`: prepares a Temporal namespace for herd.
func (app *App) setupCommand() *cobra.Command {
	retention := 30 * 24 * time.Hour
	cmd := &cobra.Command{
		Use:   "setup",
		Short: "prepare a Temporal namespace for herd (once per namespace): create it if missing, register herd's search attributes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if retention < 24*time.Hour {
				return usage(fmt.Errorf("--retention %s: Temporal keeps closed histories at least 1 day (24h)", retention))
			}
			return app.withClient(func(c *herdclient.Client) error {
				created, err := worker.EnsureNamespace(cmd.Context(), c.T, app.Conn.Namespace, retention)
				if err != nil {
					return err
				}
				added, err := ensureSearchAttributes(cmd.Context(), c, app.Conn.Namespace, created)
				if err != nil {
					return err
				}
				wctx, cancel := context.WithTimeout(cmd.Context(), 2*time.Minute)
				defer cancel()
				if err := worker.WaitSearchAttributesUsable(wctx, c.T, app.Conn.Namespace); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "namespace %s is ready for herd (created: %v, search attributes added: %v)\n", app.Conn.Namespace, created, added)
				return nil
			})
		},
	}
	cmd.Flags().DurationVar(&retention, "retention", retention, "how long Temporal keeps a closed workflow's history, when the namespace is created here")
	return cmd
}

// ensureSearchAttributes registers herd's search attributes; a namespace
// just created may not be known yet to every frontend of the Temporal
// cluster (they refresh their caches every few seconds), so it tries for
// a while.
func ensureSearchAttributes(ctx context.Context, c *herdclient.Client, namespace string, fresh bool) ([]string, error) {
	if !fresh {
		return worker.EnsureSearchAttributes(ctx, c.T, namespace)
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	var added []string
	err := poll.Until(ctx, 2*time.Second, func(ctx context.Context) (bool, error) {
		a, err := worker.EnsureSearchAttributes(ctx, c.T, namespace)
		var missing *serviceerror.NamespaceNotFound
		if errors.As(err, &missing) {
			return false, nil
		}
		added = a
		return err == nil, err
	})
	return added, err
}

// chaosKillAfter names the activity after which a worker kills itself
// (SIGKILL) on its first attempt: for herd's chaos tests, never set
// otherwise.
const chaosKillAfter = "HERD_CHAOS_KILL_AFTER"
