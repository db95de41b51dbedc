// Package starter is herd's command line (binary `herd`): every command —
// create, watch, operate and terminate clusters, blueprints, schedules,
// the worker, `herd setup`, and the embedded default (`herd dev`, `herd
// up`). It talks to Temporal through herdclient; the worker provisions.
package starter

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/herdhq/herd/codec"
	"github.com/herdhq/herd/herdclient"
	"github.com/herdhq/herd/worker"
)

// App is the state shared by the commands.
type App struct {
	Conn   herdclient.Options
	Output string // "text" or "json"
	// SecretFile is the master key file: payloads are encrypted with keys
	// derived from it, and cluster credentials derive from it.
	SecretFile string
	embedded   Embedded
}

// NewCommand returns the `herd` command tree. embedded starts the embedded
// Temporal server for `herd dev`; nil leaves it out of this binary (`herd
// dev` then says so).
func NewCommand(embedded Embedded) *cobra.Command {
	app := &App{embedded: embedded}
	root := &cobra.Command{
		Use:           "herd",
		Short:         "durable provisioning of Hadoop clusters made of Docker containers",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(*cobra.Command, []string) error {
			if app.Output != "text" && app.Output != "json" {
				return usage(fmt.Errorf("--output %q: use text or json", app.Output))
			}
			return nil
		},
	}
	bindConn(root.PersistentFlags(), &app.Conn)
	root.PersistentFlags().StringVarP(&app.Output, "output", "o", "text", "output format of read commands: text or json")
	root.PersistentFlags().StringVar(&app.SecretFile, "secret-file", worker.DefaultSecretFile(), "the master key file: payloads are encrypted, and cluster credentials derived, with it (HERD_SECRET_FILE)")
	root.AddCommand(app.clusterCommand(), app.blueprintCommand(), app.scheduleCommand(), app.autoscaleCommand(), app.versionCommand(),
		app.notifyCommand(), app.alertsCommand(),
		app.workerCommand(), app.setupCommand(), app.devCommand(), app.upCommand(), app.codecServerCommand(), app.secretsCommand(), app.awsPolicyCommand())
	return root
}

// Execute runs the command tree and returns herd's exit code.
func Execute(root *cobra.Command) int {
	markUsage(root)
	err := root.Execute()
	if err != nil {
		fmt.Fprintln(root.ErrOrStderr(), "herd:", err)
	}
	return ExitCode(err)
}

// withClient dials Temporal with payloads encrypted by the master key's
// codec, runs fn and closes the connection.
func (app *App) withClient(fn func(*herdclient.Client) error) error {
	o := app.Conn
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	cd, err := codec.Load(app.SecretFile)
	if err != nil {
		return usage(fmt.Errorf("herd's payloads are encrypted with the worker's master key: %w", err))
	}
	o.DataConverter = cd.DataConverter()
	c, err := herdclient.Dial(o)
	if err != nil {
		return err
	}
	defer c.Close()
	return fn(herdclient.New(c, o.DataConverter))
}

// print writes v as JSON, or calls text for the text form.
func (app *App) print(w io.Writer, v any, text func()) error {
	if app.Output == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	text()
	return nil
}
