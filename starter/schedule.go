package starter

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/herdhq/herd/herdclient"
	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"
)

func (app *App) scheduleCommand() *cobra.Command {
	cmd := group("schedule", "scale clusters on a timetable (Temporal Schedules)")
	cmd.AddCommand(app.scheduleCreate(), app.scheduleList(), app.scheduleDescribe(),
		app.scheduleSimple("pause", (*herdclient.Client).PauseSchedule),
		app.scheduleSimple("unpause", (*herdclient.Client).UnpauseSchedule),
		app.scheduleSimple("delete", (*herdclient.Client).DeleteSchedule))
	return cmd
}

func (app *App) scheduleCreate() *cobra.Command {
	var f herdclient.ScheduleRequest
	cmd := &cobra.Command{
		Use: "create NAME", Short: "scale a host group to a size on a timetable", Args: cobra.ExactArgs(1),
		Long: `Create makes a Temporal Schedule that, at each firing, scales a host group to
--nodes, or (with --autoscale-min and --autoscale-max) changes the bounds of
the cluster's autoscaling, which then acts within them: e.g. at least 10
nodes during office hours, at least 2 at night.`,
		Example: `  herd schedule create day --cluster demo --nodes 10 --cron "0 8 * * MON-FRI" --timezone Europe/Budapest
  herd schedule create office --cluster demo --autoscale-min 10 --autoscale-max 30 --cron "0 8 * * MON-FRI"
  herd schedule create night --cluster demo --autoscale-min 2 --autoscale-max 10 --cron "0 19 * * MON-FRI"`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, _, err := f.Timetable(); err != nil {
				return usage(err)
			}
			bounds := f.AutoscaleMin > 0 || f.AutoscaleMax > 0
			switch {
			case bounds == (f.Request.Count > 0):
				return usage(fmt.Errorf("give --nodes (a size) or --autoscale-min and --autoscale-max (autoscaling bounds), not both or neither"))
			case bounds && (f.AutoscaleMin < 1 || f.AutoscaleMin > f.AutoscaleMax):
				return usage(fmt.Errorf("--autoscale-min %d --autoscale-max %d: give 1 <= min <= max", f.AutoscaleMin, f.AutoscaleMax))
			}
			return app.withClient(func(c *herdclient.Client) error {
				if err := c.CreateSchedule(cmd.Context(), args[0], f); err != nil {
					return err
				}
				what := fmt.Sprintf("scale %s/%s to %d", f.Cluster, f.Request.HostGroup, f.Request.Count)
				if bounds {
					what = fmt.Sprintf("autoscale %s within %d..%d", f.Cluster, f.AutoscaleMin, f.AutoscaleMax)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "schedule %s created: %s\n", args[0], what)
				return nil
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.Cluster, "cluster", "", "cluster to scale")
	fl.StringVar(&f.Request.HostGroup, "host-group", "slaves", "host group to scale")
	fl.IntVar(&f.Request.Count, "nodes", 0, "node count of the host group")
	fl.StringVar(&f.Cron, "cron", "", `cron expression, e.g. "0 8 * * MON-FRI"`)
	fl.DurationVar(&f.Every, "every", 0, "interval instead of a cron expression, e.g. 12h")
	fl.StringVar(&f.At, "at", "", "one moment (RFC 3339) instead of a cron expression")
	fl.StringVar(&f.TimeZone, "timezone", "", "time zone of the cron expression, e.g. Europe/Budapest")
	fl.IntVar(&f.AutoscaleMin, "autoscale-min", 0, "instead of --nodes: the autoscaling minimum from this firing on")
	fl.IntVar(&f.AutoscaleMax, "autoscale-max", 0, "instead of --nodes: the autoscaling maximum from this firing on")
	_ = cmd.MarkFlagRequired("cluster")
	return cmd
}

func (app *App) scheduleList() *cobra.Command {
	return &cobra.Command{
		Use: "list", Short: "list scale schedules", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return app.withClient(func(c *herdclient.Client) error {
				list, err := c.Schedules(cmd.Context())
				if err != nil {
					return err
				}
				return app.print(cmd.OutOrStdout(), list, func() {
					tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
					fmt.Fprintln(tw, "SCHEDULE\tPAUSED\tNEXT")
					for _, s := range list {
						fmt.Fprintf(tw, "%s\t%v\t%v\n", s.ID, s.Paused, s.Next)
					}
					tw.Flush()
				})
			})
		},
	}
}

func (app *App) scheduleDescribe() *cobra.Command {
	return &cobra.Command{
		Use: "describe NAME", Short: "show a schedule's timetable and recent firings", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return app.withClient(func(c *herdclient.Client) error {
				d, err := c.DescribeSchedule(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				s := scheduleView{ScheduleSummary: d, Timetable: describeSpec(d.Definition)}
				return app.print(cmd.OutOrStdout(), s, func() {
					fmt.Fprintf(cmd.OutOrStdout(), "schedule %s\npaused: %v\nspec: %s\nnext: %v\nrecent: %v\n", s.ID, s.Paused, s.Timetable, s.Next, s.Recent)
				})
			})
		},
	}
}

// scheduleView is a schedule as `herd schedule describe` shows it.
type scheduleView struct {
	herdclient.ScheduleSummary
	Timetable string `json:"timetable"`
}

func (app *App) scheduleSimple(verb string, fn func(*herdclient.Client, context.Context, string) error) *cobra.Command {
	return &cobra.Command{
		Use: verb + " NAME", Short: verb + " a schedule", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return app.withClient(func(c *herdclient.Client) error {
				if err := fn(c, cmd.Context(), args[0]); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "schedule %s: %sd\n", args[0], verb)
				return nil
			})
		},
	}
}

// describeSpec renders a schedule's timetable for people, e.g.
// "sec 0, min 0, hour 22, day 1-31, month 1-12, weekday 0-6 (Europe/Budapest)".
func describeSpec(spec *client.ScheduleSpec) string {
	if spec == nil {
		return ""
	}
	var parts []string
	for _, c := range spec.Calendars {
		parts = append(parts, fmt.Sprintf("sec %s, min %s, hour %s, day %s, month %s, weekday %s",
			ranges(c.Second), ranges(c.Minute), ranges(c.Hour), ranges(c.DayOfMonth), ranges(c.Month), ranges(c.DayOfWeek)))
	}
	for _, i := range spec.Intervals {
		parts = append(parts, "every "+i.Every.String())
	}
	parts = append(parts, spec.CronExpressions...)
	out := strings.Join(parts, "; ")
	if spec.TimeZoneName != "" {
		out += " (" + spec.TimeZoneName + ")"
	}
	return out
}

func ranges(rs []client.ScheduleRange) string {
	if len(rs) == 0 {
		return "*"
	}
	var out []string
	for _, r := range rs {
		s := fmt.Sprint(r.Start)
		if r.End > r.Start {
			s += fmt.Sprintf("-%d", r.End)
		}
		if r.Step > 1 {
			s += fmt.Sprintf("/%d", r.Step)
		}
		out = append(out, s)
	}
	return strings.Join(out, ",")
}
