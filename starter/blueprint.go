package starter

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/herdhq/herd/blueprints"
)

func (app *App) blueprintCommand() *cobra.Command {
	cmd := group("blueprint", "list, show and validate Ambari blueprints")
	cmd.AddCommand(&cobra.Command{
		Use: "list", Short: "list the built-in blueprints", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			names := blueprints.Names()
			return app.print(cmd.OutOrStdout(), names, func() {
				for _, n := range names {
					_, bp, _ := blueprints.Load(n)
					fmt.Fprintf(cmd.OutOrStdout(), "%-24s %s\n", n, strings.Join(bp.Services(), ","))
				}
			})
		},
	}, &cobra.Command{
		Use: "show NAME|FILE", Short: "print a blueprint as Ambari receives it", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, bp, err := blueprints.Load(args[0])
			if err != nil {
				return err
			}
			app.Output = "json"
			return app.print(cmd.OutOrStdout(), bp, nil)
		},
	}, &cobra.Command{
		Use: "validate FILE", Short: "check a blueprint against its stack, as Ambari would", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, bp, err := blueprints.Load(args[0])
			if err != nil {
				return err
			}
			res := validation{Name: name, Valid: true, Services: bp.Services()}
			return app.print(cmd.OutOrStdout(), res, func() {
				fmt.Fprintf(cmd.OutOrStdout(), "blueprint %s is valid (%s)\n", name, strings.Join(bp.Services(), ", "))
			})
		},
	})
	return cmd
}

// validation is what `herd blueprint validate` reports.
type validation struct {
	Name     string   `json:"name"`
	Valid    bool     `json:"valid"`
	Services []string `json:"services"`
}
