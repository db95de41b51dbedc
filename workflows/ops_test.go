package workflows

import (
	"cmp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/herdhq/herd/activities"
	"github.com/herdhq/herd/cluster"
)

func names(nodes []cluster.Node) []string {
	var out []string
	for _, n := range nodes {
		out = append(out, n.Name)
	}
	return out
}

func (s *clusterSuite) TestScaleUpThenDown() {
	s.provisionMocks()
	s.env.OnActivity(a.AddAmbariHosts, mock.Anything, mock.MatchedBy(func(in activities.HostsInput) bool {
		return s.Equal([]string{"c1-4", "c1-5"}, names(in.Nodes))
	})).Return(int64(2), nil).Once()
	s.env.OnActivity(a.RemoveAmbariHosts, mock.Anything, mock.MatchedBy(func(in activities.HostsInput) bool {
		return s.Equal([]string{"c1-5", "c1-4", "c1-3"}, names(in.Nodes)) // newest first, never the server
	})).Return(nil).Once()
	s.env.OnActivity(a.RemoveNodes, mock.Anything, mock.Anything).Return(cluster.Released{Containers: 3}, nil).Once()
	up, down := &outcome{}, &outcome{}
	var afterUp cluster.Status
	s.update(time.Minute, cluster.UpdateScale, up, cluster.ScaleRequest{HostGroup: "slaves", Count: 4})
	s.env.RegisterDelayedCallback(func() { afterUp = s.status() }, 2*time.Minute)
	s.update(3*time.Minute, cluster.UpdateScale, down, cluster.ScaleRequest{HostGroup: "slaves", Count: 1})
	s.terminateAt(4 * time.Minute)
	s.env.ExecuteWorkflow(ClusterWorkflow, cluster.ClusterInput{Spec: testSpec()})
	s.Require().NoError(s.env.GetWorkflowError())
	s.Require().NoError(up.err)
	s.Equal(5, up.result.Nodes)
	s.Len(afterUp.Nodes, 5)
	s.Require().NoError(down.err)
	s.Equal(2, down.result.Nodes)
}

func (s *clusterSuite) TestOutOfRangeScaleIsRefusedWithoutTouchingTheCluster() {
	s.provisionMocks()
	cases := []cluster.ScaleRequest{{HostGroup: "slaves", Count: 0}, {HostGroup: "slaves", Count: 11}, {HostGroup: "master", Count: 2}, {HostGroup: "nope", Count: 2}}
	outs := make([]*outcome, len(cases))
	for i, req := range cases {
		outs[i] = &outcome{}
		s.update(time.Minute+time.Duration(i)*time.Second, cluster.UpdateScale, outs[i], req)
	}
	s.terminateAt(2 * time.Minute)
	s.env.ExecuteWorkflow(ClusterWorkflow, cluster.ClusterInput{Spec: testSpec()})
	s.Require().NoError(s.env.GetWorkflowError())
	s.ErrorContains(outs[0].rejected, `host group "slaves" of cluster c1 can have 1 to 10 nodes, not 0`)
	s.ErrorContains(outs[1].rejected, "not 11")
	s.ErrorContains(outs[2].rejected, `host group "master" of cluster c1 can have 1 to 1 nodes, not 2`)
	s.ErrorContains(outs[3].rejected, `cluster c1 has no host group "nope"`)
	// AddAmbariHosts/RemoveNodes have no mocks: any scaling would have failed the test.
}

func (s *clusterSuite) TestConcurrentOperationsAreSerialised() {
	s.provisionMocks()
	s.env.OnActivity(a.AddAmbariHosts, mock.Anything, mock.Anything).After(time.Minute).Return(int64(2), nil).Once()
	first, second := &outcome{}, &outcome{}
	s.update(time.Minute, cluster.UpdateScale, first, cluster.ScaleRequest{HostGroup: "slaves", Count: 3})
	s.update(time.Minute+10*time.Second, cluster.UpdateScale, second, cluster.ScaleRequest{HostGroup: "slaves", Count: 5})
	s.terminateAt(5 * time.Minute)
	s.env.ExecuteWorkflow(ClusterWorkflow, cluster.ClusterInput{Spec: testSpec()})
	s.Require().NoError(s.env.GetWorkflowError())
	s.Require().NoError(first.err)
	s.Equal(4, first.result.Nodes)
	s.ErrorContains(second.rejected, `operation "scale slaves to 3" is running on cluster c1`)
}

func (s *clusterSuite) TestFailedUpscaleRollsBackOnlyNewNodes() {
	s.provisionMocks()
	s.env.OnActivity(a.AddAmbariHosts, mock.Anything, mock.Anything).Return(int64(0),
		temporal.NewNonRetryableApplicationError("ambari refused the hosts", "HostsRefused", nil)).Once()
	s.env.OnActivity(a.RemoveAmbariHosts, mock.Anything, mock.MatchedBy(func(in activities.HostsInput) bool {
		return s.Equal([]string{"c1-4"}, names(in.Nodes))
	})).Return(nil).Once()
	s.env.OnActivity(a.RemoveNodes, mock.Anything, mock.MatchedBy(func(in activities.NodesInput) bool {
		return s.Equal([]string{"c1-4"}, names(in.Nodes))
	})).Return(cluster.Released{Containers: 1}, nil).Once()
	up := &outcome{}
	var after cluster.Status
	s.update(time.Minute, cluster.UpdateScale, up, cluster.ScaleRequest{HostGroup: "slaves", Count: 3})
	s.env.RegisterDelayedCallback(func() { after = s.status() }, 2*time.Minute)
	s.terminateAt(3 * time.Minute)
	s.env.ExecuteWorkflow(ClusterWorkflow, cluster.ClusterInput{Spec: testSpec()})
	s.Require().NoError(s.env.GetWorkflowError())
	s.ErrorContains(up.err, "ambari refused the hosts")
	s.Equal(cluster.PhaseReady, after.Phase)
	s.Len(after.Nodes, 3)
	s.Equal(cluster.StepDone, after.Step(StepRollback).State)
	s.checkAlerts(after, "", cluster.AlertOpFailed)
	s.Contains(after.Alerts[0].Text, "scale slaves to 3 of cluster c1 failed: ambari refused the hosts")
}

func (s *clusterSuite) TestStopAndStart() {
	s.provisionMocks()
	s.env.OnActivity(a.SetServicesState, mock.Anything, mock.MatchedBy(func(in activities.ServicesInput) bool { return in.State == "INSTALLED" })).Return(int64(2), nil).Once()
	s.env.OnActivity(a.StopNodes, mock.Anything, mock.MatchedBy(func(in activities.NodesInput) bool {
		return s.Equal([]string{"c1-2", "c1-3", "c1-1"}, names(in.Nodes)) // the server last
	})).Return(nil).Once()
	s.env.OnActivity(a.SetServicesState, mock.Anything, mock.MatchedBy(func(in activities.ServicesInput) bool { return in.State == "STARTED" })).Return(int64(3), nil).Once()
	stop, start, again := &outcome{}, &outcome{}, &outcome{}
	s.update(time.Minute, cluster.UpdateStop, stop)
	s.update(2*time.Minute, cluster.UpdateStop, again)
	s.update(3*time.Minute, cluster.UpdateStart, start)
	s.terminateAt(4 * time.Minute)
	s.env.ExecuteWorkflow(ClusterWorkflow, cluster.ClusterInput{Spec: testSpec()})
	s.Require().NoError(s.env.GetWorkflowError())
	s.Require().NoError(stop.err)
	s.Equal(cluster.PhaseStopped, stop.result.Phase)
	s.ErrorContains(again.rejected, "cluster c1 is stopped")
	s.Require().NoError(start.err)
	s.Equal(cluster.PhaseReady, start.result.Phase)
}

func (s *clusterSuite) TestContinueAsNewCarriesState() {
	s.provisionMocks()
	s.env.OnActivity(a.AddAmbariHosts, mock.Anything, mock.Anything).Return(int64(2), nil).Once()
	up := &outcome{}
	s.update(time.Minute, cluster.UpdateScale, up, cluster.ScaleRequest{HostGroup: "slaves", Count: 3})
	s.env.ExecuteWorkflow(ClusterWorkflow, cluster.ClusterInput{Spec: testSpec(), ContinueAfterOps: 1})
	err := s.env.GetWorkflowError()
	var can *workflow.ContinueAsNewError
	s.Require().ErrorAs(err, &can)
	var next cluster.ClusterInput
	s.Require().NoError(converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
	s.Require().NotNil(next.State)
	s.Len(next.State.Nodes, 4)
	s.Equal(5, next.State.NextIndex)
	s.Equal(3, next.Spec.HostGroups[1].Count)
	s.Equal(cluster.PhaseReady, next.State.Status.Phase)
	s.Equal(1, next.ContinueAfterOps)

	// The next run picks up from that state: no provisioning, straight to operations.
	s.SetupTest()
	s.watchMock()
	s.env.OnActivity(a.SetServicesState, mock.Anything, mock.Anything).Return(int64(0), nil).Once()
	s.env.OnActivity(a.StopNodes, mock.Anything, mock.MatchedBy(func(in activities.NodesInput) bool { return len(in.Nodes) == 4 })).Return(nil).Once()
	stop := &outcome{}
	s.update(time.Minute, cluster.UpdateStop, stop)
	s.env.ExecuteWorkflow(ClusterWorkflow, next)
	s.Require().NoError(stop.err)
	s.Equal(4, stop.result.Nodes)
}

// A scale past the largest cluster herd supports is refused before
// anything starts, naming the count that would fit.
func TestScalePastMaxNodesIsRefused(t *testing.T) {
	c := &clusterRun{}
	c.st = &c.state
	c.state.Spec = testSpec()
	c.state.Spec.MaxGroupSize = 2 * cluster.MaxNodes
	c.state.Status.Phase = cluster.PhaseReady
	for _, n := range append(c.state.Spec.Nodes(), make([]cluster.Node, 8998)...) {
		n.HostGroup = cmp.Or(n.HostGroup, "slaves")
		c.state.Nodes = append(c.state.Nodes, cluster.NodeInfo{Node: n})
	}
	err := c.validateScale(nil, cluster.ScaleRequest{HostGroup: "slaves", Count: cluster.MaxNodes})
	if err == nil || !strings.Contains(err.Error(), "herd supports at most 10000 in one cluster; scale slaves to at most 9999") {
		t.Fatalf("want a refusal naming the fix, got %v", err)
	}
	if err := c.validateScale(nil, cluster.ScaleRequest{HostGroup: "slaves", Count: cluster.MaxNodes - 1}); err != nil {
		t.Fatalf("a cluster of MaxNodes must be allowed: %v", err)
	}
}
