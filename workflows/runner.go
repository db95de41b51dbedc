package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/herdhq/herd/activities"
	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/providers"
)

// runner runs steps against a cluster's state, keeping its status current.
type runner struct {
	st        *ClusterState
	published struct {
		phase string
		nodes int64
	}
}

// exec runs one activity as the named step; summary tells a person reading
// the Temporal UI what it does to what.
func (r *runner) exec(ctx workflow.Context, step, summary string, ao workflow.ActivityOptions, fn, out any, args ...any) error {
	r.st.Status.setStep(step, StateRunning, "")
	r.publish(ctx)
	ao.Summary = summary
	started := workflow.Now(ctx)
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, ao), fn, args...).Get(ctx, out)
	workflow.GetMetricsHandler(ctx).WithTags(map[string]string{"step": step, "ok": fmt.Sprint(err == nil)}).
		Timer("herd_step_duration").Record(workflow.Now(ctx).Sub(started))
	if err != nil {
		r.st.Status.setStep(step, StateFailed, FailureMessage(err))
		r.publish(ctx)
		return fmt.Errorf("%s: %w", step, err)
	}
	r.st.Status.setStep(step, StateDone, "")
	return nil
}

// on names where a step acts, for activity summaries.
func (r *runner) on() string { return " on " + r.st.Spec.Provider }

// done marks a finished step with a detail for people.
func (r *runner) done(step, format string, args ...any) {
	r.st.Status.setStep(step, StateDone, fmt.Sprintf(format, args...))
}

func (r *runner) allocate(ctx workflow.Context, nodes []cluster.Node) ([]providers.Instance, error) {
	var inst []providers.Instance
	in := activities.NodesInput{Spec: r.st.Spec, Nodes: nodes}
	if err := r.exec(ctx, StepAllocate, fmt.Sprintf("allocate %d instances%s", len(nodes), r.on()), shortStep(10*time.Minute), a.AllocateInstances, &inst, in); err != nil {
		return nil, err
	}
	r.done(StepAllocate, "%d instances", len(inst))
	return inst, nil
}

func (r *runner) cloudInit(ctx workflow.Context, nodes []cluster.Node, inst []providers.Instance) error {
	var res activities.CloudInitResult
	in := activities.CloudInitInput{NodesInput: activities.NodesInput{Spec: r.st.Spec, Nodes: nodes}, Instances: inst}
	if err := r.exec(ctx, StepCloudInit, fmt.Sprintf("apply cloud-config to %d hosts%s", len(nodes), r.on()), waitStep(20*time.Minute, time.Minute), a.ApplyCloudInit, &res, in); err != nil {
		return err
	}
	r.done(StepCloudInit, "%d cloud-configs applied", res.Documents)
	return nil
}

// startAgents starts agents in parallel, joining joinIP, and waits for all.
func (r *runner) startAgents(ctx workflow.Context, nodes []cluster.Node, inst []providers.Instance, joinIP string) ([]cluster.NodeInfo, error) {
	r.st.Status.setStep(StepAgents, StateRunning, fmt.Sprintf("0/%d started", len(nodes)))
	r.publish(ctx)
	futures := make([]workflow.Future, len(nodes))
	for i, n := range nodes {
		r.st.Status.setNode(n, "", StateRunning)
		in := activities.StartNodeInput{Spec: r.st.Spec, Node: n, Instance: instanceAt(inst, i), JoinIP: joinIP}
		ao := shortStep(2 * time.Minute)
		ao.Summary = "start agent " + n.Name + r.on()
		futures[i] = workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, ao), a.StartAgentContainer, in)
	}
	var started []cluster.NodeInfo
	var errs []error
	for i, f := range futures {
		var info cluster.NodeInfo
		if err := f.Get(ctx, &info); err != nil {
			r.st.Status.setNode(nodes[i], "", StateFailed)
			errs = append(errs, err)
			continue
		}
		r.st.Status.setNode(info.Node, info.IP, StateDone)
		started = append(started, info)
		r.st.Status.setStep(StepAgents, StateRunning, fmt.Sprintf("%d/%d started", len(started), len(nodes)))
	}
	if err := errors.Join(errs...); err != nil {
		r.st.Status.setStep(StepAgents, StateFailed, FailureMessage(err))
		return started, fmt.Errorf("%s: %w", StepAgents, err)
	}
	r.done(StepAgents, "%d/%d started", len(nodes), len(nodes))
	return started, nil
}

func instanceAt(inst []providers.Instance, i int) providers.Instance {
	if i < len(inst) {
		return inst[i]
	}
	return providers.Instance{}
}

// quorum waits until exactly nodes are alive in Serf.
func (r *runner) quorum(ctx workflow.Context, nodes []cluster.Node) error {
	timeout := durationOr(r.st.Spec.QuorumTimeout, 2*time.Minute)
	in := activities.QuorumInput{Cluster: r.st.Spec.Name, RPCAddr: r.st.Server().SerfRPC, Nodes: nodes, Timeout: timeout}
	var res activities.QuorumResult
	if err := r.exec(ctx, StepQuorum, fmt.Sprintf("wait for %d alive serf members", len(nodes)), waitStep(timeout+30*time.Second, 20*time.Second), a.WaitForSerfQuorum, &res, in); err != nil {
		return err
	}
	r.done(StepQuorum, "%d/%d alive", res.Alive, len(nodes))
	return nil
}

// poll follows an Ambari request to its end.
func (r *runner) poll(ctx workflow.Context, requestID int64) (activities.RequestOutcome, error) {
	var out activities.RequestOutcome
	r.st.Status.RequestID = requestID
	in := activities.PollInput{Cluster: r.st.Spec.Name, AmbariURL: r.st.Server().AmbariURL, RequestID: requestID}
	ao := waitStep(durationOr(r.st.Spec.InstallTimeout, 30*time.Minute), 30*time.Second)
	if err := r.exec(ctx, StepPollRequest, fmt.Sprintf("follow Ambari request %d", requestID), ao, a.PollAmbariRequest, &out, in); err != nil {
		return out, err
	}
	r.done(StepPollRequest, "request %d %s %.0f%%", requestID, out.Status, out.ProgressPercent)
	return out, nil
}

func (r *runner) hostsInput(nodes []cluster.Node) activities.HostsInput {
	return activities.HostsInput{Spec: r.st.Spec, AmbariURL: r.st.Server().AmbariURL, Nodes: nodes}
}

// release removes everything the cluster has; it runs even when the
// workflow was cancelled.
func (r *runner) release(ctx workflow.Context) error {
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	var rel providers.Released
	in := activities.ReleaseInput{Cluster: r.st.Spec.Name, Provider: r.st.Spec.Provider, Options: r.st.Spec.ProviderOptions}
	if err := r.exec(dctx, StepRelease, "remove every container, network and instance of "+r.st.Spec.Name+r.on(), releaseStep(), a.ReleaseCluster, &rel, in); err != nil {
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
