package starter

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/herdhq/herd/ambari"
	"github.com/herdhq/herd/blueprints"
)

func (app *App) blueprintCommand() *cobra.Command {
	cmd := group("blueprint", "list, show and validate Ambari blueprints")
	cmd.AddCommand(&cobra.Command{
		Use: "list", Short: "list the built-in blueprints with their stacks and services", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var list []builtinBlueprint
			for _, n := range blueprints.Names() {
				_, bp, _ := blueprints.Load(n)
				list = append(list, builtinBlueprint{Name: n, Stack: bp.Blueprints.StackName + "-" + bp.Blueprints.StackVersion, Services: bp.Services()})
			}
			return app.print(cmd.OutOrStdout(), list, func() {
				w := cmd.OutOrStdout()
				fmt.Fprintf(w, "%-24s %-13s %s\n", "NAME", "STACK", "SERVICES")
				for _, b := range list {
					fmt.Fprintf(w, "%-24s %-13s %s\n", b.Name, b.Stack, strings.Join(b.Services, ","))
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
			resolved, _ := ambari.ResolveBlueprint(bp, true)
			res := validation{Name: name, Valid: true, Services: resolved.Services(), Added: added(bp, resolved)}
			return app.print(cmd.OutOrStdout(), res, func() {
				w := cmd.OutOrStdout()
				fmt.Fprintf(w, "blueprint %s is valid (%s)\n", name, strings.Join(res.Services, ", "))
				for _, g := range bp.HostGroups {
					if len(res.Added[g.Name]) > 0 {
						fmt.Fprintf(w, "  Ambari adds to %s: %s\n", g.Name, strings.Join(res.Added[g.Name], ", "))
					}
				}
			})
		},
	})
	return cmd
}

// validation is what `herd blueprint validate` reports: the services the
// cluster will run and, by host group, the components Ambari deploys
// itself (auto-deploy, dependencies).
type validation struct {
	Name     string              `json:"name"`
	Valid    bool                `json:"valid"`
	Services []string            `json:"services"`
	Added    map[string][]string `json:"added,omitempty"`
}

// builtinBlueprint is a line of `herd blueprint list`.
type builtinBlueprint struct {
	Name     string   `json:"name"`
	Stack    string   `json:"stack"`
	Services []string `json:"services"`
}

// added lists, by host group, the components resolved has that bp lacks.
func added(bp, resolved ambari.Blueprint) map[string][]string {
	out := map[string][]string{}
	for i, g := range resolved.HostGroups {
		had := map[string]bool{}
		for _, c := range bp.HostGroups[i].Components {
			had[c.Name] = true
		}
		for _, c := range g.Components {
			if !had[c.Name] {
				out[g.Name] = append(out[g.Name], c.Name)
			}
		}
	}
	return out
}
