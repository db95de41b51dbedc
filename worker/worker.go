package worker

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/herdhq/herd/activities"
	"github.com/herdhq/herd/providers"
	"github.com/herdhq/herd/providers/aws"
	"github.com/herdhq/herd/providers/docker"
	"github.com/herdhq/herd/secrets"
	"github.com/herdhq/herd/workflows"
)

// New returns a worker with every herd workflow and activity registered.
func New(c client.Client, acts *activities.Activities) worker.Worker {
	w := worker.New(c, workflows.TaskQueue, worker.Options{})
	w.RegisterWorkflow(workflows.ClusterWorkflow)
	w.RegisterWorkflow(workflows.TerminateCluster)
	w.RegisterWorkflow(workflows.ScaleWorkflow)
	w.RegisterActivity(acts)
	return w
}

// Run runs a worker until ctx ends, then stops it gracefully (running
// activities get the worker's stop timeout to finish).
func Run(ctx context.Context, c client.Client, acts *activities.Activities) error {
	w := New(c, acts)
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	<-ctx.Done()
	w.Stop()
	return nil
}

// DefaultActivities builds the activities with the local providers, the
// master key at secretFile (created when missing) and the Temporal client
// scheduled scaling sends updates with.
func DefaultActivities(c client.Client, secretFile string, log *slog.Logger) (*activities.Activities, error) {
	master, err := secrets.LoadOrCreate(secretFile)
	if err != nil {
		return nil, err
	}
	dp, err := docker.New(log)
	if err != nil {
		return nil, err
	}
	reg := providers.Registry{"docker": dp, "aws": aws.New(master, log)}
	return &activities.Activities{Providers: reg, Master: master, Temporal: c, Logger: log}, nil
}

// DefaultSecretFile is where the master key lives unless told otherwise.
func DefaultSecretFile() string {
	if v := os.Getenv("HERD_SECRET_FILE"); v != "" {
		return v
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".herd", "master.key")
}

// NewCommand is `herd worker`.
func NewCommand() *cobra.Command {
	var opts ClientOptions
	var obs Observability
	secretFile := DefaultSecretFile()
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "run a herd worker against a Temporal cluster",
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := obs.Logger()
			if err != nil {
				return err
			}
			opts.Logger, opts.Metrics = log, obs.ClientMetrics()
			c, err := Dial(opts)
			if err != nil {
				return err
			}
			defer c.Close()
			if srv, err := obs.Serve(c, opts.Namespace, log); err != nil {
				return err
			} else if srv != nil {
				defer srv.Close()
			}
			acts, err := DefaultActivities(c, secretFile, log)
			if err != nil {
				return err
			}
			log.Info("herd worker started", "address", opts.Address, "namespace", opts.Namespace, "task_queue", workflows.TaskQueue)
			return Run(cmd.Context(), c, acts)
		},
	}
	opts.BindFlags(cmd.Flags())
	obs.BindFlags(cmd.Flags())
	cmd.Flags().StringVar(&secretFile, "secret-file", secretFile, "master key file; cluster credentials derive from it (HERD_SECRET_FILE)")
	return cmd
}
