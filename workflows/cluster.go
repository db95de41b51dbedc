package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/internal/failure"
)

// clusterRun is one run of a cluster workflow.
type clusterRun struct {
	runner
	state cluster.State
	busy  bool
	// healthChanged counts changes of health or repair policy, so that
	// waits on them wake up.
	healthChanged int
	// healthOn is set when this run follows health (runs recorded before
	// herd did replay without it).
	healthOn bool
	// repairFails counts failed auto repairs in a row; retryAt delays the
	// next one.
	repairFails int
	retryAt     time.Time
	// alertsOn is set when this run raises alerts; deliveries counts the
	// alert deliveries not started yet.
	alertsOn   bool
	deliveries int
}

// ClusterWorkflow is a cluster's whole life: it provisions the cluster,
// then holds its state and serves operations (scale, stop, start,
// terminate) as Temporal updates, one at a time, until it is terminated.
func ClusterWorkflow(ctx workflow.Context, in cluster.ClusterInput) error {
	c := &clusterRun{}
	c.st = &c.state
	if in.State != nil {
		c.state = *in.State
		c.state.Ops = 0
	} else {
		if err := validateSpec(ctx, in.Spec); err != nil {
			return err
		}
		c.state = cluster.State{Spec: in.Spec, Status: cluster.Status{Cluster: in.Spec.Name, Provider: in.Spec.Provider, Place: in.Spec.Place}}
	}
	if err := c.register(ctx); err != nil {
		return err
	}
	c.followAlerts(ctx)
	if in.State == nil {
		err := c.provisionOrCompensate(ctx)
		c.publish(ctx)
		if err != nil {
			return err
		}
	}
	c.publish(ctx)
	c.followHealth(ctx)
	limit := in.ContinueAfterOps
	if limit <= 0 {
		limit = 500
	}
	_ = workflow.Await(ctx, func() bool {
		return c.state.Status.Phase == cluster.PhaseTerminated ||
			(!c.busy && (c.state.Ops >= limit || workflow.GetInfo(ctx).GetContinueAsNewSuggested()))
	})
	_ = workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
	if c.state.Status.Phase == cluster.PhaseTerminated {
		return nil
	}
	c.drainHealth(ctx)
	_ = workflow.Await(ctx, func() bool { return c.deliveries == 0 }) // alerts the drain raised
	next := c.state
	return workflow.NewContinueAsNewError(ctx, ClusterWorkflow, cluster.ClusterInput{Spec: next.Spec, State: &next, ContinueAfterOps: in.ContinueAfterOps})
}

// provisionOrCompensate provisions; on failure it removes what was created
// unless the spec says keep-on-failure.
func (c *clusterRun) provisionOrCompensate(ctx workflow.Context) error {
	err := c.provision(ctx)
	if err == nil {
		return nil
	}
	c.state.Status.Phase, c.state.Status.Error = cluster.PhaseFailed, failure.Message(err)
	c.alert(ctx, "", cluster.AlertOpFailed, cluster.SeverityCritical, fmt.Sprintf("provisioning of cluster %s failed: %s", c.state.Spec.Name, c.state.Status.Error))
	if !c.state.Spec.KeepOnFailure {
		c.state.Status.Phase = cluster.PhaseCompensating
		if rerr := c.release(ctx); rerr != nil {
			c.state.Status.Error += "; compensation failed, resources may remain: " + failure.Message(rerr)
		}
		c.state.Status.Phase = cluster.PhaseFailed
	}
	return err
}

func (c *clusterRun) register(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, cluster.QueryStatus, func() (cluster.Status, error) { return c.state.Status, nil }); err != nil {
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
		{cluster.UpdateRepair, c.repair, c.validateRepair},
		{cluster.UpdatePolicy, c.setPolicy, c.validatePolicy},
		{cluster.UpdateConfig, c.configure, c.validateConfig},
		{cluster.UpdateService, c.service, c.validateService},
		{cluster.UpdateAwaitProvisioned, c.awaitProvisioned, c.validateAwaitProvisioned},
	}
	for _, h := range handlers {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, h.name, h.handler, workflow.UpdateHandlerOptions{Validator: h.validate}); err != nil {
			return err
		}
	}
	return nil
}

// provisioning reports whether the cluster is still being provisioned (or
// released after a failed provisioning); no phase yet is a provisioning
// about to begin.
func (c *clusterRun) provisioning() bool {
	p := c.state.Status.Phase
	return p == "" || p.Provisioning()
}

// awaitProvisioned answers with the status once provisioning ended.
func (c *clusterRun) awaitProvisioned(ctx workflow.Context) (cluster.Status, error) {
	err := workflow.Await(ctx, func() bool { return !c.provisioning() })
	return c.state.Status, err
}

func (c *clusterRun) validateAwaitProvisioned(workflow.Context) error {
	if !c.provisioning() {
		return fmt.Errorf("cluster %s is not being provisioned (phase %s)", c.state.Spec.Name, c.state.Status.Phase)
	}
	return nil
}

// serial runs one operation at a time: an operation accepted while another
// runs waits its turn, and is checked again before it starts.
func (c *clusterRun) serial(ctx workflow.Context, check func() error, op func(workflow.Context) (cluster.OpResult, error)) (cluster.OpResult, error) {
	if err := workflow.Await(ctx, func() bool { return !c.busy }); err != nil {
		return cluster.OpResult{}, err
	}
	if err := check(); err != nil {
		return cluster.OpResult{}, err
	}
	c.busy = true
	defer func() { c.busy = false }()
	c.state.Ops++
	res, err := op(ctx)
	if err != nil {
		c.state.Status.Error = failure.Message(err)
		c.alert(ctx, "", cluster.AlertOpFailed, cluster.SeverityCritical, fmt.Sprintf("%s of cluster %s failed: %s", c.state.Status.Operation, c.state.Spec.Name, c.state.Status.Error))
	}
	c.publish(ctx)
	res.Phase, res.Nodes = c.state.Status.Phase, len(c.state.Nodes)
	return res, err
}

// idle refuses an operation while another runs or the cluster is not in
// one of the phases given.
func (c *clusterRun) idle(phases ...cluster.Phase) error {
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

func (c *clusterRun) validateStop(workflow.Context) error  { return c.idle(cluster.PhaseReady) }
func (c *clusterRun) validateStart(workflow.Context) error { return c.idle(cluster.PhaseStopped) }
func (c *clusterRun) validateTerminate(workflow.Context) error {
	return c.idle(cluster.PhaseReady, cluster.PhaseStopped, cluster.PhaseFailed)
}

func (c *clusterRun) terminate(ctx workflow.Context) (cluster.OpResult, error) {
	return c.serial(ctx, func() error { return c.validateTerminate(ctx) }, func(ctx workflow.Context) (cluster.OpResult, error) {
		c.state.Status.Begin("terminate", cluster.PhaseTerminating, []string{StepRelease})
		if err := c.release(ctx); err != nil {
			c.state.Status.Phase = cluster.PhaseFailed
			return cluster.OpResult{Operation: "terminate"}, err
		}
		c.state.Nodes = nil
		c.state.Status.Nodes = nil
		c.state.Status.Phase = cluster.PhaseTerminated
		return cluster.OpResult{Operation: "terminate"}, nil
	})
}

// followHealth starts following the cluster's health: the watch, the
// handling of what it reports, and auto repair. Histories recorded before
// herd followed health replay without it.
func (c *clusterRun) followHealth(ctx workflow.Context) {
	if workflow.GetVersion(ctx, "health-watch", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	c.healthOn = true
	if c.state.Status.Repair.Mode == "" {
		c.state.Status.Repair = c.state.Spec.Repair.WithDefaults()
	}
	var fresh []cluster.Node
	for _, n := range c.state.Status.Nodes {
		if n.Health == "" {
			fresh = append(fresh, n.Node)
		}
	}
	c.markAlive(ctx, fresh)
	c.publish(ctx)
	workflow.Go(ctx, c.receiveHealth)
	workflow.Go(ctx, c.watchHealth)
	workflow.Go(ctx, c.autoRepair)
}

// validateSpec refuses a spec the client should have refused. A cluster
// started before herd followed Ambari's own stack definitions (no version
// marker) was validated by the rules of its day: it is not judged again on
// replay, where newer rules could refuse what was accepted then.
func validateSpec(ctx workflow.Context, spec cluster.Spec) error {
	if workflow.GetVersion(ctx, "ambari-stacks", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return nil
	}
	if err := spec.Validate(); err != nil {
		return temporal.NewNonRetryableApplicationError(err.Error(), "InvalidSpec", nil)
	}
	return nil
}
