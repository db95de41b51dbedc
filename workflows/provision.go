package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/herdhq/herd/activities"
	"github.com/herdhq/herd/cluster"
)

// provision runs each provisioning step as a retryable activity.
func (r *runner) provision(ctx workflow.Context) error {
	nodes := r.st.Spec.Nodes()
	r.st.NextIndex = len(nodes) + 1
	early := r.st.Spec.MinNodes == 0 && workflow.GetVersion(ctx, "early-submit", workflow.DefaultVersion, 1) == 1
	steps := provisionStepsAfterQuorum
	if early {
		steps = ProvisionSteps
	}
	r.st.Status.Begin("provision", cluster.PhaseProvisioning, steps)
	for _, n := range nodes {
		r.st.Status.SetNode(n, "", cluster.NodePending)
	}
	inst, err := r.allocate(ctx, nodes)
	if err != nil {
		return err
	}
	r.st.Instances = inst
	if err := r.cloudInit(ctx, nodes, inst); err != nil {
		return err
	}
	if err := r.startServer(ctx, nodes[0], inst[0]); err != nil {
		return err
	}
	if early {
		return r.provisionOverlapped(ctx, nodes, inst)
	}
	agents, err := r.startAgents(ctx, nodes[1:], inst[1:], r.st.Server().IP)
	r.st.Nodes = append(r.st.Nodes, agents...)
	if err != nil && r.st.Spec.MinNodes == 0 {
		return err
	}
	up, err := r.nodesUp(ctx, nodes)
	if err != nil {
		return err
	}
	id, err := r.submit(ctx, up, false)
	if err != nil {
		return err
	}
	if _, err := r.poll(ctx, id); err != nil {
		return err
	}
	r.st.Status.Phase = cluster.PhaseReady
	return nil
}

// provisionOverlapped submits the blueprint and the cluster while the
// agents start, where the server's Ambari already answers: Ambari installs
// each host as it registers, so the install overlaps the agents' start
// instead of following the last of them. It is for clusters that need all
// their nodes (the hosts are named before they are up); the poll first
// waits for every host to register, with the error a late one gives.
func (r *runner) provisionOverlapped(ctx workflow.Context, nodes []cluster.Node, inst []cluster.Instance) error {
	sctx, cancelSubmit := workflow.WithCancel(ctx)
	submitted, setSubmitted := workflow.NewFuture(ctx)
	workflow.Go(sctx, func(ctx workflow.Context) {
		id, err := r.submit(ctx, nodes, true)
		setSubmitted.Set(id, err)
	})
	agents, err := r.startAgents(ctx, nodes[1:], inst[1:], r.st.Server().IP)
	r.st.Nodes = append(r.st.Nodes, agents...)
	if err != nil {
		cancelSubmit() // the cluster is released: nothing to submit to
		return err
	}
	var id int64
	if err := submitted.Get(ctx, &id); err != nil {
		return err
	}
	if _, err := r.nodesUp(ctx, nodes); err != nil {
		return err
	}
	if _, err := r.pollRegistered(ctx, id, nodes); err != nil {
		return err
	}
	r.st.Status.Phase = cluster.PhaseReady
	return nil
}

// submit registers the blueprint and creates the cluster in Ambari on
// nodes: once they registered, or at once (early) when they still start.
func (r *runner) submit(ctx workflow.Context, nodes []cluster.Node, early bool) (int64, error) {
	s := step{StepBlueprint, fmt.Sprintf("register blueprint %s and create the cluster in Ambari", r.st.Spec.BlueprintName), waitStep(5 * time.Minute)}
	in := activities.BlueprintInput{Spec: r.st.Spec, AmbariURL: r.st.Server().AmbariURL, Nodes: nodes, Early: early}
	id, err := act(ctx, r, s, a.SubmitBlueprint, in)
	if err == nil {
		r.done(StepBlueprint, "request %d", id)
	}
	return id, err
}

// startServer starts (or restarts) the Ambari server node; its IP is the
// join IP of every other node, and its ports are how herd reaches it.
func (r *runner) startServer(ctx workflow.Context, n cluster.Node, inst cluster.Instance) error {
	return r.startServerJoining(ctx, n, inst, "")
}

// startServerJoining starts the server joining joinIP (an alive agent's,
// when the server is replaced in a running cluster; empty when it is the
// first node up).
func (r *runner) startServerJoining(ctx workflow.Context, n cluster.Node, inst cluster.Instance, joinIP string) error {
	r.st.Status.SetNode(n, "", cluster.NodeStarting)
	s := step{StepServer, "start Ambari server " + n.Name + r.on(), shortStep(2 * time.Minute)}
	info, err := act(ctx, r, s, a.StartServerContainer, r.startInput(n, inst, joinIP))
	if err != nil {
		r.st.Status.SetNode(n, "", cluster.NodeFailed)
		return err
	}
	r.st.Status.SetNode(n, info.IP, cluster.NodeUp)
	if len(r.st.Nodes) == 0 {
		r.st.Nodes = []cluster.NodeInfo{info}
	} else {
		r.st.Nodes[0] = info
	}
	r.st.Status.AmbariURL, r.st.Status.SerfRPC = info.AmbariURL, info.SerfRPC
	r.done(StepServer, "join IP %s", info.IP)
	return nil
}
