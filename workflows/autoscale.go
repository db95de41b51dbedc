package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/herdhq/herd/activities"
	"github.com/herdhq/herd/autoscale"
	"github.com/herdhq/herd/cluster"
)

// autoscaleContinueAfter bounds one run's history: evaluations before the
// workflow continues as new, carrying its policy and state.
const autoscaleContinueAfter = 400

// AutoscaleWorkflow sizes a cluster's host group on load, for as long as
// the cluster lives: every interval it observes the cluster (an activity),
// evaluates the policy's rules, and asks for a scale through the cluster's
// own scale update (and its validator). Every decision is kept (query
// "autoscale"), shown in the UI and counted.
func AutoscaleWorkflow(ctx workflow.Context, in autoscale.Input) error {
	s := &autoscaler{policy: in.Policy, state: in.State, place: in.Place}
	if err := s.register(ctx); err != nil {
		return err
	}
	s.alertsOn = workflow.GetVersion(ctx, "autoscale-alerts", workflow.DefaultVersion, 1) == 1
	for i := 0; i < autoscaleContinueAfter && !workflow.GetInfo(ctx).GetContinueAsNewSuggested(); i++ {
		if err := workflow.Await(ctx, func() bool { return s.policy.Enabled }); err != nil {
			return err
		}
		s.changed = false
		if _, err := workflow.AwaitWithTimeout(ctx, s.policy.Interval, func() bool { return s.changed }); err != nil {
			return err
		}
		if s.changed || !s.policy.Enabled {
			continue // a new policy starts its clock again
		}
		if gone := s.evaluate(ctx); gone {
			return nil // the cluster was terminated
		}
	}
	_ = workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
	return workflow.NewContinueAsNewError(ctx, AutoscaleWorkflow, autoscale.Input{Policy: s.policy, State: s.state, Place: s.place})
}

type autoscaler struct {
	policy  autoscale.Policy
	state   autoscale.State
	place   string // the cluster's, where its activities run
	changed bool
	// alertsOn is set when this run raises alerts (runs recorded before
	// herd did replay without them).
	alertsOn bool
}

func (s *autoscaler) register(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, autoscale.QueryStatus, func() (autoscale.Status, error) {
		return autoscale.Status{Policy: s.policy, State: s.state, HistoryLength: workflow.GetInfo(ctx).GetCurrentHistoryLength()}, nil
	}); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, autoscale.UpdatePolicy,
		func(ctx workflow.Context, p autoscale.Policy) (autoscale.Policy, error) {
			s.policy, s.changed = p, true
			s.state.BreachSince = nil
			s.details(ctx)
			return p, nil
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, p autoscale.Policy) error {
			if p.Cluster != s.policy.Cluster {
				return refused("policy for cluster %s sent to the autoscaler of %s", p.Cluster, s.policy.Cluster)
			}
			// the host group's own bounds are checked by the client against
			// the cluster's spec, and again by the cluster's scale validator
			if err := p.Validate(p.Min, p.Max); err != nil {
				return refused("%v", err)
			}
			return nil
		}})
}

// evaluate observes the cluster, runs the rules and acts on a decision; it
// reports whether the cluster is gone.
func (s *autoscaler) evaluate(ctx workflow.Context) bool {
	p := s.policy
	ao := shortStep(time.Minute)
	ao.RetryPolicy.MaximumAttempts = 3
	ao.Summary = fmt.Sprintf("read %s: size of %s, YARN queue metrics", p.Cluster, p.HostGroup)
	ao.TaskQueue = cluster.ActivityQueue(s.place)
	var obs autoscale.Observation
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, ao), a.ObserveCluster,
		activities.ObserveInput{Cluster: p.Cluster, HostGroup: p.HostGroup}).Get(ctx, &obs)
	now := workflow.Now(ctx)
	if err != nil {
		s.decide(ctx, autoscale.Decision{At: now, Action: "hold", Reason: "no-metrics", Error: failureText(err)})
		return false
	}
	if obs.Gone {
		return true
	}
	d := autoscale.Evaluate(p, &s.state, obs, now)
	if d == nil {
		return false
	}
	if d.Action == "scale" {
		d.Error = s.scale(ctx, d.To)
		if d.Error != "" {
			d.Reason = "failed"
		}
	}
	s.decide(ctx, *d)
	return false
}

// scale asks the cluster's workflow for the new size; the update's id is
// the evaluation's, so a retried request is the same request.
func (s *autoscaler) scale(ctx workflow.Context, to int) string {
	info := workflow.GetInfo(ctx)
	ao := shortStep(time.Hour)
	ao.RetryPolicy.MaximumAttempts = 3
	ao.Summary = fmt.Sprintf("autoscale %s/%s to %d nodes", s.policy.Cluster, s.policy.HostGroup, to)
	ao.TaskQueue = cluster.ActivityQueue(s.place)
	var outcome string
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, ao), a.RequestScale, activities.ScaleInput{
		Cluster: s.policy.Cluster, Request: cluster.ScaleRequest{HostGroup: s.policy.HostGroup, Count: to},
		UpdateID: fmt.Sprintf("%s/%s/%d", info.WorkflowExecution.ID, info.WorkflowExecution.RunID, s.state.Evaluations),
	}).Get(ctx, &outcome)
	if err != nil {
		return failureText(err)
	}
	return ""
}

// decide records a decision, counts it and shows it.
func (s *autoscaler) decide(ctx workflow.Context, d autoscale.Decision) {
	if !s.state.Record(d) {
		return
	}
	workflow.GetMetricsHandler(ctx).WithTags(map[string]string{"cluster": s.policy.Cluster, "action": d.Action, "reason": d.Reason}).
		Counter("herd_autoscale_decisions_total").Inc(1)
	s.details(ctx)
	if d.Reason == "at-max" && s.alertsOn {
		p := s.policy
		startDelivery(ctx, cluster.DeliverInput{Place: s.place, Alert: cluster.NewAlert(workflow.Now(ctx), p.Cluster, "", cluster.AlertAutoscaleMax,
			cluster.SeverityWarning, fmt.Sprintf("autoscaling of %s/%s is held at its maximum of %d nodes: %s", p.Cluster, p.HostGroup, p.Max, d.Rule))})
	}
}

// details shows the policy and the latest decision in the Temporal UI.
func (s *autoscaler) details(ctx workflow.Context) {
	p := s.policy
	text := fmt.Sprintf("**autoscale %s/%s** %d..%d, cooldown %s, enabled %t\n", p.Cluster, p.HostGroup, p.Min, p.Max, p.Cooldown, p.Enabled)
	for _, r := range p.Rules {
		text += "- " + r.String() + "\n"
	}
	if n := len(s.state.Decisions); n > 0 {
		d := s.state.Decisions[n-1]
		text += fmt.Sprintf("\nlast decision %s: %s (%s) %d → %d %s", d.At.Format(time.RFC3339), d.Action, d.Reason, d.From, d.To, d.Rule)
	}
	workflow.SetCurrentDetails(ctx, text)
}

// failureText is an activity error's own message (the cause, not the
// activity's wrapping).
func failureText(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Message()
	}
	return err.Error()
}
