// Package workflows holds herd's Temporal workflows. They are thin and
// deterministic: every side effect is an activity in package activities.
package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/herdhq/herd/activities"
	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/providers"
)

// TaskQueue is where herd's workers listen.
const TaskQueue = "herd"

// StatusQuery is the query name of a provisioning workflow's Status.
const StatusQuery = "status"

// WorkflowID is the id of a cluster's provisioning workflow.
func WorkflowID(clusterName string) string { return "cluster-" + clusterName }

// Result is what a provisioned cluster looks like.
type Result struct {
	Cluster       string             `json:"cluster"`
	AmbariURL     string             `json:"ambari_url"`
	Nodes         []cluster.NodeInfo `json:"nodes"`
	RequestID     int64              `json:"request_id"`
	RequestStatus string             `json:"request_status"`
}

// a is used only to name activity methods.
var a *activities.Activities

// ProvisionCluster runs each provisioning step as a retryable activity. On
// failure it removes what was created, unless the spec says keep-on-failure.
func ProvisionCluster(ctx workflow.Context, spec cluster.Spec) (*Result, error) {
	if err := spec.Validate(); err != nil {
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), "InvalidSpec", nil)
	}
	st := newStatus(spec)
	if err := workflow.SetQueryHandler(ctx, StatusQuery, func() (Status, error) { return *st, nil }); err != nil {
		return nil, err
	}
	p := &provisioner{spec: spec, st: st, res: &Result{Cluster: spec.Name}}
	if err := p.run(ctx); err != nil {
		st.Phase, st.Error = PhaseFailed, FailureMessage(err)
		if !spec.KeepOnFailure {
			compensate(ctx, spec, st)
		}
		return nil, err
	}
	st.Phase = PhaseReady
	return p.res, nil
}

type provisioner struct {
	spec      cluster.Spec
	st        *Status
	res       *Result
	instances []providers.Instance
	server    cluster.NodeInfo
}

func (p *provisioner) run(ctx workflow.Context) error {
	for _, step := range []func(workflow.Context) error{
		p.allocate, p.cloudInit, p.startServer, p.startAgents, p.quorum, p.submit, p.poll,
	} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

// exec runs one activity as the named step, keeping the status current.
func (p *provisioner) exec(ctx workflow.Context, step string, ao workflow.ActivityOptions, fn, out any, args ...any) error {
	p.st.setStep(step, StateRunning, "")
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, ao), fn, args...).Get(ctx, out)
	if err != nil {
		p.st.setStep(step, StateFailed, FailureMessage(err))
		return fmt.Errorf("%s: %w", step, err)
	}
	p.st.setStep(step, StateDone, "")
	return nil
}

func (p *provisioner) allocate(ctx workflow.Context) error {
	if err := p.exec(ctx, StepAllocate, shortStep(2*time.Minute), a.AllocateInstances, &p.instances, p.spec); err != nil {
		return err
	}
	p.st.setStep(StepAllocate, StateDone, fmt.Sprintf("%d instances", len(p.instances)))
	return nil
}

func (p *provisioner) cloudInit(ctx workflow.Context) error {
	var res activities.CloudInitResult
	if err := p.exec(ctx, StepCloudInit, shortStep(5*time.Minute), a.ApplyCloudInit, &res, p.spec, p.instances); err != nil {
		return err
	}
	p.st.setStep(StepCloudInit, StateDone, fmt.Sprintf("%d cloud-configs applied", res.Documents))
	return nil
}

func (p *provisioner) startServer(ctx workflow.Context) error {
	node := p.spec.Nodes()[0]
	p.st.setNode(cluster.NodeInfo{Node: node}, StateRunning)
	in := activities.StartNodeInput{Spec: p.spec, Node: node, Instance: p.instances[0]}
	if err := p.exec(ctx, StepServer, shortStep(2*time.Minute), a.StartServerContainer, &p.server, in); err != nil {
		p.st.setNode(cluster.NodeInfo{Node: node}, StateFailed)
		return err
	}
	p.st.setNode(p.server, StateDone)
	p.st.AmbariURL, p.res.AmbariURL = p.server.AmbariURL, p.server.AmbariURL
	p.res.Nodes = append(p.res.Nodes, p.server)
	p.st.setStep(StepServer, StateDone, "join IP "+p.server.IP)
	return nil
}
