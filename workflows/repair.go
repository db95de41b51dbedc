package workflows

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/herdhq/herd/cluster"
)

// Steps of a repair: dead hosts leave Ambari, their containers (or
// instances) go, replacements with the same names start — the server
// first, joining an alive agent, its Ambari state on its volume — join
// Serf, and Ambari installs the agents' host groups again.
var RepairSteps = []string{StepRemoveHosts, StepRemoveNodes, StepAllocate, StepCloudInit, StepServer, StepAgents, StepQuorum, StepAddHosts, StepPollRequest}

func (c *clusterRun) validateRepair(_ workflow.Context, req cluster.RepairRequest) error {
	if err := c.idle(cluster.PhaseReady); err != nil {
		return err
	}
	_, err := c.repairTargets(req)
	return err
}

// repairTargets are the nodes a request names (any health: a person may
// replace a node herd thinks is fine), or every node that is down.
func (c *clusterRun) repairTargets(req cluster.RepairRequest) ([]cluster.Node, error) {
	if len(req.Nodes) == 0 {
		down := c.down()
		if len(down) == 0 {
			return nil, refused("every node of cluster %s is alive: nothing to repair (name one with --node to replace it anyway)", c.state.Spec.Name)
		}
		return down, nil
	}
	var out []cluster.Node
	for _, n := range c.state.NodeList() {
		if slices.Contains(req.Nodes, n.Name) || slices.Contains(req.Nodes, n.FQDN) {
			out = append(out, n)
		}
	}
	if len(out) != len(req.Nodes) {
		return nil, refused("cluster %s has no node %s (it has: %s)", c.state.Spec.Name, strings.Join(req.Nodes, ", "), strings.Join(nodeNames(c.state.NodeList()), ", "))
	}
	return out, nil
}

// repair is the repair operation, asked for by a person or by auto repair.
func (c *clusterRun) repair(ctx workflow.Context, req cluster.RepairRequest) (cluster.OpResult, error) {
	check := func() error { return c.validateRepair(ctx, req) }
	return c.serial(ctx, check, func(ctx workflow.Context) (cluster.OpResult, error) {
		nodes, _ := c.repairTargets(req)
		nodes = c.offSpot(nodes)
		op := "repair " + strings.Join(nodeNames(nodes), ", ")
		c.state.Status.Begin(op, cluster.PhaseRepairing, RepairSteps)
		c.refreshHealth()
		err := c.replace(ctx, nodes)
		workflow.GetMetricsHandler(ctx).WithTags(map[string]string{"cluster": c.state.Spec.Name, "ok": fmt.Sprint(err == nil)}).
			Counter("herd_repairs_total").Inc(1)
		if err == nil {
			c.state.Status.Repairs++
			c.markAlive(ctx, nodes) // while repairing: their alerts say repaired
		}
		c.state.Status.Phase = cluster.PhaseReady
		c.refreshHealth()
		return cluster.OpResult{Operation: op, RequestID: c.state.Status.RequestID}, err
	})
}

// replace removes the nodes and starts them again with the same names.
func (c *clusterRun) replace(ctx workflow.Context, nodes []cluster.Node) error {
	server, agents := splitServer(nodes)
	if err := c.dropFromAmbari(ctx, agents, server != nil); err != nil {
		return err
	}
	s := step{StepRemoveNodes, "remove dead " + strings.Join(nodeNames(nodes), ", ") + c.on(), shortStep(5 * time.Minute)}
	if _, err := act(ctx, &c.runner, s, a.RemoveNodes, c.nodesInput(nodes)); err != nil {
		return err
	}
	inst, err := c.allocate(ctx, nodes)
	if err != nil {
		return err
	}
	if err := c.cloudInit(ctx, nodes, inst); err != nil {
		return err
	}
	c.setInstances(inst)
	if err := c.replaceServer(ctx, server); err != nil {
		return err
	}
	return c.replaceAgents(ctx, agents)
}

// dropFromAmbari deletes the dead agents' hosts from the cluster in
// Ambari, when its server is up to be asked.
func (c *clusterRun) dropFromAmbari(ctx workflow.Context, agents []cluster.Node, serverDown bool) error {
	if serverDown || len(agents) == 0 {
		c.done(StepRemoveHosts, "nothing to remove")
		return nil
	}
	s := step{StepRemoveHosts, "remove dead hosts " + strings.Join(nodeNames(agents), ", ") + " from Ambari", waitStep(10 * time.Minute)}
	if err := actErr(ctx, &c.runner, s, a.RemoveAmbariHosts, c.hostsInput(agents)); err != nil {
		return err
	}
	c.done(StepRemoveHosts, "%d hosts", len(agents))
	return nil
}

// replaceServer starts the server again, joining an alive agent (the
// cluster goes on without it), with its Ambari state on its volume.
func (c *clusterRun) replaceServer(ctx workflow.Context, server *cluster.Node) error {
	if server == nil {
		c.done(StepServer, "server is alive")
		return nil
	}
	join := ""
	for _, n := range c.state.Nodes[1:] {
		if h := c.healthOf(n.Name); !h.Down() {
			join = n.IP
			break
		}
	}
	return c.startServerJoining(ctx, *server, c.instanceOf(*server), join)
}

// replaceAgents starts the agents again, joining the server, waits for
// every node in Serf and has Ambari install the agents' host groups again.
func (c *clusterRun) replaceAgents(ctx workflow.Context, agents []cluster.Node) error {
	started, err := c.startAgents(ctx, agents, c.instancesOf(agents), c.state.Server().IP)
	if err != nil {
		return err
	}
	c.setNodes(started)
	if err := c.quorum(ctx, c.state.NodeList()); err != nil {
		return err
	}
	// Every node (the agents replaced, or all after a new server) is
	// registered again; hosts already in the cluster are skipped.
	s := step{StepAddHosts, "add " + strings.Join(nodeNames(agents), ", ") + " to Ambari again", waitStep(5 * time.Minute)}
	id, err := act(ctx, &c.runner, s, a.AddAmbariHosts, c.hostsInput(c.state.NodeList()))
	if err != nil {
		return err
	}
	c.done(StepAddHosts, "%d hosts, request %d", len(agents), id)
	_, err = c.poll(ctx, id)
	return err
}

// offSpot marks the interrupted nodes on-demand, in the state too: a spot
// node told to go is replaced on an on-demand instance, for good.
func (c *clusterRun) offSpot(nodes []cluster.Node) []cluster.Node {
	for i := range nodes {
		if c.healthOf(nodes[i].Name) != cluster.NodeInterrupted {
			continue
		}
		nodes[i].OnDemand = true
		for j := range c.state.Nodes {
			if c.state.Nodes[j].Name == nodes[i].Name {
				c.state.Nodes[j].OnDemand = true
			}
		}
		for j := range c.state.Status.Nodes {
			if c.state.Status.Nodes[j].Name == nodes[i].Name {
				c.state.Status.Nodes[j].OnDemand = true
			}
		}
	}
	return nodes
}

func splitServer(nodes []cluster.Node) (*cluster.Node, []cluster.Node) {
	var server *cluster.Node
	var agents []cluster.Node
	for i := range nodes {
		if nodes[i].IsServer() {
			server = &nodes[i]
		} else {
			agents = append(agents, nodes[i])
		}
	}
	return server, agents
}

func (c *clusterRun) healthOf(name string) cluster.NodeHealth {
	for _, n := range c.state.Status.Nodes {
		if n.Name == name {
			return n.Health
		}
	}
	return ""
}

// setNodes records started nodes in place of the ones of the same names.
func (c *clusterRun) setNodes(started []cluster.NodeInfo) {
	for _, info := range started {
		for i := range c.state.Nodes {
			if c.state.Nodes[i].Name == info.Name {
				c.state.Nodes[i] = info
			}
		}
	}
}

// setInstances records new instances in place of the ones of the same
// nodes.
func (c *clusterRun) setInstances(inst []cluster.Instance) {
	for _, in := range inst {
		replaced := false
		for i := range c.state.Instances {
			if c.state.Instances[i].Index == in.Index {
				c.state.Instances[i], replaced = in, true
			}
		}
		if !replaced {
			c.state.Instances = append(c.state.Instances, in)
		}
	}
}

func (c *clusterRun) validatePolicy(_ workflow.Context, p cluster.RepairPolicy) error {
	if err := p.WithDefaults().Validate(); err != nil {
		return refused("%v", err)
	}
	if c.state.Status.Phase == cluster.PhaseTerminated {
		return refused("cluster %s is terminated", c.state.Spec.Name)
	}
	return nil
}

// setPolicy changes the repair policy at once (it runs beside any
// operation: auto repair reads it before each repair).
func (c *clusterRun) setPolicy(ctx workflow.Context, p cluster.RepairPolicy) (cluster.OpResult, error) {
	c.state.Status.Repair = p.WithDefaults()
	c.healthChanged++
	c.publish(ctx)
	op := fmt.Sprintf("repair %s after %s", c.state.Status.Repair.Mode, c.state.Status.Repair.After)
	return cluster.OpResult{Operation: op, Phase: c.state.Status.Phase, Nodes: len(c.state.Nodes)}, nil
}

// autoRepair replaces down nodes once they have been down for the
// policy's repair-after, when the policy is auto and no operation runs.
func (c *clusterRun) autoRepair(ctx workflow.Context) {
	for {
		seen := c.healthChanged
		due, ok := c.repairDue()
		var err error
		switch {
		case !ok:
			err = workflow.Await(ctx, func() bool { return c.healthChanged != seen })
		case due.After(workflow.Now(ctx)):
			_, err = workflow.AwaitWithTimeout(ctx, due.Sub(workflow.Now(ctx)), func() bool { return c.healthChanged != seen })
		case c.busy || c.state.Status.Phase != cluster.PhaseReady:
			err = workflow.Await(ctx, func() bool { return !c.busy && c.state.Status.Phase == cluster.PhaseReady || c.healthChanged != seen })
		default:
			_, rerr := c.repair(ctx, cluster.RepairRequest{})
			c.backOff(ctx, rerr)
		}
		if err != nil {
			return
		}
	}
}

// backOff delays the next auto repair after a failed one: repair-after,
// doubled with each failure in a row, at most half an hour.
func (c *clusterRun) backOff(ctx workflow.Context, err error) {
	if err == nil {
		c.repairFails, c.retryAt = 0, time.Time{}
		return
	}
	c.repairFails++
	wait := c.state.Status.Repair.WithDefaults().After << min(c.repairFails, 10)
	c.retryAt = workflow.Now(ctx).Add(min(wait, 30*time.Minute))
}

// repairDue is when the earliest down node is due for auto repair.
func (c *clusterRun) repairDue() (time.Time, bool) {
	p := c.state.Status.Repair.WithDefaults()
	if p.Mode != cluster.RepairAuto || c.state.Status.Phase == cluster.PhaseTerminated {
		return time.Time{}, false
	}
	var due time.Time
	for _, n := range c.state.Status.Nodes {
		at := n.HealthSince.Add(p.After)
		if n.Health == cluster.NodeInterrupted {
			at = n.HealthSince // it has two minutes: no waiting for a blip to pass
		}
		if n.Health.Down() && (due.IsZero() || at.Before(due)) {
			due = at
		}
	}
	if due.IsZero() {
		return due, false
	}
	if c.retryAt.After(due) {
		due = c.retryAt
	}
	return due, true
}
