package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/herdhq/herd/cluster"
)

// healthLogSize bounds the health log carried in the status.
const healthLogSize = 50

// receiveHealth applies each observation the health watch sends.
func (c *clusterRun) receiveHealth(ctx workflow.Context) {
	ch := workflow.GetSignalChannel(ctx, cluster.SignalHealth)
	for {
		var obs cluster.Observation
		if !ch.Receive(ctx, &obs) {
			return
		}
		c.observe(ctx, obs)
	}
}

// drainHealth applies observations that arrived but were not handled yet
// (before the run continues as new).
func (c *clusterRun) drainHealth(ctx workflow.Context) {
	ch := workflow.GetSignalChannel(ctx, cluster.SignalHealth)
	var obs cluster.Observation
	for ch.ReceiveAsync(&obs) {
		c.observe(ctx, obs)
	}
}

// watching reports whether the cluster's health is followed: it exists and
// runs (not while it stops, starts or is stopped).
func (c *clusterRun) watching() bool {
	switch c.state.Status.Phase {
	case cluster.PhaseReady, cluster.PhaseScaling, cluster.PhaseRepairing:
		return true
	}
	return false
}

// observe records the health an observation gives each node, and since
// when, and the cluster's health.
func (c *clusterRun) observe(ctx workflow.Context, obs cluster.Observation) {
	if !c.healthOn || !c.watching() {
		return
	}
	changed := false
	for _, n := range c.state.Nodes {
		h, known := obs.HealthOf(n.Node)
		if known && c.setHealth(ctx, n.Node, h) {
			changed = true
		}
	}
	if changed {
		c.healthChanged++
		c.refreshHealth()
		c.publish(ctx)
	}
	c.observeDisks(ctx, obs)
}

// observeDisks raises an alert when a node's file system passes the disk
// threshold, and when it is back under.
func (c *clusterRun) observeDisks(ctx workflow.Context, obs cluster.Observation) {
	if !obs.Reachable {
		return
	}
	full := make(map[string]string, len(obs.Members))
	for _, m := range obs.Members {
		full[m.Name] = m.DiskFull
	}
	at := c.state.Spec.DiskAlert()
	for i := range c.state.Status.Nodes {
		ns := &c.state.Status.Nodes[i]
		now, seen := full[ns.FQDN]
		if !seen || ns.DiskFull == now {
			continue
		}
		if now != "" {
			c.alert(ctx, ns.Name, cluster.AlertDiskUsage, cluster.SeverityWarning, fmt.Sprintf("node %s: %s full (alert at %d%%)", ns.Name, now, at))
		} else {
			c.alert(ctx, ns.Name, cluster.AlertDiskUsage, cluster.SeverityOK, fmt.Sprintf("node %s: every disk under %d%% again (was %s)", ns.Name, at, ns.DiskFull))
		}
		ns.DiskFull = now
	}
}

// setHealth records a node's health; it reports whether it changed.
func (c *clusterRun) setHealth(ctx workflow.Context, n cluster.Node, h cluster.NodeHealth) bool {
	st := &c.state.Status
	for i := range st.Nodes {
		ns := &st.Nodes[i]
		if ns.Name != n.Name || ns.Health == h {
			continue
		}
		now := workflow.Now(ctx)
		if ns.Health != "" { // a change, not the first word on the node
			st.HealthLog = append(st.HealthLog, cluster.HealthEvent{At: now, Node: n.Name, From: ns.Health, To: h})
			if len(st.HealthLog) > healthLogSize {
				st.HealthLog = st.HealthLog[len(st.HealthLog)-healthLogSize:]
			}
		}
		if h.Down() && !ns.Health.Down() {
			st.Failures++
			workflow.GetMetricsHandler(ctx).WithTags(map[string]string{"cluster": c.state.Spec.Name}).Counter("herd_node_failures_total").Inc(1)
		}
		c.alertChange(ctx, n.Name, ns.Health, h)
		ns.Health, ns.HealthSince = h, now
		return true
	}
	return false
}

// markAlive records nodes as alive: herd just started or replaced them.
func (c *clusterRun) markAlive(ctx workflow.Context, nodes []cluster.Node) {
	if !c.healthOn {
		return
	}
	for _, n := range nodes {
		c.setHealth(ctx, n, cluster.NodeAlive)
	}
	c.healthChanged++
	c.refreshHealth()
}

// refreshHealth derives the cluster's health from its nodes'.
func (c *clusterRun) refreshHealth() {
	st := &c.state.Status
	switch {
	case st.Phase == cluster.PhaseRepairing:
		st.Health = cluster.Repairing
	case len(c.down()) > 0:
		st.Health = cluster.Degraded
	default:
		st.Health = cluster.Healthy
	}
}

// down lists the nodes that are down, in node order.
func (c *clusterRun) down() []cluster.Node {
	var out []cluster.Node
	for _, n := range c.state.Status.Nodes {
		if n.Health.Down() {
			out = append(out, n.Node)
		}
	}
	return out
}

// alertChange raises the alert a change of a node's health calls for: it
// failed, Ambari lost its heartbeat, or it is alive again (replaced by a
// repair, or by itself).
func (c *clusterRun) alertChange(ctx workflow.Context, node string, from, to cluster.NodeHealth) {
	switch {
	case from == "":
	case to.Down() && !from.Down():
		c.alert(ctx, node, cluster.AlertNodeFailed, cluster.SeverityCritical, fmt.Sprintf("node %s is %s (was %s)", node, to, from))
	case to == cluster.NodeSuspect && from == cluster.NodeAlive:
		c.alert(ctx, node, cluster.AlertHeartbeatLost, cluster.SeverityWarning, fmt.Sprintf("Ambari lost the heartbeat of %s; Serf still sees it", node))
	case to == cluster.NodeAlive && c.state.Status.Phase == cluster.PhaseRepairing:
		c.alert(ctx, node, cluster.AlertNodeRepaired, cluster.SeverityOK, fmt.Sprintf("node %s was replaced and is alive (was %s)", node, from))
	case to == cluster.NodeAlive:
		c.alert(ctx, node, cluster.AlertNodeRecovered, cluster.SeverityOK, fmt.Sprintf("node %s is alive again (was %s)", node, from))
	}
}
