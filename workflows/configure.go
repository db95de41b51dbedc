package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/herdhq/herd/activities"
	"github.com/herdhq/herd/cluster"
)

// Steps of a configuration change and of a service command.
var (
	ConfigSteps  = []string{StepConfig, StepCommand, StepPollRequest}
	ServiceSteps = []string{StepCommand, StepPollRequest}
)

func (c *clusterRun) validateConfig(_ workflow.Context, req cluster.ConfigRequest) error {
	if err := c.idle(cluster.PhaseReady); err != nil {
		return err
	}
	if err := req.Validate(); err != nil {
		return refused("%v", err)
	}
	return nil
}

// configure makes a new version of a configuration type in Ambari, then
// restarts the components it made stale and follows that request.
func (c *clusterRun) configure(ctx workflow.Context, req cluster.ConfigRequest) (cluster.OpResult, error) {
	check := func() error { return c.validateConfig(ctx, req) }
	return c.serial(ctx, check, func(ctx workflow.Context) (cluster.OpResult, error) {
		res := cluster.OpResult{Operation: "config " + req.Type}
		c.state.Status.Begin(res.Operation, cluster.PhaseReady, ConfigSteps)
		tag := opTag(ctx)
		in := activities.ConfigInput{Cluster: c.state.Spec.Name, AmbariURL: c.state.Server().AmbariURL, Type: req.Type, Tag: tag,
			Set: req.Set, Unset: req.Unset, Note: "herd cluster config set (" + tag + ")"}
		s := step{StepConfig, "write a new version of " + req.Type + " in Ambari", shortStep(2 * time.Minute)}
		out, err := act(ctx, &c.runner, s, a.ChangeConfig, in)
		if err != nil {
			return res, err
		}
		if !out.Changed {
			c.done(StepConfig, "%s already so (version %d)", req.Type, out.Version)
			c.nothingToRun("nothing to restart")
			return res, nil
		}
		c.done(StepConfig, "%s version %d (tag %s)", req.Type, out.Version, tag)
		return res, c.command(ctx, &res, activities.CommandInput{Action: activities.ActionRestartStale,
			Context: "Restart components with stale configs (" + tag + ")"})
	})
}

func (c *clusterRun) validateService(_ workflow.Context, req cluster.ServiceRequest) error {
	if err := c.idle(cluster.PhaseReady); err != nil {
		return err
	}
	if err := req.Validate(c.state.Spec.Blueprint.Services()); err != nil {
		return refused("%v", err)
	}
	return nil
}

// service starts, stops or restarts one service through Ambari and
// follows the request.
func (c *clusterRun) service(ctx workflow.Context, req cluster.ServiceRequest) (cluster.OpResult, error) {
	check := func() error { return c.validateService(ctx, req) }
	return c.serial(ctx, check, func(ctx workflow.Context) (cluster.OpResult, error) {
		res := cluster.OpResult{Operation: req.Action + " " + req.Service}
		c.state.Status.Begin(res.Operation, cluster.PhaseReady, ServiceSteps)
		in := activities.CommandInput{Service: req.Service, Action: req.Action,
			Context: fmt.Sprintf("%s %s (%s)", req.Action, req.Service, opTag(ctx))}
		return res, c.command(ctx, &res, in)
	})
}

// command has Ambari run the request in asks for and follows it.
func (c *clusterRun) command(ctx workflow.Context, res *cluster.OpResult, in activities.CommandInput) error {
	in.Cluster, in.AmbariURL = c.state.Spec.Name, c.state.Server().AmbariURL
	st, _ := c.state.Spec.Blueprint.Stack()
	in.Stack = st.Key()
	what := in.Action + " " + in.Service
	if in.Service == "" {
		what = "restart the components with stale configs"
	}
	id, err := act(ctx, &c.runner, step{StepCommand, what + " through Ambari", waitStep(2 * time.Minute)}, a.ServiceCommand, in)
	if err != nil {
		return err
	}
	if id == 0 {
		c.nothingToRun("nothing to " + what)
		return nil
	}
	c.done(StepCommand, "request %d", id)
	res.RequestID = id
	_, err = c.poll(ctx, id)
	return err
}

func (c *clusterRun) nothingToRun(why string) {
	c.done(StepCommand, "%s", why)
	c.done(StepPollRequest, "no request")
}

// opTag names an operation uniquely and the same on replay: the Ambari
// configuration tag and request context it makes, so that a retried step
// finds what its first try made.
func opTag(ctx workflow.Context) string {
	return fmt.Sprintf("herd-%d", workflow.Now(ctx).UnixMilli())
}
