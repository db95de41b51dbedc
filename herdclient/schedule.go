package herdclient

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/herdhq/herd/cluster"
	"github.com/robfig/cron/v3"
)

// ScheduleRequest describes a scale schedule: when (a cron expression, an
// interval, or one moment) and what size to scale to.
type ScheduleRequest struct {
	Cluster string
	Request cluster.ScaleRequest
	// AutoscaleMin and AutoscaleMax, when set, make the schedule change
	// the cluster's autoscaling bounds instead of its size.
	AutoscaleMin, AutoscaleMax int
	Cron                       string
	Every                      time.Duration
	At                         string // RFC 3339, fires once
	TimeZone                   string
}

// cronParser reads cron expressions as Temporal does: five fields (an
// optional sixth for seconds first) or a descriptor.
var cronParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Timetable is the Temporal schedule spec the request asks for, and how
// many firings it has (0: unlimited).
func (r ScheduleRequest) Timetable() (client.ScheduleSpec, int, error) {
	set := 0
	for _, b := range []bool{r.Cron != "", r.Every > 0, r.At != ""} {
		if b {
			set++
		}
	}
	if set != 1 {
		return client.ScheduleSpec{}, 0, errors.New("give exactly one of --cron, --every or --at")
	}
	if r.TimeZone != "" {
		if _, err := time.LoadLocation(r.TimeZone); err != nil {
			return client.ScheduleSpec{}, 0, fmt.Errorf("--timezone %q is not a time zone: use an IANA name such as Europe/Budapest", r.TimeZone)
		}
	}
	spec := client.ScheduleSpec{TimeZoneName: r.TimeZone}
	switch {
	case r.Cron != "":
		if _, err := cronParser.Parse(r.Cron); err != nil {
			return spec, 0, fmt.Errorf("--cron %q: %v; use five fields, e.g. \"0 8 * * MON-FRI\", or @daily, @every 12h", r.Cron, err)
		}
		spec.CronExpressions = []string{r.Cron}
	case r.Every > 0:
		spec.Intervals = []client.ScheduleIntervalSpec{{Every: r.Every}}
	default:
		at, err := time.Parse(time.RFC3339, r.At)
		if err != nil {
			return spec, 0, fmt.Errorf("--at %q: use RFC 3339, e.g. 2026-11-24T08:00:00Z", r.At)
		}
		return once(at.UTC()), 1, nil
	}
	return spec, 0, nil
}

func once(at time.Time) client.ScheduleSpec {
	rng := func(v int) []client.ScheduleRange { return []client.ScheduleRange{{Start: v}} }
	return client.ScheduleSpec{TimeZoneName: "UTC", Calendars: []client.ScheduleCalendarSpec{{
		Second: rng(at.Second()), Minute: rng(at.Minute()), Hour: rng(at.Hour()),
		DayOfMonth: rng(at.Day()), Month: rng(int(at.Month())), Year: rng(at.Year()),
		DayOfWeek: []client.ScheduleRange{{Start: 0, End: 6}},
	}}}
}

// CreateSchedule makes a Temporal Schedule whose every firing scales the
// cluster (overlaps are skipped). The cluster must exist and be alive.
func (c *Client) CreateSchedule(ctx context.Context, id string, r ScheduleRequest) error {
	spec, firings, err := r.Timetable()
	if err != nil {
		return err
	}
	st, err := c.Status(ctx, r.Cluster)
	if err != nil {
		return err
	}
	if st.Phase == cluster.PhaseTerminated || st.Phase == cluster.PhaseFailed {
		return fmt.Errorf("cluster %s is %s: nothing to scale", r.Cluster, st.Phase)
	}
	if r.AutoscaleMax > 0 {
		if err := c.checkBounds(ctx, r); err != nil {
			return err
		}
	}
	_, err = c.T.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID: id, Spec: spec, Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, RemainingActions: firings,
		Memo: map[string]any{"cluster": r.Cluster},
		Action: &client.ScheduleWorkflowAction{
			ID: "scale/" + r.Cluster + "/" + id, Workflow: cluster.WorkflowScale, TaskQueue: cluster.TaskQueue,
			Args: []any{cluster.ScheduledScale{Cluster: r.Cluster, Request: r.Request, AutoscaleMin: r.AutoscaleMin, AutoscaleMax: r.AutoscaleMax, Place: st.Place}},
		},
	})
	if err != nil {
		return fmt.Errorf("create schedule %s: %w", id, err)
	}
	return nil
}

// ScheduleSummary is one scale schedule.
type ScheduleSummary struct {
	ID         string               `json:"id"`
	Paused     bool                 `json:"paused"`
	Next       []time.Time          `json:"next"`
	Recent     []time.Time          `json:"recent"`
	Definition *client.ScheduleSpec `json:"-"`
}

// Schedules lists the scale schedules.
func (c *Client) Schedules(ctx context.Context) ([]ScheduleSummary, error) {
	it, err := c.T.ScheduleClient().List(ctx, client.ScheduleListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list schedules: %w", err)
	}
	var list []ScheduleSummary
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("list schedules: %w", err)
		}
		list = append(list, ScheduleSummary{ID: e.ID, Paused: e.Paused, Next: e.NextActionTimes, Recent: recentTimes(e.RecentActions)})
	}
	return list, nil
}

// DescribeSchedule reads one schedule with its timetable.
func (c *Client) DescribeSchedule(ctx context.Context, id string) (ScheduleSummary, error) {
	d, err := c.T.ScheduleClient().GetHandle(ctx, id).Describe(ctx)
	if err != nil {
		return ScheduleSummary{}, fmt.Errorf("describe schedule %s: %w", id, err)
	}
	return ScheduleSummary{ID: id, Paused: d.Schedule.State.Paused, Next: d.Info.NextActionTimes,
		Recent: recentTimes(d.Info.RecentActions), Definition: d.Schedule.Spec}, nil
}

// PauseSchedule stops a schedule's firings until unpaused.
func (c *Client) PauseSchedule(ctx context.Context, id string) error {
	return c.schedule(ctx, "pause", id, func(h client.ScheduleHandle) error {
		return h.Pause(ctx, client.SchedulePauseOptions{Note: "paused with herd"})
	})
}

// UnpauseSchedule lets a paused schedule fire again.
func (c *Client) UnpauseSchedule(ctx context.Context, id string) error {
	return c.schedule(ctx, "unpause", id, func(h client.ScheduleHandle) error {
		return h.Unpause(ctx, client.ScheduleUnpauseOptions{Note: "unpaused with herd"})
	})
}

// DeleteSchedule removes a schedule.
func (c *Client) DeleteSchedule(ctx context.Context, id string) error {
	return c.schedule(ctx, "delete", id, func(h client.ScheduleHandle) error { return h.Delete(ctx) })
}

func (c *Client) schedule(ctx context.Context, verb, id string, fn func(client.ScheduleHandle) error) error {
	if err := fn(c.T.ScheduleClient().GetHandle(ctx, id)); err != nil {
		return fmt.Errorf("%s schedule %s: %w", verb, id, err)
	}
	return nil
}

func recentTimes(actions []client.ScheduleActionResult) []time.Time {
	var out []time.Time
	for _, a := range actions {
		out = append(out, a.ActualTime)
	}
	return out
}

// checkBounds: the cluster has autoscaling, and the bounds fit its host
// group.
func (c *Client) checkBounds(ctx context.Context, r ScheduleRequest) error {
	as, err := c.Autoscale(ctx, r.Cluster)
	if err != nil {
		return err
	}
	spec, err := c.SpecOf(ctx, r.Cluster)
	if err != nil {
		return err
	}
	min, max, err := spec.GroupLimits(as.Policy.HostGroup)
	if err != nil {
		return err
	}
	p := as.Policy
	p.Min, p.Max = r.AutoscaleMin, r.AutoscaleMax
	return p.Validate(min, max)
}
