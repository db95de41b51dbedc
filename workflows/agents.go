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

// startAgents starts every agent in parallel and waits for all of them.
func (p *provisioner) startAgents(ctx workflow.Context) error {
	nodes := p.spec.Nodes()[1:]
	p.st.setStep(StepAgents, StateRunning, fmt.Sprintf("0/%d started", len(nodes)))
	actx := workflow.WithActivityOptions(ctx, shortStep(2*time.Minute))
	futures := make([]workflow.Future, len(nodes))
	for i, n := range nodes {
		p.st.setNode(cluster.NodeInfo{Node: n}, StateRunning)
		in := activities.StartNodeInput{Spec: p.spec, Node: n, Instance: p.instances[i+1], JoinIP: p.server.IP}
		futures[i] = workflow.ExecuteActivity(actx, a.StartAgentContainer, in)
	}
	var errs []error
	for i, f := range futures {
		var info cluster.NodeInfo
		if err := f.Get(ctx, &info); err != nil {
			p.st.setNode(cluster.NodeInfo{Node: nodes[i]}, StateFailed)
			errs = append(errs, err)
			continue
		}
		p.st.setNode(info, StateDone)
		p.res.Nodes = append(p.res.Nodes, info)
		p.st.setStep(StepAgents, StateRunning, fmt.Sprintf("%d/%d started", len(p.res.Nodes)-1, len(nodes)))
	}
	if err := errors.Join(errs...); err != nil {
		p.st.setStep(StepAgents, StateFailed, FailureMessage(err))
		return fmt.Errorf("%s: %w", StepAgents, err)
	}
	p.st.setStep(StepAgents, StateDone, fmt.Sprintf("%d/%d started", len(nodes), len(nodes)))
	return nil
}

func (p *provisioner) quorum(ctx workflow.Context) error {
	timeout := durationOr(p.spec.QuorumTimeout, 2*time.Minute)
	in := activities.QuorumInput{Cluster: p.spec.Name, RPCAddr: p.server.SerfRPC, Nodes: p.spec.Nodes(), Timeout: timeout}
	var res activities.QuorumResult
	ao := waitStep(timeout+30*time.Second, 20*time.Second)
	if err := p.exec(ctx, StepQuorum, ao, a.WaitForSerfQuorum, &res, in); err != nil {
		return err
	}
	p.st.setStep(StepQuorum, StateDone, fmt.Sprintf("%d/%d alive", res.Alive, len(in.Nodes)))
	return nil
}

func (p *provisioner) submit(ctx workflow.Context) error {
	in := activities.SubmitInput{Spec: p.spec, AmbariURL: p.server.AmbariURL, Nodes: p.spec.Nodes()}
	if err := p.exec(ctx, StepBlueprint, waitStep(5*time.Minute, 30*time.Second), a.SubmitBlueprint, &p.res.RequestID, in); err != nil {
		return err
	}
	p.st.RequestID = p.res.RequestID
	p.st.setStep(StepBlueprint, StateDone, fmt.Sprintf("request %d", p.res.RequestID))
	return nil
}

func (p *provisioner) poll(ctx workflow.Context) error {
	in := activities.PollInput{Cluster: p.spec.Name, AmbariURL: p.server.AmbariURL, RequestID: p.res.RequestID}
	var out activities.RequestOutcome
	ao := waitStep(durationOr(p.spec.InstallTimeout, 30*time.Minute), 30*time.Second)
	if err := p.exec(ctx, StepPollRequest, ao, a.PollAmbariRequest, &out, in); err != nil {
		return err
	}
	p.res.RequestStatus = out.Status
	p.st.setStep(StepPollRequest, StateDone, fmt.Sprintf("%s %.0f%%", out.Status, out.ProgressPercent))
	return nil
}

// compensate removes what provisioning created; it runs even when the
// workflow was cancelled.
func compensate(ctx workflow.Context, spec cluster.Spec, st *Status) {
	st.Phase = PhaseCompensating
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	var rel providers.Released
	in := activities.ReleaseInput{Cluster: spec.Name, Provider: spec.Provider}
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(dctx, releaseStep()), a.ReleaseCluster, in).Get(dctx, &rel)
	st.Phase = PhaseFailed
	if err != nil {
		st.Error += "; compensation failed, resources may remain: " + err.Error()
		return
	}
	st.Released = &rel
}
