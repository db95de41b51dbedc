package workflows

import (
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/herdhq/herd/cluster"
)

// ClusterInput starts a cluster workflow, or continues one (State set).
type ClusterInput struct {
	Spec  cluster.Spec  `json:"spec"`
	State *ClusterState `json:"state,omitempty"`
	// ContinueAfterOps is how many operations a run handles before it
	// continues as new (500 by default; Temporal may suggest it earlier).
	ContinueAfterOps int `json:"continue_after_ops,omitempty"`
}

// OpResult is what an operation (an update) answers.
type OpResult struct {
	Operation string `json:"operation"`
	Phase     string `json:"phase"`
	Nodes     int    `json:"nodes"`
	RequestID int64  `json:"request_id,omitempty"`
}

// clusterRun is one run of a cluster workflow.
type clusterRun struct {
	runner
	state ClusterState
	busy  bool
}

// ClusterWorkflow is a cluster's whole life: it provisions the cluster,
// then holds its state and serves operations (scale, stop, start,
// terminate) as Temporal updates, one at a time, until it is terminated.
func ClusterWorkflow(ctx workflow.Context, in ClusterInput) error {
	c := &clusterRun{}
	c.st = &c.state
	if in.State != nil {
		c.state = *in.State
		c.state.Ops = 0
	} else {
		if err := in.Spec.Validate(); err != nil {
			return temporal.NewNonRetryableApplicationError(err.Error(), "InvalidSpec", nil)
		}
		c.state = ClusterState{Spec: in.Spec, Status: Status{Cluster: in.Spec.Name, Provider: in.Spec.Provider}}
	}
	if err := c.register(ctx); err != nil {
		return err
	}
	if in.State == nil {
		err := c.provisionOrCompensate(ctx)
		c.publish(ctx)
		if err != nil {
			return err
		}
	}
	c.publish(ctx)
	limit := in.ContinueAfterOps
	if limit <= 0 {
		limit = 500
	}
	_ = workflow.Await(ctx, func() bool {
		return c.state.Status.Phase == PhaseTerminated ||
			(!c.busy && (c.state.Ops >= limit || workflow.GetInfo(ctx).GetContinueAsNewSuggested()))
	})
	_ = workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
	if c.state.Status.Phase == PhaseTerminated {
		return nil
	}
	next := c.state
	return workflow.NewContinueAsNewError(ctx, ClusterWorkflow, ClusterInput{Spec: next.Spec, State: &next, ContinueAfterOps: in.ContinueAfterOps})
}

// provisionOrCompensate provisions; on failure it removes what was created
// unless the spec says keep-on-failure.
func (c *clusterRun) provisionOrCompensate(ctx workflow.Context) error {
	err := c.provision(ctx)
	if err == nil {
		return nil
	}
	c.state.Status.Phase, c.state.Status.Error = PhaseFailed, FailureMessage(err)
	if !c.state.Spec.KeepOnFailure {
		c.state.Status.Phase = PhaseCompensating
		if rerr := c.release(ctx); rerr != nil {
			c.state.Status.Error += "; compensation failed, resources may remain: " + FailureMessage(rerr)
		}
		c.state.Status.Phase = PhaseFailed
	}
	return err
}

func (c *clusterRun) register(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, StatusQuery, func() (Status, error) { return c.state.Status, nil }); err != nil {
		return err
	}
	handlers := []struct {
		name              string
		handler, validate any
	}{
		{cluster.UpdateScale, c.scale, c.validateScale},
		{cluster.UpdateStop, c.stop, c.validateStop},
		{cluster.UpdateStart, c.start, c.validateStart},
		{cluster.UpdateTerminate, c.terminate, c.validateTerminate},
	}
	for _, h := range handlers {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, h.name, h.handler, workflow.UpdateHandlerOptions{Validator: h.validate}); err != nil {
			return err
		}
	}
	return nil
}

// serial runs one operation at a time: an operation accepted while another
// runs waits its turn, and is checked again before it starts.
func (c *clusterRun) serial(ctx workflow.Context, check func() error, op func(workflow.Context) (OpResult, error)) (OpResult, error) {
	if err := workflow.Await(ctx, func() bool { return !c.busy }); err != nil {
		return OpResult{}, err
	}
	if err := check(); err != nil {
		return OpResult{}, err
	}
	c.busy = true
	defer func() { c.busy = false }()
	c.state.Ops++
	res, err := op(ctx)
	if err != nil {
		c.state.Status.Error = FailureMessage(err)
	}
	c.publish(ctx)
	res.Phase, res.Nodes = c.state.Status.Phase, len(c.state.Nodes)
	return res, err
}

// idle refuses an operation while another runs or the cluster is not in
// one of the phases given.
func (c *clusterRun) idle(phases ...string) error {
	if c.busy {
		return refused("operation %q is running on cluster %s: wait for it to end (herd cluster status %s)",
			c.state.Status.Operation, c.state.Spec.Name, c.state.Spec.Name)
	}
	for _, p := range phases {
		if c.state.Status.Phase == p {
			return nil
		}
	}
	return refused("cluster %s is %s: this needs it %v", c.state.Spec.Name, c.state.Status.Phase, phases)
}

func (c *clusterRun) validateStop(workflow.Context) error  { return c.idle(PhaseReady) }
func (c *clusterRun) validateStart(workflow.Context) error { return c.idle(PhaseStopped) }
func (c *clusterRun) validateTerminate(workflow.Context) error {
	return c.idle(PhaseReady, PhaseStopped, PhaseFailed)
}

func (c *clusterRun) terminate(ctx workflow.Context) (OpResult, error) {
	return c.serial(ctx, func() error { return c.validateTerminate(ctx) }, func(ctx workflow.Context) (OpResult, error) {
		c.state.Status.begin("terminate", PhaseTerminating, []string{StepRelease})
		if err := c.release(ctx); err != nil {
			c.state.Status.Phase = PhaseFailed
			return OpResult{Operation: "terminate"}, err
		}
		c.state.Nodes = nil
		c.state.Status.Nodes = nil
		c.state.Status.Phase = PhaseTerminated
		return OpResult{Operation: "terminate"}, nil
	})
}
