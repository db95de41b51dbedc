package starter

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/herdhq/herd/ambari"
	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/secrets"
)

func (app *App) loadCommand() *cobra.Command {
	var containers int
	var memory int64
	var duration time.Duration
	cmd := &cobra.Command{
		Use:   "load NAME",
		Short: "run synthetic YARN work on a cluster of the Ambari emulator (to watch autoscaling)",
		Long: `Load asks the cluster's Ambari emulator to run a synthetic YARN application:
--containers containers of --memory-mb each, each running for --duration once
it has room. Containers wait while the NodeManagers are full, so the resource
manager's metrics (PendingContainers, AvailableMB, ...) move as a real
cluster's would. Only herd's emulator serves this; it needs the master key.`,
		Example: `  herd cluster load demo --containers 40 --memory-mb 1024 --duration 2m`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if containers <= 0 || memory <= 0 || duration <= 0 {
				return usage(fmt.Errorf("give --containers, --memory-mb and --duration above zero"))
			}
			return app.withCredentials(cmd.Context(), args[0], func(st cluster.Status, s secrets.Cluster) error {
				id, err := ambari.NewClient(st.AmbariURL, s.AmbariUser, s.AmbariPassword).SubmitEmulatedApp(cmd.Context(), args[0], containers, memory, duration)
				if err != nil {
					return fmt.Errorf("submit the load to %s's emulator: %w", args[0], err)
				}
				return app.print(cmd.OutOrStdout(), map[string]int64{"app": id}, func() {
					fmt.Fprintf(cmd.OutOrStdout(), "cluster %s: application %d, %d containers of %d MB for %s\n", args[0], id, containers, memory, duration)
				})
			})
		},
	}
	cmd.Flags().IntVar(&containers, "containers", 10, "containers the application asks for")
	cmd.Flags().Int64Var(&memory, "memory-mb", 1024, "memory of each container (MB)")
	cmd.Flags().DurationVar(&duration, "duration", 2*time.Minute, "how long each container runs")
	return cmd
}
