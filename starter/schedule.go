package starter

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/workflows"
)

// ScheduleFlags describe a scale schedule: when (a cron expression, an
// interval, or one moment) and what size to scale to.
type ScheduleFlags struct {
	Cluster  string
	Request  cluster.ScaleRequest
	Cron     string
	Every    time.Duration
	At       string // RFC 3339, fires once
	TimeZone string
}

func (f ScheduleFlags) spec() (client.ScheduleSpec, int, error) {
	set := 0
	for _, b := range []bool{f.Cron != "", f.Every > 0, f.At != ""} {
		if b {
			set++
		}
	}
	if set != 1 {
		return client.ScheduleSpec{}, 0, errors.New("give exactly one of --cron, --every or --at")
	}
	spec := client.ScheduleSpec{TimeZoneName: f.TimeZone}
	switch {
	case f.Cron != "":
		spec.CronExpressions = []string{f.Cron}
	case f.Every > 0:
		spec.Intervals = []client.ScheduleIntervalSpec{{Every: f.Every}}
	default:
		at, err := time.Parse(time.RFC3339, f.At)
		if err != nil {
			return spec, 0, fmt.Errorf("--at %q: use RFC 3339, e.g. 2026-11-24T08:00:00Z", f.At)
		}
		at = at.UTC()
		spec.TimeZoneName = "UTC"
		spec.Calendars = []client.ScheduleCalendarSpec{{
			Second: rng(at.Second()), Minute: rng(at.Minute()), Hour: rng(at.Hour()),
			DayOfMonth: rng(at.Day()), Month: rng(int(at.Month())), Year: rng(at.Year()),
			DayOfWeek: []client.ScheduleRange{{Start: 0, End: 6}},
		}}
		return spec, 1, nil
	}
	return spec, 0, nil
}

func rng(v int) []client.ScheduleRange { return []client.ScheduleRange{{Start: v}} }

// CreateSchedule makes a Temporal Schedule whose every firing scales the
// cluster (overlaps are skipped). The cluster and host group must exist.
func CreateSchedule(ctx context.Context, c client.Client, id string, f ScheduleFlags) error {
	spec, once, err := f.spec()
	if err != nil {
		return err
	}
	st, err := QueryStatus(ctx, c, f.Cluster)
	if err != nil {
		return err
	}
	if st.Phase == workflows.PhaseTerminated || st.Phase == workflows.PhaseFailed {
		return fmt.Errorf("cluster %s is %s: nothing to scale", f.Cluster, st.Phase)
	}
	_, err = c.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID: id, Spec: spec, Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, RemainingActions: once,
		Memo: map[string]any{"cluster": f.Cluster},
		Action: &client.ScheduleWorkflowAction{
			ID: "scale/" + f.Cluster + "/" + id, Workflow: workflows.ScaleWorkflow, TaskQueue: workflows.TaskQueue,
			Args: []any{workflows.ScheduledScale{Cluster: f.Cluster, Request: f.Request}},
		},
	})
	if err != nil {
		return fmt.Errorf("create schedule %s: %w", id, err)
	}
	return nil
}

func (app *App) scheduleCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "schedule", Short: "scale clusters on a timetable (Temporal Schedules)"}
	cmd.AddCommand(app.scheduleCreate(), app.scheduleList(), app.scheduleDescribe(),
		app.scheduleSimple("pause", func(ctx context.Context, h client.ScheduleHandle) error {
			return h.Pause(ctx, client.SchedulePauseOptions{Note: "paused with herd"})
		}),
		app.scheduleSimple("unpause", func(ctx context.Context, h client.ScheduleHandle) error {
			return h.Unpause(ctx, client.ScheduleUnpauseOptions{Note: "unpaused with herd"})
		}),
		app.scheduleSimple("delete", func(ctx context.Context, h client.ScheduleHandle) error { return h.Delete(ctx) }))
	return cmd
}

func (app *App) scheduleCreate() *cobra.Command {
	var f ScheduleFlags
	cmd := &cobra.Command{
		Use: "create NAME", Short: "scale a host group to a size on a timetable", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return app.withClient(func(c client.Client) error {
				if err := CreateSchedule(cmd.Context(), c, args[0], f); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "schedule %s created: scale %s/%s to %d\n", args[0], f.Cluster, f.Request.HostGroup, f.Request.Count)
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
	_ = cmd.MarkFlagRequired("cluster")
	_ = cmd.MarkFlagRequired("nodes")
	return cmd
}

// ScheduleSummary is one row of `herd schedule list`.
type ScheduleSummary struct {
	ID         string      `json:"id"`
	Paused     bool        `json:"paused"`
	Next       []time.Time `json:"next"`
	Recent     []time.Time `json:"recent"`
	Definition string      `json:"definition"`
}

func (app *App) scheduleList() *cobra.Command {
	return &cobra.Command{
		Use: "list", Short: "list scale schedules", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return app.withClient(func(c client.Client) error {
				it, err := c.ScheduleClient().List(cmd.Context(), client.ScheduleListOptions{})
				if err != nil {
					return fmt.Errorf("list schedules: %w", err)
				}
				var list []ScheduleSummary
				for it.HasNext() {
					e, err := it.Next()
					if err != nil {
						return fmt.Errorf("list schedules: %w", err)
					}
					list = append(list, ScheduleSummary{ID: e.ID, Paused: e.Paused, Next: e.NextActionTimes, Recent: recentTimes(e.RecentActions)})
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

func recentTimes(actions []client.ScheduleActionResult) []time.Time {
	var out []time.Time
	for _, a := range actions {
		out = append(out, a.ActualTime)
	}
	return out
}

func (app *App) scheduleDescribe() *cobra.Command {
	return &cobra.Command{
		Use: "describe NAME", Short: "show a schedule's timetable and recent firings", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return app.withClient(func(c client.Client) error {
				d, err := c.ScheduleClient().GetHandle(cmd.Context(), args[0]).Describe(cmd.Context())
				if err != nil {
					return fmt.Errorf("describe schedule %s: %w", args[0], err)
				}
				s := ScheduleSummary{ID: args[0], Paused: d.Schedule.State.Paused, Next: d.Info.NextActionTimes,
					Recent: recentTimes(d.Info.RecentActions), Definition: describeSpec(d.Schedule.Spec)}
				return app.print(cmd.OutOrStdout(), s, func() {
					fmt.Fprintf(cmd.OutOrStdout(), "schedule %s\npaused: %v\nspec: %s\nnext: %v\nrecent: %v\n", s.ID, s.Paused, s.Definition, s.Next, s.Recent)
				})
			})
		},
	}
}

func (app *App) scheduleSimple(verb string, fn func(context.Context, client.ScheduleHandle) error) *cobra.Command {
	return &cobra.Command{
		Use: verb + " NAME", Short: verb + " a schedule", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return app.withClient(func(c client.Client) error {
				if err := fn(cmd.Context(), c.ScheduleClient().GetHandle(cmd.Context(), args[0])); err != nil {
					return fmt.Errorf("%s schedule %s: %w", verb, args[0], err)
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
