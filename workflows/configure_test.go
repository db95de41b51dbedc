package workflows

import (
	"strings"
	"time"

	"github.com/stretchr/testify/mock"

	"github.com/herdhq/herd/activities"
	"github.com/herdhq/herd/cluster"
)

// A configuration change writes a new version under a tag of the
// operation's, restarts what it made stale with a request of the same
// tag, and follows that request; a change to what already is restarts
// nothing; a service is stopped on its own.
func (s *clusterSuite) TestConfigChangeAndServiceControl() {
	s.provisionMocks()
	var tag string
	s.env.OnActivity(a.ChangeConfig, mock.Anything, mock.MatchedBy(func(in activities.ConfigInput) bool {
		tag = in.Tag
		return in.Type == "hdfs-site" && in.Set["dfs.replication"] == "3" && strings.HasPrefix(in.Tag, "herd-") && in.AmbariURL != ""
	})).Return(activities.ConfigResult{Version: 2, Changed: true}, nil).Once()
	s.env.OnActivity(a.ChangeConfig, mock.Anything, mock.MatchedBy(func(in activities.ConfigInput) bool {
		return in.Type == "core-site"
	})).Return(activities.ConfigResult{Version: 4}, nil).Once()
	s.env.OnActivity(a.ServiceCommand, mock.Anything, mock.MatchedBy(func(in activities.CommandInput) bool {
		return in.Action == activities.ActionRestartStale && in.Service == "" && in.Stack == "HDP-2.1" && strings.Contains(in.Context, "("+tag+")")
	})).Return(int64(7), nil).Once()
	s.env.OnActivity(a.ServiceCommand, mock.Anything, mock.MatchedBy(func(in activities.CommandInput) bool {
		return in.Action == activities.ActionStop && in.Service == "HDFS"
	})).Return(int64(8), nil).Once()
	set, same, stop := &outcome{}, &outcome{}, &outcome{}
	var after cluster.Status
	s.update(time.Minute, cluster.UpdateConfig, set, cluster.ConfigRequest{Type: "hdfs-site", Set: map[string]string{"dfs.replication": "3"}})
	s.env.RegisterDelayedCallback(func() { after = s.status() }, 90*time.Second)
	s.update(2*time.Minute, cluster.UpdateConfig, same, cluster.ConfigRequest{Type: "core-site", Unset: []string{"gone"}})
	s.update(3*time.Minute, cluster.UpdateService, stop, cluster.ServiceRequest{Service: "HDFS", Action: cluster.ServiceStop})
	s.terminateAt(4 * time.Minute)
	s.env.ExecuteWorkflow(ClusterWorkflow, cluster.ClusterInput{Spec: testSpec()})
	s.Require().NoError(s.env.GetWorkflowError())
	s.Require().NoError(set.err)
	s.Equal(int64(7), set.result.RequestID)
	s.Equal("config hdfs-site", after.Operation)
	s.Equal(cluster.PhaseReady, after.Phase)
	s.Contains(after.Step(StepConfig).Detail, "hdfs-site version 2")
	s.Equal("request 7", after.Step(StepCommand).Detail)
	s.Require().NoError(same.err)
	s.Zero(same.result.RequestID, "nothing changed, nothing restarted")
	s.Require().NoError(stop.err)
	s.Equal(int64(8), stop.result.RequestID)
}

// Bad changes are refused before anything runs, each naming the fix.
func (s *clusterSuite) TestBadConfigAndServiceRequestsAreRefused() {
	s.provisionMocks()
	cases := []struct {
		update string
		req    any
		want   string
	}{
		{cluster.UpdateConfig, cluster.ConfigRequest{Type: "hdfs-site"}, "nothing to change in hdfs-site"},
		{cluster.UpdateConfig, cluster.ConfigRequest{Type: "HDFS SITE", Set: map[string]string{"a": "1"}}, "give one such as hdfs-site"},
		{cluster.UpdateConfig, cluster.ConfigRequest{Type: "x", Set: map[string]string{"a": "1"}, Unset: []string{"a"}}, "both set and removed"},
		{cluster.UpdateService, cluster.ServiceRequest{Service: "HIVE", Action: "stop"}, `no service "HIVE" (it has: HDFS)`},
		{cluster.UpdateService, cluster.ServiceRequest{Service: "HDFS", Action: "reboot"}, "not one of start, stop, restart"},
	}
	outs := make([]*outcome, len(cases))
	for i, c := range cases {
		outs[i] = &outcome{}
		s.update(time.Minute+time.Duration(i)*time.Second, c.update, outs[i], c.req)
	}
	s.terminateAt(2 * time.Minute)
	s.env.ExecuteWorkflow(ClusterWorkflow, cluster.ClusterInput{Spec: testSpec()})
	s.Require().NoError(s.env.GetWorkflowError())
	for i, c := range cases {
		s.ErrorContains(outs[i].rejected, c.want)
	}
	// ChangeConfig and ServiceCommand have no mocks: running one would fail the test.
}
