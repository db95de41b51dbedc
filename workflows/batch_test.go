package workflows

import (
	"context"
	"time"

	"github.com/stretchr/testify/mock"

	"github.com/herdhq/herd/activities"
	"github.com/herdhq/herd/cluster"
)

// batchMock starts a batch of agents as nodeInfo does each, recording the
// batches' sizes; fail names a node that cannot start.
func (s *clusterSuite) batchMock(sizes *[]int, fail string) {
	s.env.OnActivity(a.StartAgentContainers, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in activities.StartAgentsInput) ([]activities.AgentStarted, error) {
			*sizes = append(*sizes, len(in.Nodes))
			var out []activities.AgentStarted
			for i, n := range in.Nodes {
				if n.Name == fail {
					out = append(out, activities.AgentStarted{Info: cluster.NodeInfo{Node: n}, Error: "no room for " + n.Name})
					continue
				}
				info, err := nodeInfo(ctx, activities.StartNodeInput{Node: n, Instance: in.Instances[i], JoinIP: in.JoinIP})
				if err != nil {
					return nil, err
				}
				out = append(out, activities.AgentStarted{Info: info})
			}
			return out, nil
		})
	s.env.OnActivity(a.StartAgentContainer, mock.Anything, mock.Anything).Return(
		func(context.Context, activities.StartNodeInput) (cluster.NodeInfo, error) {
			s.Fail("a large cluster started an agent on its own")
			return cluster.NodeInfo{}, nil
		}).Maybe()
}

func largeSpec(slaves int) cluster.Spec {
	spec := testSpec()
	spec.HostGroups[1].Count, spec.MaxGroupSize = slaves, 1000
	return spec
}

// TestLargeClusterStartsAgentsInBatches: 99 agents start in 33 activities
// of 3, every node ends up.
func (s *clusterSuite) TestLargeClusterStartsAgentsInBatches() {
	var sizes []int
	s.batchMock(&sizes, "")
	s.provisionMocks()
	var ready cluster.Status
	s.env.RegisterDelayedCallback(func() { ready = s.status() }, time.Minute)
	s.terminateAt(2 * time.Minute)
	s.env.ExecuteWorkflow(ClusterWorkflow, cluster.ClusterInput{Spec: largeSpec(99)})
	s.Require().NoError(s.env.GetWorkflowError())
	s.Len(sizes, 33)
	for _, n := range sizes {
		s.Equal(3, n)
	}
	s.Equal(cluster.PhaseReady, ready.Phase)
	s.Len(ready.Nodes, 100)
	for _, n := range ready.Nodes {
		s.Equal(cluster.NodeUp, n.State, n.Name)
	}
}

// TestBatchReportsTheNodeThatCannotStart: a node of a batch that cannot
// start fails provisioning with its own reason; its batch's others start.
func (s *clusterSuite) TestBatchReportsTheNodeThatCannotStart() {
	var sizes []int
	s.batchMock(&sizes, "c1-42")
	s.provisionMocks()
	s.env.OnActivity(a.ReleaseCluster, mock.Anything, mock.Anything).Return(cluster.Released{Containers: 99, Networks: 1}, nil).Once()
	s.env.ExecuteWorkflow(ClusterWorkflow, cluster.ClusterInput{Spec: largeSpec(60)})
	err := s.env.GetWorkflowError()
	s.Require().Error(err)
	s.Contains(err.Error(), "no room for c1-42")
	s.Len(sizes, 30) // 60 agents, 2 each
}
