package workflows

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/herdhq/herd/activities"
	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/internal/failure"
)

// runner runs steps against a cluster's state, keeping its status current.
type runner struct {
	st        *cluster.State
	published struct {
		phase  cluster.Phase
		nodes  int64
		health cluster.Health
	}
}

// step is one activity run as a named step of an operation; summary tells a
// person reading the Temporal UI what it does to what.
type step struct {
	name, summary string
	ao            workflow.ActivityOptions
}

// act runs the activity fn with in as step s, typed end to end.
func act[I, O any](ctx workflow.Context, r *runner, s step, fn func(context.Context, I) (O, error), in I) (O, error) {
	var out O
	err := r.run(ctx, s, func(ctx workflow.Context) error {
		return workflow.ExecuteActivity(ctx, fn, in).Get(ctx, &out)
	})
	return out, err
}

// actErr is act for an activity that returns only an error.
func actErr[I any](ctx workflow.Context, r *runner, s step, fn func(context.Context, I) error, in I) error {
	return r.run(ctx, s, func(ctx workflow.Context) error {
		return workflow.ExecuteActivity(ctx, fn, in).Get(ctx, nil)
	})
}

// run marks the step running, runs it, records how long it took and marks
// it done or failed.
func (r *runner) run(ctx workflow.Context, s step, exec func(workflow.Context) error) error {
	r.st.Status.SetStep(s.name, cluster.StepRunning, "")
	r.publish(ctx)
	s.ao.Summary, s.ao.TaskQueue = s.summary, r.queue()
	started := workflow.Now(ctx)
	err := exec(workflow.WithActivityOptions(ctx, s.ao))
	workflow.GetMetricsHandler(ctx).WithTags(map[string]string{"step": s.name, "ok": fmt.Sprint(err == nil)}).
		Timer("herd_step_duration").Record(workflow.Now(ctx).Sub(started))
	if err != nil {
		r.st.Status.SetStep(s.name, cluster.StepFailed, failure.Message(err))
		r.publish(ctx)
		return fmt.Errorf("%s: %w", s.name, err)
	}
	r.st.Status.SetStep(s.name, cluster.StepDone, "")
	return nil
}

// queue is the task queue of the cluster's activities: its place's.
func (r *runner) queue() string { return cluster.ActivityQueue(r.st.Spec.Place) }

// on names where a step acts, for activity summaries.
func (r *runner) on() string { return " on " + r.st.Spec.Provider }

// done marks a finished step with a detail for people.
func (r *runner) done(name, format string, args ...any) {
	r.st.Status.SetStep(name, cluster.StepDone, fmt.Sprintf(format, args...))
}

func (r *runner) nodesInput(nodes []cluster.Node) activities.NodesInput {
	return activities.NodesInput{Target: r.st.Spec.Target(), Nodes: nodes}
}

func (r *runner) allocate(ctx workflow.Context, nodes []cluster.Node) ([]cluster.Instance, error) {
	s := step{StepAllocate, fmt.Sprintf("allocate %d instances%s", len(nodes), r.on()), shortStep(10 * time.Minute)}
	r.st.Launches++
	in := r.nodesInput(nodes)
	in.Target.Launch = fmt.Sprintf("%s/%d", workflow.GetInfo(ctx).FirstRunID, r.st.Launches)
	inst, err := act(ctx, r, s, a.AllocateInstances, in)
	if err == nil {
		r.done(StepAllocate, "%d instances", len(inst))
	}
	return inst, err
}

func (r *runner) cloudInit(ctx workflow.Context, nodes []cluster.Node, inst []cluster.Instance) error {
	s := step{StepCloudInit, fmt.Sprintf("set up %d hosts%s", len(nodes), r.on()), waitStep(20 * time.Minute)}
	res, err := act(ctx, r, s, a.ApplyCloudInit, activities.CloudInitInput{NodesInput: r.nodesInput(nodes), Instances: inst})
	if err == nil {
		r.done(StepCloudInit, "%d hosts set up", max(res.Hosts, len(inst)))
	}
	return err
}

func (r *runner) startInput(n cluster.Node, inst cluster.Instance, joinIP string) activities.StartNodeInput {
	return activities.StartNodeInput{Target: r.st.Spec.Target(), Node: n, Instance: inst, JoinIP: joinIP, NodeEnv: r.st.Spec.NodeEnv}
}

// startAgents starts agents in parallel, joining joinIP, and waits for all:
// one activity per agent, or, in a cluster of more than batchFrom agents,
// one per batch (at most maxStartSteps of them).
func (r *runner) startAgents(ctx workflow.Context, nodes []cluster.Node, inst []cluster.Instance, joinIP string) ([]cluster.NodeInfo, error) {
	r.st.Status.SetStep(StepAgents, cluster.StepRunning, fmt.Sprintf("0/%d started", len(nodes)))
	r.publish(ctx)
	if len(nodes) > batchFrom && workflow.GetVersion(ctx, "agent-batches", workflow.DefaultVersion, 1) == 1 {
		return r.startAgentBatches(ctx, nodes, inst, joinIP)
	}
	futures := make([]workflow.Future, len(nodes))
	for i, n := range nodes {
		r.st.Status.SetNode(n, "", cluster.NodeStarting)
		ao := shortStep(2 * time.Minute)
		ao.Summary, ao.TaskQueue = "start agent "+n.Name+r.on(), r.queue()
		futures[i] = workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, ao), a.StartAgentContainer, r.startInput(n, instanceAt(inst, i), joinIP))
	}
	t := &agentTally{total: len(nodes)}
	for i, f := range futures {
		var info cluster.NodeInfo
		err := f.Get(ctx, &info)
		t.add(r, nodes[i:i+1], []activities.AgentStarted{{Info: info}}, err)
	}
	return t.finish(r)
}

// Batches of agents: clusters of more than batchFrom agents start them in
// at most maxStartSteps activities, which keeps a 1,000-node cluster's
// history and its workflow's work small.
const (
	batchFrom     = 50
	maxStartSteps = 40
)

func (r *runner) startAgentBatches(ctx workflow.Context, nodes []cluster.Node, inst []cluster.Instance, joinIP string) ([]cluster.NodeInfo, error) {
	size := (len(nodes) + maxStartSteps - 1) / maxStartSteps
	var futures []workflow.Future
	for from := 0; from < len(nodes); from += size {
		batch := nodes[from:min(from+size, len(nodes))]
		for _, n := range batch {
			r.st.Status.SetNode(n, "", cluster.NodeStarting)
		}
		ao := shortStep(5 * time.Minute)
		ao.Summary, ao.TaskQueue = fmt.Sprintf("start agents %s to %s%s", batch[0].Name, batch[len(batch)-1].Name, r.on()), r.queue()
		in := activities.StartAgentsInput{Target: r.st.Spec.Target(), Nodes: batch, JoinIP: joinIP, NodeEnv: r.st.Spec.NodeEnv}
		for i := range batch {
			in.Instances = append(in.Instances, instanceAt(inst, from+i))
		}
		futures = append(futures, workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, ao), a.StartAgentContainers, in))
	}
	t := &agentTally{total: len(nodes)}
	for i, f := range futures {
		var res []activities.AgentStarted
		err := f.Get(ctx, &res)
		t.add(r, nodes[i*size:min((i+1)*size, len(nodes))], res, err)
	}
	return t.finish(r)
}

// agentTally counts agents as their activities end.
type agentTally struct {
	total   int
	started []cluster.NodeInfo
	errs    []error
}

// add records the outcome of the activity that started nodes: err for all
// of them, else each node's own.
func (t *agentTally) add(r *runner, nodes []cluster.Node, res []activities.AgentStarted, err error) {
	for i, n := range nodes {
		switch {
		case err != nil:
			r.st.Status.SetNode(n, "", cluster.NodeFailed)
			if i == 0 {
				t.errs = append(t.errs, err)
			}
		case res[i].Error != "":
			r.st.Status.SetNode(n, "", cluster.NodeFailed)
			t.errs = append(t.errs, errors.New(res[i].Error))
		default:
			r.st.Status.SetNode(res[i].Info.Node, res[i].Info.IP, cluster.NodeUp)
			t.started = append(t.started, res[i].Info)
		}
	}
	r.st.Status.SetStep(StepAgents, cluster.StepRunning, fmt.Sprintf("%d/%d started", len(t.started), t.total))
}

func (t *agentTally) finish(r *runner) ([]cluster.NodeInfo, error) {
	if err := errors.Join(t.errs...); err != nil {
		r.st.Status.SetStep(StepAgents, cluster.StepFailed, failure.Message(err))
		return t.started, fmt.Errorf("%s: %w", StepAgents, err)
	}
	r.done(StepAgents, "%d/%d started", t.total, t.total)
	return t.started, nil
}

func instanceAt(inst []cluster.Instance, i int) cluster.Instance {
	if i < len(inst) {
		return inst[i]
	}
	return cluster.Instance{}
}

// quorum waits until exactly nodes are alive in Serf.
func (r *runner) quorum(ctx workflow.Context, nodes []cluster.Node) error {
	timeout := r.st.Spec.QuorumWait()
	s := step{StepQuorum, fmt.Sprintf("wait for %d alive serf members", len(nodes)), waitStep(timeout + 30*time.Second)}
	in := activities.QuorumInput{Cluster: r.st.Spec.Name, RPCAddr: r.st.Server().SerfRPC, Nodes: nodes, Timeout: timeout}
	res, err := act(ctx, r, s, a.WaitForSerfQuorum, in)
	if err == nil {
		r.done(StepQuorum, "%d/%d alive", res.Alive, len(nodes))
	}
	return err
}

// poll follows an Ambari request to its end.
func (r *runner) poll(ctx workflow.Context, requestID int64) (activities.RequestOutcome, error) {
	return r.pollRegistered(ctx, requestID, nil)
}

// pollRegistered follows an Ambari request to its end, once nodes (when
// given) have registered with Ambari.
func (r *runner) pollRegistered(ctx workflow.Context, requestID int64, nodes []cluster.Node) (activities.RequestOutcome, error) {
	r.st.Status.RequestID = requestID
	s := step{StepPollRequest, fmt.Sprintf("follow Ambari request %d", requestID), waitStep(r.st.Spec.InstallWait())}
	in := activities.PollInput{Cluster: r.st.Spec.Name, AmbariURL: r.st.Server().AmbariURL, RequestID: requestID, Nodes: nodes}
	out, err := act(ctx, r, s, a.PollAmbariRequest, in)
	if err == nil {
		r.done(StepPollRequest, "request %d %s %.0f%%", requestID, out.Status, out.ProgressPercent)
	}
	return out, err
}

func (r *runner) hostsInput(nodes []cluster.Node) activities.HostsInput {
	return activities.HostsInput{Cluster: r.st.Spec.Name, Blueprint: r.st.Spec.BlueprintName, AmbariURL: r.st.Server().AmbariURL, Nodes: nodes}
}

// release removes everything the cluster has; it runs even when the
// workflow was cancelled.
func (r *runner) release(ctx workflow.Context) error {
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	s := step{StepRelease, "remove every container, network and instance of " + r.st.Spec.Name + r.on(), releaseStep()}
	in := cluster.ReleaseInput{Cluster: r.st.Spec.Name, Provider: r.st.Spec.Provider, Options: r.st.Spec.ProviderOptions, Place: r.st.Spec.Place}
	rel, err := act(dctx, r, s, a.ReleaseCluster, in)
	if err != nil {
		return err
	}
	r.st.Status.Released = &rel
	r.done(StepRelease, "%d containers, %d networks removed", rel.Containers, rel.Networks)
	return nil
}

func nodeNames(nodes []cluster.Node) []string {
	out := make([]string, len(nodes))
	for i, n := range nodes {
		out[i] = n.Name
	}
	return out
}
