// Package starter is herd's command line (binary `herd`): create, watch,
// inspect and terminate clusters, and work with blueprints. It talks to
// Temporal only; the worker does the provisioning.
package starter

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"github.com/herdhq/herd/worker"
)

// App is the state shared by the commands.
type App struct {
	Client worker.ClientOptions
	Output string // "text" or "json"
}

// NewCommand returns the `herd` command tree without the commands that
// embed the Temporal server (added by cmd/herd).
func NewCommand() *cobra.Command {
	app := &App{}
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
	app.Client.BindFlags(root.PersistentFlags())
	root.PersistentFlags().StringVarP(&app.Output, "output", "o", "text", "output format of read commands: text or json")
	root.AddCommand(app.clusterCommand(), app.blueprintCommand(), app.scheduleCommand(), app.versionCommand(),
		worker.NewCommand(), worker.NewSetupCommand())
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

func (app *App) dial() (client.Client, error) {
	o := app.Client
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	return worker.Dial(o)
}

// withClient dials Temporal, runs fn and closes the connection.
func (app *App) withClient(fn func(client.Client) error) error {
	c, err := app.dial()
	if err != nil {
		return err
	}
	defer c.Close()
	return fn(c)
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
