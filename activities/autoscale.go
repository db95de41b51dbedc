package activities

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/herdhq/herd/autoscale"
	"github.com/herdhq/herd/cluster"
)

// ObserveInput names the cluster and host group an autoscale policy sizes.
type ObserveInput struct {
	Cluster   string `json:"cluster"`
	HostGroup string `json:"host_group"`
}

// ObserveCluster reads what one autoscale evaluation needs: the cluster's
// state from its workflow (size of the host group, another operation
// running, health) and YARN's queue metrics from its Ambari.
func (a *Activities) ObserveCluster(ctx context.Context, in ObserveInput) (autoscale.Observation, error) {
	if a.Temporal == nil {
		return autoscale.Observation{}, permanent("NoClient", "this worker has no Temporal client for autoscaling")
	}
	v, err := a.Temporal.QueryWorkflow(ctx, cluster.WorkflowID(in.Cluster), "", cluster.QueryStatus)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return autoscale.Observation{Gone: true}, nil
	}
	if err != nil {
		return autoscale.Observation{}, fmt.Errorf("read cluster %s: %w", in.Cluster, err)
	}
	var st cluster.Status
	if err := v.Get(&st); err != nil {
		return autoscale.Observation{}, fmt.Errorf("read cluster %s: %w", in.Cluster, err)
	}
	if st.Phase == cluster.PhaseTerminated || st.Phase == cluster.PhaseFailed {
		return autoscale.Observation{Gone: true}, nil
	}
	obs := autoscale.Observation{Ready: st.Phase == cluster.PhaseReady || st.Phase == cluster.PhaseScaling || st.Phase == cluster.PhaseRepairing,
		Busy: st.Phase != cluster.PhaseReady, Healthy: st.Health == "" || st.Health == cluster.Healthy}
	for _, n := range st.Nodes {
		if n.HostGroup == in.HostGroup {
			obs.Size++
		}
	}
	if !obs.Ready || st.AmbariURL == "" {
		return obs, nil
	}
	m, err := a.ambariClient(in.Cluster, st.AmbariURL).QueueMetrics(ctx, in.Cluster)
	if err != nil {
		return obs, ambariErr(err, "read YARN metrics of %s", in.Cluster)
	}
	obs.Metrics = m
	return obs, nil
}

// BoundsInput sets the bounds of a cluster's autoscaling (a schedule's
// firing); UpdateID makes a retried request the same request.
type BoundsInput struct {
	Cluster  string `json:"cluster"`
	Min      int    `json:"min"`
	Max      int    `json:"max"`
	UpdateID string `json:"update_id"`
}

// SetAutoscaleBounds changes the min and max of a cluster's autoscaling
// policy, keeping its rules; the autoscaler then acts within them.
func (a *Activities) SetAutoscaleBounds(ctx context.Context, in BoundsInput) (string, error) {
	if a.Temporal == nil {
		return "", permanent("NoClient", "this worker has no Temporal client for scheduled autoscaling")
	}
	v, err := a.Temporal.QueryWorkflow(ctx, autoscale.WorkflowID(in.Cluster), "", autoscale.QueryStatus)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return "", permanent("NoAutoscaling", "cluster %s has no autoscaling: set it with `herd autoscale set %s ...`", in.Cluster, in.Cluster)
	}
	var st autoscale.Status
	if err == nil {
		err = v.Get(&st)
	}
	if err != nil {
		return "", fmt.Errorf("read the autoscaling of %s: %w", in.Cluster, err)
	}
	p := st.Policy
	p.Min, p.Max = in.Min, in.Max
	h, err := a.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: autoscale.WorkflowID(in.Cluster),
		UpdateName: autoscale.UpdatePolicy, UpdateID: in.UpdateID, Args: []any{p}, WaitForStage: client.WorkflowUpdateStageCompleted})
	if err == nil {
		err = h.Get(ctx, &p)
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return "", permanent("BoundsRefused", "cluster %s: %s", in.Cluster, app.Message())
	}
	if err != nil {
		return "", fmt.Errorf("set the autoscaling bounds of %s: %w", in.Cluster, err)
	}
	return fmt.Sprintf("cluster %s: autoscaling %s within %d..%d", in.Cluster, p.HostGroup, p.Min, p.Max), nil
}
