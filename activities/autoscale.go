package activities

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/api/serviceerror"

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
