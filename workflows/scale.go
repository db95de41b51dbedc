package workflows

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/herdhq/herd/activities"
	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/providers"
)

// Steps of scaling up and down.
var (
	ScaleUpSteps   = []string{StepAllocate, StepCloudInit, StepAgents, StepQuorum, StepAddHosts, StepPollRequest}
	ScaleDownSteps = []string{StepRemoveHosts, StepRemoveNodes, StepQuorum}
)

// defaultMaxGroupSize bounds open-ended host groups.
const defaultMaxGroupSize = 100

func (c *clusterRun) validateScale(_ workflow.Context, req cluster.ScaleRequest) error {
	if err := c.idle(PhaseReady); err != nil {
		return err
	}
	min, max, err := c.groupLimits(req.HostGroup)
	if err != nil {
		return err
	}
	if req.Count < min || req.Count > max {
		return refused("host group %q of cluster %s can have %d to %d nodes, not %d", req.HostGroup, c.state.Spec.Name, min, max, req.Count)
	}
	return nil
}

// groupLimits derives a host group's size limits from its blueprint
// cardinality; the group holding the Ambari server keeps at least one node.
func (c *clusterRun) groupLimits(group string) (int, int, error) {
	hg, ok := c.state.Spec.Blueprint.Group(group)
	if !ok {
		var names []string
		for _, g := range c.state.Spec.Blueprint.HostGroups {
			names = append(names, g.Name)
		}
		return 0, 0, refused("cluster %s has no host group %q (it has: %s)", c.state.Spec.Name, group, strings.Join(names, ", "))
	}
	min, max := 1, defaultMaxGroupSize
	if c.state.Spec.MaxGroupSize > 0 {
		max = c.state.Spec.MaxGroupSize
	}
	card := hg.Cardinality
	switch {
	case card == "" || card == "ALL":
	case strings.HasSuffix(card, "+"):
		min, _ = strconv.Atoi(strings.TrimSuffix(card, "+"))
	case strings.Contains(card, "-"):
		lo, hi, _ := strings.Cut(card, "-")
		min, _ = strconv.Atoi(lo)
		max, _ = strconv.Atoi(hi)
	default:
		min, _ = strconv.Atoi(card)
		max = min
	}
	if min < 1 {
		min = 1
	}
	return min, max, nil
}

func (c *clusterRun) scale(ctx workflow.Context, req cluster.ScaleRequest) (OpResult, error) {
	check := func() error { return c.validateScale(ctx, req) }
	return c.serial(ctx, check, func(ctx workflow.Context) (OpResult, error) {
		op := fmt.Sprintf("scale %s to %d", req.HostGroup, req.Count)
		have := c.state.GroupSize(req.HostGroup)
		var err error
		switch {
		case req.Count > have:
			err = c.scaleUp(ctx, op, req.HostGroup, req.Count-have)
		case req.Count < have:
			err = c.scaleDown(ctx, op, req.HostGroup, have-req.Count)
		default:
			c.state.Status.begin(op, PhaseReady, nil)
		}
		c.state.Status.Phase = PhaseReady
		if err == nil {
			c.state.setGroupCount(req.HostGroup, c.state.GroupSize(req.HostGroup))
		}
		return OpResult{Operation: op, RequestID: c.state.Status.RequestID}, err
	})
}

// newNodes names n more agents of a group, after every node ever made.
func (c *clusterRun) newNodes(group string, n int) []cluster.Node {
	var out []cluster.Node
	for i := 0; i < n; i++ {
		idx := c.state.NextIndex + i
		name := fmt.Sprintf("%s-%d", c.state.Spec.Name, idx)
		out = append(out, cluster.Node{Index: idx, Name: name, FQDN: name + "." + c.state.Spec.Domain, HostGroup: group, Role: cluster.RoleAgent})
	}
	return out
}

// scaleUp adds n agents to a group; if any step fails, only the new nodes
// are rolled back.
func (c *clusterRun) scaleUp(ctx workflow.Context, op, group string, n int) error {
	c.state.Status.begin(op, PhaseScaling, ScaleUpSteps)
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
	var id int64
	if err := c.exec(ctx, StepAddHosts, fmt.Sprintf("add %s to Ambari", strings.Join(nodeNames(nodes), ", ")), waitStep(5*time.Minute, 30*time.Second), a.AddAmbariHosts, &id, c.hostsInput(nodes)); err != nil {
		return err
	}
	c.done(StepAddHosts, "%d hosts, request %d", len(nodes), id)
	if _, err := c.poll(ctx, id); err != nil {
		return err
	}
	c.state.Nodes = append(c.state.Nodes, started...)
	c.state.Instances = append(c.state.Instances, inst...)
	return nil
}

// rollBack removes the given new nodes from Ambari and the provider.
func (c *clusterRun) rollBack(ctx workflow.Context, nodes []cluster.Node) {
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	_ = c.exec(dctx, StepRollback, "roll back: remove "+strings.Join(nodeNames(nodes), ", ")+" from Ambari", releaseStep(), a.RemoveAmbariHosts, nil, c.hostsInput(nodes))
	var rel providers.Released
	in := activities.NodesInput{Spec: c.state.Spec, Nodes: nodes}
	if err := c.exec(dctx, StepRollback, "roll back: remove "+strings.Join(nodeNames(nodes), ", ")+c.on(), releaseStep(), a.RemoveNodes, &rel, in); err == nil {
		c.done(StepRollback, "%d new nodes removed", rel.Containers)
	}
	for _, n := range nodes {
		c.state.Status.dropNode(n.Name)
	}
}

// scaleDown removes n agents of a group, newest first, never the server.
func (c *clusterRun) scaleDown(ctx workflow.Context, op, group string, n int) error {
	c.state.Status.begin(op, PhaseScaling, ScaleDownSteps)
	victims := c.victims(group, n)
	if err := c.exec(ctx, StepRemoveHosts, "decommission "+strings.Join(nodeNames(victims), ", ")+" in Ambari", waitStep(10*time.Minute, 30*time.Second), a.RemoveAmbariHosts, nil, c.hostsInput(victims)); err != nil {
		return err
	}
	c.done(StepRemoveHosts, "%d hosts", len(victims))
	var rel providers.Released
	if err := c.exec(ctx, StepRemoveNodes, "stop and remove "+strings.Join(nodeNames(victims), ", ")+c.on(), shortStep(5*time.Minute), a.RemoveNodes, &rel, activities.NodesInput{Spec: c.state.Spec, Nodes: victims}); err != nil {
		return err
	}
	c.done(StepRemoveNodes, "%d containers removed", rel.Containers)
	c.forget(victims)
	return c.quorum(ctx, c.state.NodeList())
}

func (c *clusterRun) victims(group string, n int) []cluster.Node {
	var cands []cluster.Node
	for _, node := range c.state.Nodes {
		if node.HostGroup == group && node.Role != cluster.RoleServer {
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
	gone := map[string]bool{}
	for _, n := range nodes {
		gone[n.Name] = true
		c.state.Status.dropNode(n.Name)
	}
	var kept []cluster.NodeInfo
	for _, n := range c.state.Nodes {
		if !gone[n.Name] {
			kept = append(kept, n)
		}
	}
	c.state.Nodes = kept
	var inst []providers.Instance
	for _, i := range c.state.Instances {
		if !gone[fmt.Sprintf("%s-%d", c.state.Spec.Name, i.Index)] {
			inst = append(inst, i)
		}
	}
	c.state.Instances = inst
}
