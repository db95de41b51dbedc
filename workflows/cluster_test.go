package workflows

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/suite"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/herdhq/herd/activities"
	"github.com/herdhq/herd/ambari"
	"github.com/herdhq/herd/cluster"
)

type clusterSuite struct {
	suite.Suite
	testsuite.WorkflowTestSuite
	env *testsuite.TestWorkflowEnvironment
	// repairing is set by a test once its repair is under way.
	repairing bool
	// delivered are the alerts delivered, in order.
	delivered []cluster.Alert
}

func TestClusterWorkflow(t *testing.T) { suite.Run(t, new(clusterSuite)) }

func (s *clusterSuite) SetupTest() {
	s.repairing = false
	s.env = s.NewTestWorkflowEnvironment()
	s.env.RegisterActivity(&activities.Activities{})
	s.env.RegisterWorkflow(DeliverAlertWorkflow)
	s.delivered = nil
	s.env.OnActivity(a.DeliverAlert, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in cluster.DeliverInput) (cluster.Delivered, error) {
			s.delivered = append(s.delivered, in.Alert)
			return cluster.Delivered{Targets: []string{"hook"}}, nil
		}).Maybe()
}

func (s *clusterSuite) TearDownTest() { s.env.AssertExpectations(s.T()) }

func testSpec() cluster.Spec {
	return cluster.Spec{
		Name: "c1", BlueprintName: "hdfs", Provider: "docker", Image: "herd-node:dev", Domain: "herd.local",
		Blueprint: ambari.Blueprint{Blueprints: ambari.BlueprintInfo{StackName: "HDP", StackVersion: "2.1"},
			HostGroups: []ambari.HostGroup{
				{Name: "master", Cardinality: "1", Components: []ambari.Component{{Name: "NAMENODE"}, {Name: "SECONDARY_NAMENODE"}}},
				{Name: "slaves", Cardinality: "1+", Components: []ambari.Component{{Name: "DATANODE"}, {Name: "HDFS_CLIENT"}}},
			}},
		HostGroups:   []cluster.HostGroup{{Name: "master", Count: 1}, {Name: "slaves", Count: 2}},
		MaxGroupSize: 10,
	}
}

func instancesFor(_ context.Context, in activities.NodesInput) ([]cluster.Instance, error) {
	var out []cluster.Instance
	for _, n := range in.Nodes {
		out = append(out, cluster.Instance{ID: n.Name, Index: n.Index})
	}
	return out, nil
}

func nodeInfo(_ context.Context, in activities.StartNodeInput) (cluster.NodeInfo, error) {
	if !in.Node.IsServer() && in.JoinIP != "172.20.0.2" {
		return cluster.NodeInfo{}, errors.New("agent not given the server's IP as join IP")
	}
	ip := "172.20.0." + string(rune('1'+in.Node.Index))
	return cluster.NodeInfo{Node: in.Node, IP: ip, AmbariURL: "http://127.0.0.1:1", SerfRPC: "127.0.0.1:2"}, nil
}

// provisionMocks expects provisioning to succeed (any number of times, for
// the steps that later operations use again).
func (s *clusterSuite) provisionMocks() {
	s.env.OnActivity(a.AllocateInstances, mock.Anything, mock.Anything).Return(instancesFor).Maybe()
	s.env.OnActivity(a.ApplyCloudInit, mock.Anything, mock.Anything).Return(activities.HostsResult{Hosts: 3}, nil).Maybe()
	s.env.OnActivity(a.StartServerContainer, mock.Anything, mock.Anything).Return(nodeInfo).Maybe()
	s.env.OnActivity(a.StartAgentContainer, mock.Anything, mock.Anything).Return(nodeInfo).Maybe()
	s.env.OnActivity(a.WaitForSerfQuorum, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.QuorumInput) (activities.QuorumResult, error) {
			return activities.QuorumResult{Alive: len(in.Nodes)}, nil
		}).Maybe()
	s.env.OnActivity(a.SubmitBlueprint, mock.Anything, mock.Anything).Return(int64(1), nil).Maybe()
	s.env.OnActivity(a.PollAmbariRequest, mock.Anything, mock.Anything).Return(activities.RequestOutcome{Status: "COMPLETED", ProgressPercent: 100}, nil).Maybe()
	s.watchMock()
}

// watchMock stands for the health watch: it runs for a day of workflow
// time (it is cancelled before), reporting nothing.
func (s *clusterSuite) watchMock() {
	s.env.OnActivity(a.WatchHealth, mock.Anything, mock.Anything).After(24 * time.Hour).Return(nil).Maybe()
}

func (s *clusterSuite) expectRelease() {
	s.env.OnActivity(a.ReleaseCluster, mock.Anything, cluster.ReleaseInput{Cluster: "c1", Provider: "docker"}).
		Return(cluster.Released{Containers: 3, Networks: 1}, nil).Once()
}

func (s *clusterSuite) status() cluster.Status {
	v, err := s.env.QueryWorkflow(cluster.QueryStatus)
	s.Require().NoError(err)
	var st cluster.Status
	s.Require().NoError(v.Get(&st))
	return st
}

// update sends an update at workflow time `at`; the outcome lands in out.
type outcome struct {
	rejected, err error
	result        cluster.OpResult
	done          bool
}

func (s *clusterSuite) update(at time.Duration, name string, out *outcome, args ...any) {
	s.env.RegisterDelayedCallback(func() {
		s.env.UpdateWorkflow(name, name+at.String(), &testsuite.TestUpdateCallback{
			OnAccept: func() {},
			OnReject: func(err error) { out.rejected, out.done = err, true },
			OnComplete: func(v any, err error) {
				out.err, out.done = err, true
				if r, ok := v.(cluster.OpResult); ok {
					out.result = r
				}
			},
		}, args...)
	}, at)
}

func (s *clusterSuite) terminateAt(at time.Duration) *outcome {
	s.expectRelease()
	out := &outcome{}
	s.update(at, cluster.UpdateTerminate, out)
	return out
}

func (s *clusterSuite) TestProvisionThenTerminate() {
	s.provisionMocks()
	var ready cluster.Status
	s.env.RegisterDelayedCallback(func() { ready = s.status() }, time.Minute)
	term := s.terminateAt(2 * time.Minute)
	s.env.ExecuteWorkflow(ClusterWorkflow, cluster.ClusterInput{Spec: testSpec()})
	s.Require().True(s.env.IsWorkflowCompleted())
	s.Require().NoError(s.env.GetWorkflowError())
	s.Equal(cluster.PhaseReady, ready.Phase)
	s.Equal("provision", ready.Operation)
	for _, step := range ready.Steps {
		s.Equal(cluster.StepDone, step.State, step.Name)
	}
	s.Len(ready.Nodes, 3)
	for _, n := range ready.Nodes {
		s.Equal(cluster.NodeUp, n.State, n.Name)
		s.NotEmpty(n.IP)
	}
	s.Require().NoError(term.err)
	st := s.status()
	s.Equal(cluster.PhaseTerminated, st.Phase)
	s.Equal(3, st.Released.Containers)
}

// TestEachActivityIsRetried fails every provisioning step once with a
// retryable error: provisioning still completes.
func (s *clusterSuite) TestEachActivityIsRetried() {
	transient := errors.New("transient")
	s.env.OnActivity(a.AllocateInstances, mock.Anything, mock.Anything).Return(nil, transient).Once()
	s.env.OnActivity(a.ApplyCloudInit, mock.Anything, mock.Anything).Return(activities.HostsResult{}, transient).Once()
	s.env.OnActivity(a.StartServerContainer, mock.Anything, mock.Anything).Return(cluster.NodeInfo{}, transient).Once()
	s.env.OnActivity(a.StartAgentContainer, mock.Anything, mock.Anything).Return(cluster.NodeInfo{}, transient).Once()
	s.env.OnActivity(a.WaitForSerfQuorum, mock.Anything, mock.Anything).Return(activities.QuorumResult{}, transient).Once()
	s.env.OnActivity(a.SubmitBlueprint, mock.Anything, mock.Anything).Return(int64(0), transient).Once()
	s.env.OnActivity(a.PollAmbariRequest, mock.Anything, mock.Anything).Return(activities.RequestOutcome{}, transient).Once()
	s.provisionMocks()
	var ready cluster.Status
	s.env.RegisterDelayedCallback(func() { ready = s.status() }, 10*time.Minute)
	s.terminateAt(11 * time.Minute)
	s.env.ExecuteWorkflow(ClusterWorkflow, cluster.ClusterInput{Spec: testSpec()})
	s.Require().NoError(s.env.GetWorkflowError())
	s.Equal(cluster.PhaseReady, ready.Phase)
}

func (s *clusterSuite) TestQuorumTimeoutCompensates() {
	s.env.OnActivity(a.WaitForSerfQuorum, mock.Anything, mock.Anything).Return(activities.QuorumResult{},
		temporal.NewNonRetryableApplicationError("serf quorum not reached: 2/3 alive, missing c1-3.herd.local", activities.ErrQuorumTimeout, nil)).Once()
	s.provisionMocks()
	s.expectRelease()
	s.env.ExecuteWorkflow(ClusterWorkflow, cluster.ClusterInput{Spec: testSpec()})
	err := s.env.GetWorkflowError()
	s.Require().Error(err)
	s.Contains(err.Error(), "missing c1-3.herd.local")
	st := s.status()
	s.Equal(cluster.PhaseFailed, st.Phase)
	s.Equal(cluster.StepFailed, st.Step(StepQuorum).State)
	s.Equal(cluster.StepDone, st.Step(StepBlueprint).State, "submitted while the agents started")
	s.Equal(cluster.StepPending, st.Step(StepPollRequest).State)
	s.Require().NotNil(st.Released)
}

// The blueprint and the cluster are submitted while the agents still
// start, naming every node; the request is followed once all registered.
func (s *clusterSuite) TestSubmitOverlapsTheAgentsStart() {
	var submittedAt, agentsDoneAt time.Time
	s.env.OnActivity(a.StartAgentContainer, mock.Anything, mock.Anything).After(time.Minute).Return(
		func(_ context.Context, in activities.StartNodeInput) (cluster.NodeInfo, error) {
			agentsDoneAt = s.env.Now()
			return nodeInfo(context.Background(), in)
		})
	s.env.OnActivity(a.SubmitBlueprint, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.BlueprintInput) (int64, error) {
			submittedAt = s.env.Now()
			s.True(in.Early)
			s.Len(in.Nodes, 3)
			return 7, nil
		}).Once()
	s.env.OnActivity(a.PollAmbariRequest, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.PollInput) (activities.RequestOutcome, error) {
			s.Equal(int64(7), in.RequestID)
			s.Len(in.Nodes, 3, "the poll waits for every host to register first")
			return activities.RequestOutcome{Status: "COMPLETED", ProgressPercent: 100}, nil
		}).Once()
	s.provisionMocks()
	s.terminateAt(10 * time.Minute)
	s.env.ExecuteWorkflow(ClusterWorkflow, cluster.ClusterInput{Spec: testSpec()})
	s.Require().NoError(s.env.GetWorkflowError())
	s.False(submittedAt.IsZero())
	s.True(submittedAt.Before(agentsDoneAt), "submitted at %v, agents done at %v", submittedAt, agentsDoneAt)
}

// When an agent cannot start, the early submission is cancelled and the
// cluster released: the workflow fails with the agent's error.
func (s *clusterSuite) TestAgentFailureCancelsTheEarlySubmit() {
	s.env.OnActivity(a.StartAgentContainer, mock.Anything, mock.Anything).Return(cluster.NodeInfo{},
		temporal.NewNonRetryableApplicationError("no such image", "ImageMissing", nil))
	s.env.OnActivity(a.SubmitBlueprint, mock.Anything, mock.Anything).After(time.Hour).Return(int64(7), nil).Maybe()
	s.provisionMocks()
	s.expectRelease()
	var cancelled []string
	s.env.SetOnActivityCanceledListener(func(info *activity.Info) { cancelled = append(cancelled, info.ActivityType.Name) })
	start := s.env.Now()
	s.env.ExecuteWorkflow(ClusterWorkflow, cluster.ClusterInput{Spec: testSpec()})
	err := s.env.GetWorkflowError()
	s.Require().Error(err)
	s.Contains(err.Error(), "no such image")
	s.Less(s.env.Now().Sub(start), time.Hour, "the submission (an hour long) was not waited for")
	s.Contains(cancelled, "SubmitBlueprint")
	st := s.status()
	s.Equal(cluster.PhaseFailed, st.Phase)
	s.Equal(cluster.StepPending, st.Step(StepPollRequest).State)
	s.Require().NotNil(st.Released)
}

func (s *clusterSuite) TestAmbariFailureCompensates() {
	failed := temporal.NewNonRetryableApplicationError("ambari request 1 ended FAILED: failed tasks: INSTALL DATANODE on c1-3.herd.local", activities.ErrAmbariRequestFailed, nil)
	s.env.OnActivity(a.PollAmbariRequest, mock.Anything, mock.Anything).Return(activities.RequestOutcome{}, failed).Once()
	s.provisionMocks()
	s.expectRelease()
	s.env.ExecuteWorkflow(ClusterWorkflow, cluster.ClusterInput{Spec: testSpec()})
	s.Require().ErrorContains(s.env.GetWorkflowError(), "INSTALL DATANODE on c1-3.herd.local")
	s.Equal(cluster.PhaseFailed, s.status().Phase)
}

func (s *clusterSuite) TestKeepOnFailureSkipsCompensation() {
	spec := testSpec()
	spec.KeepOnFailure = true
	s.env.OnActivity(a.ApplyCloudInit, mock.Anything, mock.Anything).Return(activities.HostsResult{},
		temporal.NewNonRetryableApplicationError("image missing", activities.ErrImageNotFound, nil))
	s.provisionMocks()
	s.env.ExecuteWorkflow(ClusterWorkflow, cluster.ClusterInput{Spec: spec})
	s.Require().Error(s.env.GetWorkflowError())
	s.Nil(s.status().Released) // ReleaseCluster has no mock: calling it would fail the test
}

func (s *clusterSuite) TestInvalidSpecFailsBeforeAnyActivity() {
	spec := testSpec()
	spec.HostGroups[1].Name = "workers"
	s.env.ExecuteWorkflow(ClusterWorkflow, cluster.ClusterInput{Spec: spec})
	s.Require().ErrorContains(s.env.GetWorkflowError(), `host group "workers" is not in blueprint`)
}

// continued is the input the workflow continued as new with.
func (s *clusterSuite) continued() cluster.ClusterInput {
	var can *workflow.ContinueAsNewError
	s.Require().ErrorAs(s.env.GetWorkflowError(), &can)
	var next cluster.ClusterInput
	s.Require().NoError(converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
	s.Require().NotNil(next.State)
	return next
}

// await-provisioned answers a client once provisioning ended, with the
// ready status, and is refused once it is over (nothing then to wait for).
func (s *clusterSuite) TestAwaitProvisionedAnswersWhenReady() {
	s.env.OnActivity(a.PollAmbariRequest, mock.Anything, mock.Anything).After(10*time.Second).
		Return(activities.RequestOutcome{Status: "COMPLETED", ProgressPercent: 100}, nil).Once()
	s.provisionMocks() // after: the slow poll is the one matched
	type awaited struct {
		status   cluster.Status
		at       time.Time
		rejected error
		done     bool
	}
	var during, after awaited
	send := func(at time.Duration, id string, out *awaited) {
		s.env.RegisterDelayedCallback(func() {
			s.env.UpdateWorkflow(cluster.UpdateAwaitProvisioned, id, &testsuite.TestUpdateCallback{
				OnAccept: func() {},
				OnReject: func(err error) { out.rejected, out.done = err, true },
				OnComplete: func(v any, err error) {
					s.Require().NoError(err)
					out.status, out.at, out.done = v.(cluster.Status), s.env.Now(), true
				},
			})
		}, at)
	}
	start := s.env.Now()
	send(time.Second, "during", &during)
	send(time.Minute, "after", &after)
	s.terminateAt(2 * time.Minute)
	s.env.ExecuteWorkflow(ClusterWorkflow, cluster.ClusterInput{Spec: testSpec()})
	s.Require().True(during.done && after.done)
	s.Require().NoError(during.rejected)
	s.Equal(cluster.PhaseReady, during.status.Phase)
	s.GreaterOrEqual(during.at.Sub(start), 10*time.Second, "answered before the request completed")
	s.Require().Error(after.rejected, "await-provisioned is accepted when provisioning is over")
	s.Contains(after.rejected.Error(), "not being provisioned")
}
