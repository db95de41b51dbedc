package workflows

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/herdhq/herd/activities"
	"github.com/herdhq/herd/autoscale"
	"github.com/herdhq/herd/cluster"
)

// load is a simulated cluster: 40 containers of work from 08:00 to 16:00
// every day, 4 containers a node.
type load struct {
	size   int
	scales []time.Time
}

func (l *load) observe(now time.Time) autoscale.Observation {
	demand := int64(0)
	if h := now.UTC().Hour(); h >= 8 && h < 16 {
		demand = 40
	}
	capacity := int64(l.size) * 4
	running := min(demand, capacity)
	return autoscale.Observation{Size: l.size, Ready: true, Healthy: true, Metrics: autoscale.QueueMetrics{
		PendingContainers: demand - running, AllocatedContainers: running,
		AllocatedMB: running * 1024, AvailableMB: (capacity - running) * 1024}}
}

// Thirty days of evaluations on the SDK's time-skipping test suite: each
// day the load scales the group up until nothing is pending, and back down
// to its minimum after; actions are a cooldown apart, across
// continue-as-new too; each run's history stays far under Temporal's
// limits and the carried state is bounded.
func TestAutoscaleThirtyDays(t *testing.T) {
	rules := []autoscale.Rule{}
	for _, s := range []string{"PendingContainers > 0 for 4m: +2", "AvailableMB > 75% for 10m: -1"} {
		r, err := autoscale.ParseRule(s)
		if err != nil {
			t.Fatal(err)
		}
		rules = append(rules, r)
	}
	in := autoscale.Input{Policy: autoscale.Policy{Cluster: "c1", HostGroup: "slaves", Min: 3, Max: 12,
		Cooldown: 5 * time.Minute, Interval: 2 * time.Minute, Rules: rules, Enabled: true}}
	l := &load{size: 3}
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	now, runs, maxHistory := start, 0, 0
	peaks := map[int]int{}
	lows := map[int]int{}
	for now.Before(start.Add(30 * 24 * time.Hour)) {
		var ts testsuite.WorkflowTestSuite
		env := ts.NewTestWorkflowEnvironment()
		env.RegisterActivity(&activities.Activities{})
		env.SetStartTime(now)
		env.OnActivity(a.ObserveCluster, mock.Anything, mock.Anything).Return(func(_ context.Context, _ activities.ObserveInput) (autoscale.Observation, error) {
			return l.observe(env.Now()), nil
		})
		env.OnActivity(a.RequestScale, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.ScaleInput) (string, error) {
			l.size = in.Request.Count
			l.scales = append(l.scales, env.Now())
			return "ok", nil
		})
		timers, acts := 0, 0
		env.SetOnTimerScheduledListener(func(string, time.Duration) { timers++ })
		env.SetOnActivityStartedListener(func(*activity.Info, context.Context, converter.EncodedValues) { acts++ })
		env.ExecuteWorkflow(AutoscaleWorkflow, in)
		// an upper bound of the run's history: a timer is 2 events, an
		// activity 3, and each workflow task (at most one per timer or
		// activity, and the first) 3 more
		maxHistory = max(maxHistory, 5*timers+6*acts+10)
		var can *workflow.ContinueAsNewError
		if err := env.GetWorkflowError(); !errors.As(err, &can) {
			t.Fatalf("run %d: %v", runs, err)
		}
		if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &in); err != nil {
			t.Fatal(err)
		}
		now = env.Now()
		runs++
		for _, smp := range in.State.Samples {
			day := int(smp.At.Sub(start).Hours() / 24)
			if h := smp.At.Hour(); h == 15 {
				peaks[day] = max(peaks[day], smp.Nodes)
			}
			if h := smp.At.Hour(); h == 7 {
				lows[day] = smp.Nodes
			}
		}
	}
	for i := 1; i < len(l.scales); i++ {
		if gap := l.scales[i].Sub(l.scales[i-1]); gap < in.Policy.Cooldown {
			t.Fatalf("actions at %s and %s: %s apart, cooldown %s", l.scales[i-1], l.scales[i], gap, in.Policy.Cooldown)
		}
	}
	for day := 1; day < 30; day++ {
		if peaks[day] < 10 || lows[day] != 3 {
			t.Errorf("day %d: peak %d nodes (40 containers need 10), %d before the load (min 3)", day, peaks[day], lows[day])
		}
	}
	if runs < 30 || maxHistory == 0 || maxHistory > 51200/5 {
		t.Fatalf("%d runs, longest history %d events (20%% of Temporal's limit is %d)", runs, maxHistory, 51200/5)
	}
	if len(in.State.Decisions) > autoscale.MaxDecisions || len(in.State.Samples) > autoscale.MaxSamples {
		t.Fatalf("carried state must stay bounded: %d decisions, %d samples", len(in.State.Decisions), len(in.State.Samples))
	}
	t.Logf("30 days: %d runs, %d scale actions, longest run %d history events", runs, len(l.scales), maxHistory)
}

// A disabled policy evaluates nothing until enabled; a policy update is
// validated before it is taken.
func TestAutoscalePolicyUpdates(t *testing.T) {
	r, _ := autoscale.ParseRule("PendingContainers > 0: +1")
	p := autoscale.Policy{Cluster: "c1", HostGroup: "slaves", Min: 1, Max: 5, Cooldown: time.Minute, Interval: time.Minute, Rules: []autoscale.Rule{r}}
	var ts testsuite.WorkflowTestSuite
	env := ts.NewTestWorkflowEnvironment()
	env.RegisterActivity(&activities.Activities{})
	observed := 0
	env.OnActivity(a.ObserveCluster, mock.Anything, mock.Anything).Return(func(context.Context, activities.ObserveInput) (autoscale.Observation, error) {
		observed++
		return autoscale.Observation{Size: 1, Ready: true, Healthy: true}, nil
	})
	refusedErr := make(chan error, 1)
	env.RegisterDelayedCallback(func() {
		if observed != 0 {
			t.Errorf("a disabled policy observed %d times", observed)
		}
		bad := p
		bad.Min = 9
		env.UpdateWorkflow(autoscale.UpdatePolicy, "bad", &testsuite.TestUpdateCallback{
			OnReject: func(err error) { refusedErr <- err }, OnAccept: func() {}, OnComplete: func(any, error) {}}, bad)
		on := p
		on.Enabled = true
		env.UpdateWorkflow(autoscale.UpdatePolicy, "on", &testsuite.TestUpdateCallback{
			OnReject: func(err error) { t.Errorf("enable refused: %v", err) }, OnAccept: func() {}, OnComplete: func(any, error) {}}, on)
	}, time.Hour)
	env.RegisterDelayedCallback(func() { env.CancelWorkflow() }, 2*time.Hour)
	env.ExecuteWorkflow(AutoscaleWorkflow, autoscale.Input{Policy: p})
	select {
	case err := <-refusedErr:
		if err == nil || !strings.Contains(err.Error(), "--min 9 is above --max 5") {
			t.Errorf("bad policy: %v", err)
		}
	default:
		t.Error("the bad policy must be refused")
	}
	if observed < 50 || observed > 61 {
		t.Errorf("enabled for an hour at a 1m interval: %d evaluations", observed)
	}
}

// A scheduled firing scales to a size, or with autoscale bounds changes
// them instead; either way through one idempotent activity call.
func TestScheduledFirings(t *testing.T) {
	for _, c := range []struct {
		in   cluster.ScheduledScale
		want string
	}{
		{cluster.ScheduledScale{Cluster: "c1", Request: cluster.ScaleRequest{HostGroup: "slaves", Count: 4}}, "scaled"},
		{cluster.ScheduledScale{Cluster: "c1", AutoscaleMin: 3, AutoscaleMax: 9}, "bounds 3..9"},
	} {
		var ts testsuite.WorkflowTestSuite
		env := ts.NewTestWorkflowEnvironment()
		env.RegisterActivity(&activities.Activities{})
		env.OnActivity(a.RequestScale, mock.Anything, mock.MatchedBy(func(in activities.ScaleInput) bool {
			return in.Request.Count == 4 && in.UpdateID != ""
		})).Return("scaled", nil).Maybe()
		env.OnActivity(a.SetAutoscaleBounds, mock.Anything, mock.MatchedBy(func(in activities.BoundsInput) bool {
			return in.Min == 3 && in.Max == 9 && in.UpdateID != ""
		})).Return("bounds 3..9", nil).Maybe()
		env.ExecuteWorkflow(ScaleWorkflow, c.in)
		var got string
		if err := env.GetWorkflowResult(&got); err != nil || got != c.want {
			t.Errorf("%+v: %q %v, want %q", c.in, got, err, c.want)
		}
	}
}

// Load held at the policy's maximum is one alert, not one per evaluation.
func TestAutoscaleAtMaxIsOneAlert(t *testing.T) {
	r, _ := autoscale.ParseRule("PendingContainers > 0: +1")
	p := autoscale.Policy{Cluster: "c1", HostGroup: "slaves", Min: 1, Max: 2, Cooldown: time.Minute, Interval: time.Minute,
		Rules: []autoscale.Rule{r}, Enabled: true}
	var ts testsuite.WorkflowTestSuite
	env := ts.NewTestWorkflowEnvironment()
	env.RegisterActivity(&activities.Activities{})
	env.RegisterWorkflow(DeliverAlertWorkflow)
	env.OnActivity(a.ObserveCluster, mock.Anything, mock.Anything).Return(func(context.Context, activities.ObserveInput) (autoscale.Observation, error) {
		return autoscale.Observation{Size: 2, Ready: true, Healthy: true, Metrics: autoscale.QueueMetrics{PendingContainers: 5}}, nil
	})
	var alerts []cluster.Alert
	env.OnActivity(a.DeliverAlert, mock.Anything, mock.Anything).Return(func(_ context.Context, in cluster.DeliverInput) (cluster.Delivered, error) {
		alerts = append(alerts, in.Alert)
		return cluster.Delivered{}, nil
	})
	env.RegisterDelayedCallback(func() { env.CancelWorkflow() }, 30*time.Minute)
	env.ExecuteWorkflow(AutoscaleWorkflow, autoscale.Input{Policy: p})
	if len(alerts) != 1 || alerts[0].Kind != cluster.AlertAutoscaleMax || alerts[0].Cluster != "c1" ||
		!strings.Contains(alerts[0].Text, "autoscaling of c1/slaves is held at its maximum of 2 nodes") {
		t.Fatalf("want one autoscale_at_max alert in 30 evaluations, got %+v", alerts)
	}
}
