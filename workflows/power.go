package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/herdhq/herd/activities"
	"github.com/herdhq/herd/cluster"
)

// Steps of stopping and starting a cluster.
var (
	StopSteps  = []string{StepServices, StepPollRequest, StepStopNodes}
	StartSteps = []string{StepServer, StepAgents, StepQuorum, StepServices, StepPollRequest}
)

// stop stops every service through Ambari, then the containers.
func (c *clusterRun) stop(ctx workflow.Context) (cluster.OpResult, error) {
	return c.serial(ctx, func() error { return c.validateStop(ctx) }, func(ctx workflow.Context) (cluster.OpResult, error) {
		res := cluster.OpResult{Operation: "stop"}
		c.state.Status.Begin("stop", cluster.PhaseStopping, StopSteps)
		if err := c.services(ctx, "INSTALLED"); err != nil {
			c.state.Status.Phase = cluster.PhaseReady
			return res, err
		}
		agentsFirst := append(c.state.NodeList()[1:], c.state.Server().Node)
		s := step{StepStopNodes, fmt.Sprintf("stop %d nodes%s, agents first", len(agentsFirst), c.on()), shortStep(5 * time.Minute)}
		if err := actErr(ctx, &c.runner, s, a.StopNodes, c.nodesInput(agentsFirst)); err != nil {
			c.state.Status.Phase = cluster.PhaseReady
			return res, err
		}
		c.done(StepStopNodes, "%d nodes stopped", len(agentsFirst))
		for _, n := range c.state.Nodes {
			c.state.Status.SetNode(n.Node, "", cluster.NodeStopped)
		}
		c.state.Status.Phase = cluster.PhaseStopped
		return res, nil
	})
}

// start starts the server (it may come back with a new IP), then the agents
// joining it, waits for quorum and starts every service.
func (c *clusterRun) start(ctx workflow.Context) (cluster.OpResult, error) {
	return c.serial(ctx, func() error { return c.validateStart(ctx) }, func(ctx workflow.Context) (cluster.OpResult, error) {
		c.state.Status.Begin("start", cluster.PhaseStarting, StartSteps)
		if err := c.powerOn(ctx); err != nil {
			c.state.Status.Phase = cluster.PhaseStopped
			return cluster.OpResult{Operation: "start"}, err
		}
		c.state.Status.Phase = cluster.PhaseReady
		c.markAlive(ctx, c.state.NodeList())
		return cluster.OpResult{Operation: "start", RequestID: c.state.Status.RequestID}, nil
	})
}

func (c *clusterRun) powerOn(ctx workflow.Context) error {
	server := c.state.Server().Node
	if err := c.startServer(ctx, server, c.instanceOf(server)); err != nil {
		return err
	}
	agents := c.state.NodeList()[1:]
	started, err := c.startAgents(ctx, agents, c.instancesOf(agents), c.state.Server().IP)
	if err != nil {
		return err
	}
	c.state.Nodes = append(c.state.Nodes[:1], started...)
	if err := c.quorum(ctx, c.state.NodeList()); err != nil {
		return err
	}
	return c.services(ctx, "STARTED")
}

func (c *clusterRun) instancesOf(nodes []cluster.Node) []cluster.Instance {
	out := make([]cluster.Instance, len(nodes))
	for i, n := range nodes {
		out[i] = c.instanceOf(n)
	}
	return out
}

func (c *clusterRun) instanceOf(n cluster.Node) cluster.Instance {
	for _, i := range c.state.Instances {
		if i.Index == n.Index {
			return i
		}
	}
	return cluster.Instance{}
}

// services asks Ambari for every service in state and follows the request.
func (c *clusterRun) services(ctx workflow.Context, state string) error {
	in := activities.ServicesInput{Cluster: c.state.Spec.Name, AmbariURL: c.state.Server().AmbariURL, State: state}
	id, err := act(ctx, &c.runner, step{StepServices, "set every Ambari service to " + state, waitStep(5 * time.Minute)}, a.SetServicesState, in)
	if err != nil {
		return err
	}
	if id == 0 {
		c.done(StepServices, "services already %s", state)
		c.done(StepPollRequest, "nothing to do")
		return nil
	}
	c.done(StepServices, "%s requested (request %d)", state, id)
	_, err = c.poll(ctx, id)
	return err
}
