package starter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/herdhq/herd/herdclient"
	"github.com/herdhq/herd/worker"
)

// Embedded starts an embedded Temporal server (SQLite in dataDir) and its
// Web UI, which decrypts payloads through codecEndpoint, returning the
// frontend's address, the UI's URL and how to stop them. cmd/herd passes
// devserver's; a binary without it has no `herd dev`.
type Embedded func(dataDir string, port, uiPort int, codecEndpoint string) (addr, uiURL string, stop func(), err error)

// DevFlags are the options of `herd dev` (and of the one `herd up` starts).
type DevFlags struct {
	DataDir   string
	Port      int
	UIPort    int
	CodecPort int
	Obs       worker.Observability
}

func defaultDataDir() string {
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".herd", "dev")
}

func bindDevFlags(cmd *cobra.Command, f *DevFlags) {
	cmd.Flags().StringVar(&f.DataDir, "data-dir", defaultDataDir(), "where the Temporal database (SQLite) is kept")
	cmd.Flags().IntVar(&f.Port, "port", 7233, "Temporal frontend port")
	cmd.Flags().IntVar(&f.UIPort, "ui-port", 8233, "Temporal Web UI port")
	cmd.Flags().IntVar(&f.CodecPort, "codec-port", 8234, "port of the codec server the Web UI decrypts payloads with")
	bindObs(cmd.Flags(), &f.Obs)
}

// devCommand is `herd dev`: Temporal server, Web UI and worker in one process.
func (app *App) devCommand() *cobra.Command {
	f := DevFlags{}
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "run the embedded default: Temporal server (SQLite), its Web UI and a herd worker, in one process",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := app.needEmbedded(); err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			log, err := f.Obs.Logger()
			if err != nil {
				return usage(err)
			}
			return app.runDev(ctx, f, log)
		},
	}
	bindDevFlags(cmd, &f)
	return cmd
}

// needEmbedded refuses `herd dev` and `herd up` in the slim build.
func (app *App) needEmbedded() error {
	if app.embedded != nil {
		return nil
	}
	return usage(errors.New("this herd build has no embedded Temporal server (it is the slim build for workers and laptops): " +
		"point it at a Temporal cluster with --address, or build the embedded default with `make build` (go build -tags embedded ./cmd/herd)"))
}

// runDev serves the embedded server and a worker until ctx ends.
func (app *App) runDev(ctx context.Context, f DevFlags, logger *slog.Logger) error {
	dc, err := worker.Codec(app.SecretFile)
	if err != nil {
		return err
	}
	endpoint, stopCodec, err := app.serveCodecForUI(f)
	if err != nil {
		return err
	}
	defer stopCodec()
	addr, uiURL, stop, err := app.embedded(f.DataDir, f.Port, f.UIPort, endpoint)
	if err != nil {
		return fmt.Errorf("start the embedded Temporal server (is another `herd dev` running on port %d?): %w", f.Port, err)
	}
	defer stop()
	c, err := herdclient.Dial(herdclient.Options{Address: addr, Namespace: "default", Logger: logger, Metrics: f.Obs.ClientMetrics(), DataConverter: dc})
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
	acts, err := worker.DefaultActivities(c, app.SecretFile, logger)
	if err != nil {
		return err
	}
	logger.Info("herd dev is up", "temporal", addr, "ui", uiURL, "data", f.DataDir)
	return worker.Run(ctx, c, acts, "", "")
}
