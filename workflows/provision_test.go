package workflows

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/suite"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/herdhq/herd/activities"
	"github.com/herdhq/herd/ambari"
	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/providers"
)

type provisionSuite struct {
	suite.Suite
	testsuite.WorkflowTestSuite
	env *testsuite.TestWorkflowEnvironment
}

func TestProvision(t *testing.T) { suite.Run(t, new(provisionSuite)) }

func (s *provisionSuite) SetupTest() {
	s.env = s.NewTestWorkflowEnvironment()
	s.env.RegisterActivity(&activities.Activities{})
}

func (s *provisionSuite) TearDownTest() { s.env.AssertExpectations(s.T()) }

func testSpec() cluster.Spec {
	return cluster.Spec{
		Name: "c1", BlueprintName: "hdfs", Provider: "docker", Image: "herd-node:dev", Domain: "herd.local",
		Blueprint: ambari.Blueprint{Blueprints: ambari.BlueprintInfo{StackName: "HDP", StackVersion: "2.1"},
			HostGroups: []ambari.HostGroup{
				{Name: "master", Components: []ambari.Component{{Name: "NAMENODE"}, {Name: "SECONDARY_NAMENODE"}}},
				{Name: "slaves", Components: []ambari.Component{{Name: "DATANODE"}}},
			}},
		HostGroups: []cluster.HostGroup{{Name: "master", Count: 1}, {Name: "slaves", Count: 2}},
	}
}

func instances() []providers.Instance {
	return []providers.Instance{{ID: "i1", Index: 1}, {ID: "i2", Index: 2}, {ID: "i3", Index: 3}}
}

func nodeInfo(in activities.StartNodeInput) cluster.NodeInfo {
	return cluster.NodeInfo{Node: in.Node, IP: "172.20.0." + string(rune('1'+in.Node.Index)), AmbariURL: "http://127.0.0.1:1", SerfRPC: "127.0.0.1:2"}
}

// happyMocks expects every step once, succeeding.
func (s *provisionSuite) happyMocks() {
	s.mocksUpToPoll()
	s.env.OnActivity(a.PollAmbariRequest, mock.Anything, mock.Anything).Return(activities.RequestOutcome{Status: "COMPLETED", ProgressPercent: 100}, nil).Once()
}

// mocksUpToPoll expects every step but the last once, succeeding.
func (s *provisionSuite) mocksUpToPoll() {
	s.env.OnActivity(a.AllocateInstances, mock.Anything, mock.Anything).Return(instances(), nil).Once()
	s.env.OnActivity(a.ApplyCloudInit, mock.Anything, mock.Anything, mock.Anything).Return(activities.CloudInitResult{Documents: 3}, nil).Once()
	s.env.OnActivity(a.StartServerContainer, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.StartNodeInput) (cluster.NodeInfo, error) {
			return nodeInfo(in), nil
		}).Once()
	s.env.OnActivity(a.StartAgentContainer, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.StartNodeInput) (cluster.NodeInfo, error) {
			if in.JoinIP != "172.20.0.2" {
				return cluster.NodeInfo{}, errors.New("agent not given the server's IP as join IP")
			}
			return nodeInfo(in), nil
		}).Times(2)
	s.env.OnActivity(a.WaitForSerfQuorum, mock.Anything, mock.Anything).Return(activities.QuorumResult{Alive: 3}, nil).Once()
	s.env.OnActivity(a.SubmitBlueprint, mock.Anything, mock.Anything).Return(int64(1), nil).Once()
}

func (s *provisionSuite) status() Status {
	v, err := s.env.QueryWorkflow(StatusQuery)
	s.Require().NoError(err)
	var st Status
	s.Require().NoError(v.Get(&st))
	return st
}

func (s *provisionSuite) TestHappyPath() {
	s.happyMocks()
	s.env.ExecuteWorkflow(ProvisionCluster, testSpec())
	s.Require().True(s.env.IsWorkflowCompleted())
	s.Require().NoError(s.env.GetWorkflowError())
	var res Result
	s.Require().NoError(s.env.GetWorkflowResult(&res))
	s.Equal("COMPLETED", res.RequestStatus)
	s.Len(res.Nodes, 3)
	s.Equal("c1-1.herd.local", res.Nodes[0].FQDN)
	st := s.status()
	s.Equal(PhaseReady, st.Phase)
	for _, step := range st.Steps {
		s.Equal(StateDone, step.State, step.Name)
	}
	for _, n := range st.Nodes {
		s.Equal(StateDone, n.State, n.Name)
		s.NotEmpty(n.IP)
	}
}

// TestEachActivityIsRetried fails every step once with a retryable error:
// the workflow still completes, each activity ran one extra time.
func (s *provisionSuite) TestEachActivityIsRetried() {
	transient := errors.New("transient")
	s.env.OnActivity(a.AllocateInstances, mock.Anything, mock.Anything).Return(nil, transient).Once()
	s.env.OnActivity(a.ApplyCloudInit, mock.Anything, mock.Anything, mock.Anything).Return(activities.CloudInitResult{}, transient).Once()
	s.env.OnActivity(a.StartServerContainer, mock.Anything, mock.Anything).Return(cluster.NodeInfo{}, transient).Once()
	s.env.OnActivity(a.StartAgentContainer, mock.Anything, mock.Anything).Return(cluster.NodeInfo{}, transient).Once()
	s.env.OnActivity(a.WaitForSerfQuorum, mock.Anything, mock.Anything).Return(activities.QuorumResult{}, transient).Once()
	s.env.OnActivity(a.SubmitBlueprint, mock.Anything, mock.Anything).Return(int64(0), transient).Once()
	s.env.OnActivity(a.PollAmbariRequest, mock.Anything, mock.Anything).Return(activities.RequestOutcome{}, transient).Once()
	s.happyMocks()
	s.env.ExecuteWorkflow(ProvisionCluster, testSpec())
	s.Require().NoError(s.env.GetWorkflowError())
	s.Equal(PhaseReady, s.status().Phase)
}

func (s *provisionSuite) expectRelease() {
	s.env.OnActivity(a.ReleaseCluster, mock.Anything, activities.ReleaseInput{Cluster: "c1", Provider: "docker"}).
		Return(providers.Released{Containers: 3, Networks: 1}, nil).Once()
}

func (s *provisionSuite) TestQuorumTimeoutCompensates() {
	s.env.OnActivity(a.AllocateInstances, mock.Anything, mock.Anything).Return(instances(), nil)
	s.env.OnActivity(a.ApplyCloudInit, mock.Anything, mock.Anything, mock.Anything).Return(activities.CloudInitResult{}, nil)
	s.env.OnActivity(a.StartServerContainer, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.StartNodeInput) (cluster.NodeInfo, error) {
			return nodeInfo(in), nil
		})
	s.env.OnActivity(a.StartAgentContainer, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.StartNodeInput) (cluster.NodeInfo, error) {
			return nodeInfo(in), nil
		})
	quorumErr := temporal.NewNonRetryableApplicationError("serf quorum not reached: 2/3 alive, missing c1-3.herd.local", activities.ErrQuorumTimeout, nil)
	s.env.OnActivity(a.WaitForSerfQuorum, mock.Anything, mock.Anything).Return(activities.QuorumResult{}, quorumErr).Once()
	s.expectRelease()
	s.env.ExecuteWorkflow(ProvisionCluster, testSpec())
	err := s.env.GetWorkflowError()
	s.Require().Error(err)
	s.Contains(err.Error(), "missing c1-3.herd.local")
	st := s.status()
	s.Equal(PhaseFailed, st.Phase)
	s.Equal(StateFailed, st.Step(StepQuorum).State)
	s.Equal(StatePending, st.Step(StepBlueprint).State)
	s.Require().NotNil(st.Released)
	s.Equal(3, st.Released.Containers)
}

func (s *provisionSuite) TestAmbariFailureCompensates() {
	s.mocksUpToPoll()
	failed := temporal.NewNonRetryableApplicationError("ambari request 1 ended FAILED: failed tasks: INSTALL DATANODE on c1-3.herd.local", activities.ErrAmbariRequestFailed, nil)
	s.env.OnActivity(a.PollAmbariRequest, mock.Anything, mock.Anything).Return(activities.RequestOutcome{}, failed).Once()
	s.expectRelease()
	s.env.ExecuteWorkflow(ProvisionCluster, testSpec())
	err := s.env.GetWorkflowError()
	s.Require().Error(err)
	s.Contains(err.Error(), "INSTALL DATANODE on c1-3.herd.local")
	s.Equal(PhaseFailed, s.status().Phase)
}

func (s *provisionSuite) TestKeepOnFailureSkipsCompensation() {
	spec := testSpec()
	spec.KeepOnFailure = true
	s.env.OnActivity(a.AllocateInstances, mock.Anything, mock.Anything).Return(instances(), nil)
	s.env.OnActivity(a.ApplyCloudInit, mock.Anything, mock.Anything, mock.Anything).Return(activities.CloudInitResult{},
		temporal.NewNonRetryableApplicationError("image missing", activities.ErrImageNotFound, nil))
	s.env.ExecuteWorkflow(ProvisionCluster, spec)
	s.Require().Error(s.env.GetWorkflowError())
	s.Nil(s.status().Released) // ReleaseCluster has no mock: calling it would fail the test
}

func (s *provisionSuite) TestInvalidSpecFailsBeforeAnyActivity() {
	spec := testSpec()
	spec.HostGroups[1].Name = "workers"
	s.env.ExecuteWorkflow(ProvisionCluster, spec)
	err := s.env.GetWorkflowError()
	s.Require().Error(err)
	s.Contains(err.Error(), `host group "workers" is not in blueprint`)
}
