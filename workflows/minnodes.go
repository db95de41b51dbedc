package workflows

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/herdhq/herd/activities"
	"github.com/herdhq/herd/ambari"
	"github.com/herdhq/herd/cluster"
)

// nodesUp waits for every node in Serf and returns them. With the spec's
// min-nodes (Cloudbreak's failure policy), nodes that never started or
// never joined are let go when enough are alive and every host group's
// cardinality still holds: they are removed, kept in the cluster as
// failed, and repair adds them later.
func (r *runner) nodesUp(ctx workflow.Context, nodes []cluster.Node) ([]cluster.Node, error) {
	started := r.st.NodeList()
	err := r.quorum(ctx, started)
	missing := without(nodes, started)
	var app *temporal.ApplicationError
	if err != nil && errors.As(err, &app) && app.Type() == activities.ErrQuorumTimeout && r.st.Spec.MinNodes > 0 {
		var names []string
		if app.Details(&names) == nil {
			missing = append(missing, byFQDN(started, names)...)
			err = nil
		}
	}
	if err != nil {
		return nil, err
	}
	if len(missing) == 0 {
		return nodes, nil
	}
	up := without(nodes, missing)
	if err := r.canGoOn(up); err != nil {
		return nil, err
	}
	return up, r.letGo(ctx, missing)
}

// canGoOn checks the failure policy: enough nodes, the server among them,
// every host group's cardinality held.
func (r *runner) canGoOn(up []cluster.Node) error {
	spec := r.st.Spec
	if len(up) < spec.MinNodes || len(up) == 0 || !up[0].IsServer() {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("only %d of %d nodes came up (the server among them: %v); --min-nodes is %d",
			len(up), spec.Size(), len(up) > 0 && up[0].IsServer(), spec.MinNodes), "TooFewNodes", nil)
	}
	for _, g := range spec.Blueprint.HostGroups {
		n := 0
		for _, node := range up {
			if node.HostGroup == g.Name {
				n++
			}
		}
		if n == 0 || (g.Cardinality != "" && !ambari.CardinalityAllows(g.Cardinality, n)) {
			return temporal.NewNonRetryableApplicationError(fmt.Sprintf("host group %s has %d nodes up, its cardinality is %s", g.Name, n, g.Cardinality), "TooFewNodes", nil)
		}
	}
	return nil
}

// letGo removes the nodes that did not come up and keeps them as failed.
func (r *runner) letGo(ctx workflow.Context, missing []cluster.Node) error {
	s := step{StepRemoveNodes, "let go of " + strings.Join(nodeNames(missing), ", ") + r.on(), shortStep(5 * time.Minute)}
	if _, err := act(ctx, r, s, a.RemoveNodes, r.nodesInput(missing)); err != nil {
		return err
	}
	for _, n := range missing {
		if !hasNode(r.st.NodeList(), n.Name) {
			r.st.Nodes = append(r.st.Nodes, cluster.NodeInfo{Node: n})
		}
		r.st.Status.SetNode(n, "", cluster.NodeFailed)
	}
	for i := range r.st.Status.Nodes {
		if hasNode(missing, r.st.Status.Nodes[i].Name) {
			r.st.Status.Nodes[i].Health, r.st.Status.Nodes[i].HealthSince = cluster.NodeDown, workflow.Now(ctx)
		}
	}
	r.done(StepRemoveNodes, "%d nodes did not come up: the cluster goes on without them, repair adds them", len(missing))
	return nil
}

func byFQDN(nodes []cluster.Node, fqdns []string) []cluster.Node {
	var out []cluster.Node
	for _, n := range nodes {
		for _, f := range fqdns {
			if n.FQDN == f {
				out = append(out, n)
			}
		}
	}
	return out
}

func without(nodes, gone []cluster.Node) []cluster.Node {
	var out []cluster.Node
	for _, n := range nodes {
		if !hasNode(gone, n.Name) {
			out = append(out, n)
		}
	}
	return out
}

func hasNode(nodes []cluster.Node, name string) bool {
	for _, n := range nodes {
		if n.Name == name {
			return true
		}
	}
	return false
}
