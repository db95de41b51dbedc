package workflows

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/herdhq/herd/cluster"
)

// Steps of scaling up and down.
var (
	ScaleUpSteps   = []string{StepAllocate, StepCloudInit, StepAgents, StepQuorum, StepAddHosts, StepPollRequest}
	ScaleDownSteps = []string{StepRemoveHosts, StepRemoveNodes, StepQuorum}
)

func (c *clusterRun) validateScale(_ workflow.Context, req cluster.ScaleRequest) error {
	if err := c.idle(cluster.PhaseReady); err != nil {
		return err
	}
	min, max, err := c.state.Spec.GroupLimits(req.HostGroup)
	if err != nil {
		return refused("%v", err)
	}
	if req.Count < min || req.Count > max {
		return refused("host group %q of cluster %s can have %d to %d nodes, not %d", req.HostGroup, c.state.Spec.Name, min, max, req.Count)
	}
	if total := len(c.state.Nodes) - c.state.GroupSize(req.HostGroup) + req.Count; total > cluster.MaxNodes {
		return refused("cluster %s would have %d nodes: herd supports at most %d in one cluster; scale %s to at most %d", c.state.Spec.Name, total, cluster.MaxNodes, req.HostGroup, req.Count-(total-cluster.MaxNodes))
	}
	return nil
}

func (c *clusterRun) scale(ctx workflow.Context, req cluster.ScaleRequest) (cluster.OpResult, error) {
	check := func() error { return c.validateScale(ctx, req) }
	return c.serial(ctx, check, func(ctx workflow.Context) (cluster.OpResult, error) {
		op := fmt.Sprintf("scale %s to %d", req.HostGroup, req.Count)
		have := c.state.GroupSize(req.HostGroup)
		var err error
		switch {
		case req.Count > have:
			err = c.scaleUp(ctx, op, req.HostGroup, req.Count-have)
		case req.Count < have:
			err = c.scaleDown(ctx, op, req.HostGroup, have-req.Count)
		default:
			c.state.Status.Begin(op, cluster.PhaseReady, nil)
		}
		c.state.Status.Phase = cluster.PhaseReady
		if err == nil {
			c.state.SetGroupCount(req.HostGroup, c.state.GroupSize(req.HostGroup))
		}
		return cluster.OpResult{Operation: op, RequestID: c.state.Status.RequestID}, err
	})
}

// newNodes names n more agents of a group, after every node ever made.
func (c *clusterRun) newNodes(group string, n int) []cluster.Node {
	var out []cluster.Node
	for i := 0; i < n; i++ {
		out = append(out, c.state.Spec.NewNode(c.state.NextIndex+i, group))
	}
	return out
}

// scaleUp adds n agents to a group; if any step fails, only the new nodes
// are rolled back.
func (c *clusterRun) scaleUp(ctx workflow.Context, op, group string, n int) error {
	c.state.Status.Begin(op, cluster.PhaseScaling, ScaleUpSteps)
	nodes := c.newNodes(group, n)
	c.state.NextIndex += n
	err := c.addNodes(ctx, nodes)
	if err != nil {
		c.rollBack(ctx, nodes)
	}
	return err
}

func (c *clusterRun) addNodes(ctx workflow.Context, nodes []cluster.Node) error {
	inst, err := c.allocate(ctx, nodes)
	if err != nil {
		return err
	}
	if err := c.cloudInit(ctx, nodes, inst); err != nil {
		return err
	}
	started, err := c.startAgents(ctx, nodes, inst, c.state.Server().IP)
	if err != nil {
		return err
	}
	all := append(c.state.NodeList(), nodes...)
	if err := c.quorum(ctx, all); err != nil {
		return err
	}
	s := step{StepAddHosts, fmt.Sprintf("add %s to Ambari", strings.Join(nodeNames(nodes), ", ")), waitStep(5 * time.Minute)}
	id, err := act(ctx, &c.runner, s, a.AddAmbariHosts, c.hostsInput(nodes))
	if err != nil {
		return err
	}
	c.done(StepAddHosts, "%d hosts, request %d", len(nodes), id)
	if _, err := c.poll(ctx, id); err != nil {
		return err
	}
	c.state.Nodes = append(c.state.Nodes, started...)
	c.state.Instances = append(c.state.Instances, inst...)
	c.markAlive(ctx, nodes)
	return nil
}

// rollBack removes the given new nodes from Ambari and the provider.
func (c *clusterRun) rollBack(ctx workflow.Context, nodes []cluster.Node) {
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	names := strings.Join(nodeNames(nodes), ", ")
	_ = actErr(dctx, &c.runner, step{StepRollback, "roll back: remove " + names + " from Ambari", releaseStep()}, a.RemoveAmbariHosts, c.hostsInput(nodes))
	rel, err := act(dctx, &c.runner, step{StepRollback, "roll back: remove " + names + c.on(), releaseStep()}, a.RemoveNodes, c.nodesInput(nodes))
	if err == nil {
		c.done(StepRollback, "%d new nodes removed", rel.Containers)
	}
	for _, n := range nodes {
		c.state.Status.DropNode(n.Name)
	}
}

// scaleDown removes n agents of a group, newest first, never the server.
func (c *clusterRun) scaleDown(ctx workflow.Context, op, group string, n int) error {
	c.state.Status.Begin(op, cluster.PhaseScaling, ScaleDownSteps)
	victims := c.victims(group, n)
	names := strings.Join(nodeNames(victims), ", ")
	if err := actErr(ctx, &c.runner, step{StepRemoveHosts, "decommission " + names + " in Ambari", waitStep(10 * time.Minute)}, a.RemoveAmbariHosts, c.hostsInput(victims)); err != nil {
		return err
	}
	c.done(StepRemoveHosts, "%d hosts", len(victims))
	rel, err := act(ctx, &c.runner, step{StepRemoveNodes, "stop and remove " + names + c.on(), shortStep(5 * time.Minute)}, a.RemoveNodes, c.nodesInput(victims))
	if err != nil {
		return err
	}
	c.done(StepRemoveNodes, "%d containers removed", rel.Containers)
	c.forget(victims)
	return c.quorum(ctx, c.state.NodeList())
}

func (c *clusterRun) victims(group string, n int) []cluster.Node {
	var cands []cluster.Node
	for _, node := range c.state.Nodes {
		if node.HostGroup == group && !node.IsServer() {
			cands = append(cands, node.Node)
		}
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].Index > cands[j].Index })
	if n > len(cands) {
		n = len(cands)
	}
	return cands[:n]
}

func (c *clusterRun) forget(nodes []cluster.Node) {
	gone := map[int]bool{}
	for _, n := range nodes {
		gone[n.Index] = true
		c.state.Status.DropNode(n.Name)
	}
	var kept []cluster.NodeInfo
	for _, n := range c.state.Nodes {
		if !gone[n.Index] {
			kept = append(kept, n)
		}
	}
	c.state.Nodes = kept
	var inst []cluster.Instance
	for _, i := range c.state.Instances {
		if !gone[i.Index] {
			inst = append(inst, i)
		}
	}
	c.state.Instances = inst
}
