package workflows

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"

	"github.com/herdhq/herd/activities"
	"github.com/herdhq/herd/cluster"
)

// plannedJoinIP is the server's IP in nodeInfo, told in advance by the
// hosts' set-up as a provider that plans it does.
const plannedJoinIP = "172.20.0.2"

// serverWaitingForAnAgent is a server start that ends only once an agent's
// start has begun: with the agents started after the server, it fails
// (after a while of wall time, not to hang the test).
func serverWaitingForAnAgent(agentStarted <-chan struct{}) func(context.Context, activities.StartNodeInput) (cluster.NodeInfo, error) {
	return func(ctx context.Context, in activities.StartNodeInput) (cluster.NodeInfo, error) {
		select {
		case <-agentStarted:
			return nodeInfo(ctx, in)
		case <-time.After(10 * time.Second):
			return cluster.NodeInfo{}, temporal.NewNonRetryableApplicationError("no agent started while the server started", "Sequential", nil)
		}
	}
}

// agentSignalling is an agent start that tells it has begun.
func agentSignalling(agentStarted chan struct{}) func(context.Context, activities.StartNodeInput) (cluster.NodeInfo, error) {
	var once sync.Once
	return func(ctx context.Context, in activities.StartNodeInput) (cluster.NodeInfo, error) {
		once.Do(func() { close(agentStarted) })
		return nodeInfo(ctx, in)
	}
}

// When the hosts' set-up tells the server's IP in advance, the agents
// start alongside the server, joining that IP, whether the blueprint is
// submitted while they start (all nodes needed) or after (min-nodes); the
// cluster is the same as when they start after it.
func (s *clusterSuite) TestAgentsStartAlongsideAServerWhoseIPIsPlanned() {
	for _, minNodes := range []int{0, 2} {
		s.Run(fmt.Sprintf("min nodes %d", minNodes), func() {
			s.SetupTest()
			agentStarted := make(chan struct{})
			s.env.OnActivity(a.ApplyCloudInit, mock.Anything, mock.Anything).Return(activities.HostsResult{Hosts: 3, JoinIP: plannedJoinIP}, nil).Once()
			s.env.OnActivity(a.StartServerContainer, mock.Anything, mock.Anything).Return(serverWaitingForAnAgent(agentStarted)).Once()
			s.env.OnActivity(a.StartAgentContainer, mock.Anything, mock.Anything).Return(agentSignalling(agentStarted)).Twice()
			s.provisionMocks()
			var ready cluster.Status
			s.env.RegisterDelayedCallback(func() { ready = s.status() }, time.Minute)
			term := s.terminateAt(2 * time.Minute)
			spec := testSpec()
			spec.MinNodes = minNodes
			s.env.ExecuteWorkflow(ClusterWorkflow, cluster.ClusterInput{Spec: spec})
			s.Require().NoError(s.env.GetWorkflowError())
			s.Require().NoError(term.err)
			s.Equal(cluster.PhaseReady, ready.Phase)
			s.Require().Len(ready.Nodes, 3)
			for _, n := range ready.Nodes {
				s.Equal(cluster.NodeUp, n.State, n.Name)
			}
			s.Equal(plannedJoinIP, ready.Nodes[0].IP)
			s.env.AssertExpectations(s.T())
		})
	}
}

// A server that came up on another IP than the one its agents were told
// fails provisioning (the agents would never find it), with the fix, and
// the cluster is released.
func (s *clusterSuite) TestServerOffItsPlannedIPFailsProvisioning() {
	s.env.OnActivity(a.ApplyCloudInit, mock.Anything, mock.Anything).Return(activities.HostsResult{Hosts: 3, JoinIP: "172.20.0.9"}, nil).Once()
	s.env.OnActivity(a.StartAgentContainer, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.StartNodeInput) (cluster.NodeInfo, error) {
			if in.JoinIP != "172.20.0.9" {
				return cluster.NodeInfo{}, errors.New("agent not given the planned join IP")
			}
			return cluster.NodeInfo{Node: in.Node, IP: "172.20.0.7"}, nil
		}).Twice()
	s.provisionMocks()
	s.expectRelease()
	s.env.ExecuteWorkflow(ClusterWorkflow, cluster.ClusterInput{Spec: testSpec()})
	s.Require().ErrorContains(s.env.GetWorkflowError(), "has IP 172.20.0.2, not 172.20.0.9")
	s.Equal(cluster.PhaseFailed, s.status().Phase)
}
