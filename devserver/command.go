package devserver

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"
	"go.temporal.io/server/common/log"

	"github.com/herdhq/herd/worker"
)

// DevFlags are the options of `herd dev`.
type DevFlags struct {
	DataDir    string
	Port       int
	UIPort     int
	SecretFile string
	Obs        worker.Observability
}

func defaultDataDir() string {
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".herd", "dev")
}

// NewDevCommand is `herd dev`: Temporal server, Web UI and worker in one process.
func NewDevCommand() *cobra.Command {
	f := DevFlags{}
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "run the embedded default: Temporal server (SQLite), its Web UI and a herd worker, in one process",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			log, err := f.Obs.Logger()
			if err != nil {
				return err
			}
			return RunDev(ctx, f, log)
		},
	}
	bindDevFlags(cmd, &f)
	return cmd
}

func bindDevFlags(cmd *cobra.Command, f *DevFlags) {
	cmd.Flags().StringVar(&f.DataDir, "data-dir", defaultDataDir(), "where the Temporal database (SQLite) is kept")
	cmd.Flags().IntVar(&f.Port, "port", 7233, "Temporal frontend port")
	cmd.Flags().IntVar(&f.UIPort, "ui-port", 8233, "Temporal Web UI port")
	cmd.Flags().StringVar(&f.SecretFile, "secret-file", worker.DefaultSecretFile(), "master key file of cluster credentials")
	f.Obs.BindFlags(cmd.Flags())
}

// RunDev serves until ctx ends.
func RunDev(ctx context.Context, f DevFlags, logger *slog.Logger) error {
	srv, err := Start(Options{DataDir: f.DataDir, Port: f.Port, UIPort: f.UIPort, Logger: log.NewNoopLogger()})
	if err != nil {
		return fmt.Errorf("start the embedded Temporal server (is another `herd dev` running on port %d?): %w", f.Port, err)
	}
	defer srv.Stop()
	c, err := worker.Dial(worker.ClientOptions{Address: srv.Address, Namespace: "default", Logger: logger, Metrics: f.Obs.ClientMetrics()})
	if err != nil {
		return err
	}
	defer c.Close()
	if ms, err := f.Obs.Serve(c, "default", logger); err != nil {
		return err
	} else if ms != nil {
		defer ms.Close()
	}
	if _, err := worker.EnsureSearchAttributes(ctx, c, "default"); err != nil {
		return err
	}
	acts, err := worker.DefaultActivities(c, f.SecretFile, logger)
	if err != nil {
		return err
	}
	logger.Info("herd dev is up", "temporal", srv.Address, "ui", srv.UIURL, "data", f.DataDir)
	return worker.Run(ctx, c, acts)
}
