package bench

import (
	"context"
	"fmt"

	"github.com/herdhq/herd/activities"
	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
)

// fakeActivities answer at once under the real activities' names: the
// workflow's own cost at a size no machine here can host.
type fakeActivities struct{}

func (fakeActivities) AllocateInstances(_ context.Context, in activities.NodesInput) ([]cluster.Instance, error) {
	out := make([]cluster.Instance, len(in.Nodes))
	for i, n := range in.Nodes {
		out[i] = cluster.Instance{ID: "fake/" + n.Name, Index: n.Index}
	}
	return out, nil
}

func (fakeActivities) ApplyCloudInit(_ context.Context, in activities.CloudInitInput) (activities.HostsResult, error) {
	return activities.HostsResult{Hosts: len(in.Nodes)}, nil
}

func (fakeActivities) StartServerContainer(_ context.Context, in activities.StartNodeInput) (cluster.NodeInfo, error) {
	return fakeNode(in), nil
}

func (fakeActivities) StartAgentContainer(_ context.Context, in activities.StartNodeInput) (cluster.NodeInfo, error) {
	return fakeNode(in), nil
}

func fakeNode(in activities.StartNodeInput) cluster.NodeInfo {
	i := in.Node.Index
	return cluster.NodeInfo{Node: in.Node, ContainerID: "fake", IP: fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255),
		AmbariURL: "http://fake:" + contract.Port(contract.PortAmbariAPI), SerfRPC: "fake:" + contract.Port(contract.PortSerfRPC)}
}

func (fakeActivities) WaitForSerfQuorum(_ context.Context, in activities.QuorumInput) (activities.QuorumResult, error) {
	return activities.QuorumResult{Alive: len(in.Nodes)}, nil
}

func (fakeActivities) SubmitBlueprint(context.Context, activities.BlueprintInput) (int64, error) {
	return 1, nil
}

func (fakeActivities) PollAmbariRequest(context.Context, activities.PollInput) (activities.RequestOutcome, error) {
	return activities.RequestOutcome{Status: "COMPLETED", ProgressPercent: 100}, nil
}

func (fakeActivities) ReleaseCluster(context.Context, cluster.ReleaseInput) (cluster.Released, error) {
	return cluster.Released{}, nil
}

func (fakeActivities) StartAgentContainers(_ context.Context, in activities.StartAgentsInput) ([]activities.AgentStarted, error) {
	out := make([]activities.AgentStarted, len(in.Nodes))
	for i, n := range in.Nodes {
		out[i].Info = fakeNode(activities.StartNodeInput{Node: n})
	}
	return out, nil
}
