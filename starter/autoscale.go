package starter

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/herdhq/herd/autoscale"
	"github.com/herdhq/herd/herdclient"
)

func (app *App) autoscaleCommand() *cobra.Command {
	cmd := group("autoscale", "scale a cluster on load: YARN metric rules, bounds, cooldown")
	cmd.AddCommand(app.autoscaleSetCommand(), app.autoscaleShowCommand(), app.autoscaleToggleCommand(true),
		app.autoscaleToggleCommand(false), app.autoscaleHistoryCommand())
	return cmd
}

func (app *App) autoscaleSetCommand() *cobra.Command {
	p := autoscale.Policy{Enabled: true}
	var rules []string
	cmd := &cobra.Command{
		Use:   "set NAME --host-group GROUP --min N --max N --rule RULE...",
		Short: "give a cluster its autoscaling policy (replaces the one it has)",
		Long: `Set gives a cluster an autoscaling policy: every --interval herd reads the YARN
resource manager's queue metrics through Ambari, and when a rule's condition
has held for its duration it scales --host-group within [--min, --max], at
most once per --cooldown. The first rule that fires acts. A rule reads
METRIC OP THRESHOLD[%] [for DURATION]: ACTION, with METRIC one of
` + strings.Join(autoscale.Metrics, ", ") + `
(a % threshold is of the cluster's YARN memory) and ACTION +N, -N, +N%, -N% or =N.`,
		Example: `  herd autoscale set demo --host-group slaves --min 3 --max 20 --cooldown 2m \
    --rule "PendingContainers > 0 for 1m: +2" --rule "AvailableMB > 75% for 10m: -1"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p.Cluster = args[0]
			for _, s := range rules {
				r, err := autoscale.ParseRule(s)
				if err != nil {
					return usage(err)
				}
				p.Rules = append(p.Rules, r)
			}
			if err := p.Validate(p.Min, p.Max); err != nil {
				return usage(err)
			}
			return app.withClient(func(c *herdclient.Client) error {
				got, err := c.SetAutoscale(cmd.Context(), p)
				if err != nil {
					return err
				}
				return app.print(cmd.OutOrStdout(), got, func() { printPolicy(cmd.OutOrStdout(), got) })
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&p.HostGroup, "host-group", "", "the host group whose nodes autoscaling adds and removes")
	f.IntVar(&p.Min, "min", 1, "fewest nodes of the group")
	f.IntVar(&p.Max, "max", 10, "most nodes of the group")
	f.DurationVar(&p.Cooldown, "cooldown", autoscale.DefaultCooldown, "least time between two actions")
	f.DurationVar(&p.Interval, "interval", autoscale.DefaultInterval, "how often the metrics are read")
	f.StringArrayVar(&rules, "rule", nil, `rule (repeatable), e.g. "PendingContainers > 0 for 1m: +2"`)
	return cmd
}

func printPolicy(w io.Writer, p autoscale.Policy) {
	state := "enabled"
	if !p.Enabled {
		state = "disabled"
	}
	fmt.Fprintf(w, "cluster %s: autoscaling %s of host group %s, %d to %d nodes, cooldown %s, every %s\n",
		p.Cluster, state, p.HostGroup, p.Min, p.Max, p.Cooldown, p.Interval)
	for _, r := range p.Rules {
		fmt.Fprintf(w, "  %s\n", r)
	}
}

func (app *App) autoscaleShowCommand() *cobra.Command {
	return &cobra.Command{
		Use: "show NAME", Short: "print a cluster's autoscaling policy and its last decision", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return app.withClient(func(c *herdclient.Client) error {
				st, err := c.Autoscale(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				return app.print(cmd.OutOrStdout(), st, func() {
					printPolicy(cmd.OutOrStdout(), st.Policy)
					if n := len(st.State.Decisions); n > 0 {
						fmt.Fprint(cmd.OutOrStdout(), "last decision: ")
						printDecision(cmd.OutOrStdout(), st.State.Decisions[n-1])
					}
				})
			})
		},
	}
}

func (app *App) autoscaleToggleCommand(on bool) *cobra.Command {
	use, short := "disable NAME", "stop autoscaling a cluster (its policy is kept)"
	if on {
		use, short = "enable NAME", "autoscale a cluster again with its policy"
	}
	return &cobra.Command{
		Use: use, Short: short, Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return app.withClient(func(c *herdclient.Client) error {
				p, err := c.EnableAutoscale(cmd.Context(), args[0], on)
				if err != nil {
					return err
				}
				return app.print(cmd.OutOrStdout(), p, func() { printPolicy(cmd.OutOrStdout(), p) })
			})
		},
	}
}

func (app *App) autoscaleHistoryCommand() *cobra.Command {
	var plot string
	cmd := &cobra.Command{
		Use: "history NAME", Short: "list a cluster's autoscaling decisions (--plot FILE.svg|.png draws nodes and containers over time)",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return app.withClient(func(c *herdclient.Client) error {
				st, err := c.Autoscale(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				if plot != "" {
					if err := writePlot(plot, args[0], st); err != nil {
						return err
					}
				}
				return app.print(cmd.OutOrStdout(), st.State.Decisions, func() {
					for _, d := range st.State.Decisions {
						printDecision(cmd.OutOrStdout(), d)
					}
					if plot != "" {
						fmt.Fprintf(cmd.OutOrStdout(), "plot written to %s\n", plot)
					}
				})
			})
		},
	}
	cmd.Flags().StringVar(&plot, "plot", "", "also draw nodes, pending and running containers over time into this file (.svg with labels, or .png)")
	return cmd
}

func writePlot(path, name string, st autoscale.Status) error {
	f, err := os.Create(path)
	if err != nil {
		return usage(fmt.Errorf("--plot: %w", err))
	}
	defer f.Close()
	title := fmt.Sprintf("autoscaling of %s/%s", name, st.Policy.HostGroup)
	if strings.HasSuffix(strings.ToLower(path), ".png") {
		err = autoscale.PlotPNG(f, st.State.Samples, st.State.Decisions)
	} else {
		err = autoscale.PlotSVG(f, title, st.State.Samples, st.State.Decisions)
	}
	if err != nil {
		return err
	}
	return f.Close()
}

func printDecision(w io.Writer, d autoscale.Decision) {
	fmt.Fprintf(w, "%s  %-5s %-10s %2d -> %-2d %s", d.At.Format("2006-01-02 15:04:05"), d.Action, d.Reason, d.From, d.To, d.Rule)
	if d.Error != "" {
		fmt.Fprintf(w, "  (%s)", d.Error)
	}
	fmt.Fprintf(w, "  pending %d, running %d, free %d MB\n", d.Metrics.PendingContainers, d.Metrics.AllocatedContainers, d.Metrics.AvailableMB)
}
