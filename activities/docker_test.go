package activities_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/herdhq/herd/activities"
	"github.com/herdhq/herd/blueprints"
	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/internal/dockertest"
	"github.com/herdhq/herd/providers"
	"github.com/herdhq/herd/providers/docker"
	"github.com/herdhq/herd/secrets"
)

type fixture struct {
	t    *testing.T
	env  *testsuite.TestActivityEnvironment
	acts *activities.Activities
	p    *docker.Provider
	spec cluster.Spec
}

func newFixture(t *testing.T, name string, nodeEnv map[string]string) *fixture {
	p := dockertest.Provider(t)
	master, _ := secrets.Generate()
	acts := &activities.Activities{Providers: providers.Registry{"docker": p}, Master: master, PollInterval: 200 * time.Millisecond}
	var ts testsuite.WorkflowTestSuite
	env := ts.NewTestActivityEnvironment()
	env.RegisterActivity(acts)
	_, bp, _ := blueprints.Load("multi-node-hdfs-yarn")
	spec := cluster.Spec{Name: name, BlueprintName: "multi-node-hdfs-yarn", Blueprint: bp, Provider: "docker",
		HostGroups: []cluster.HostGroup{{Name: "master", Count: 1}, {Name: "slaves", Count: 2}},
		Image:      dockertest.NodeImage(t, p.Client), Domain: "herd.test", NodeEnv: nodeEnv}
	dockertest.Release(t, p, name)
	return &fixture{t: t, env: env, acts: acts, p: p, spec: spec}
}

func (f *fixture) run(out any, fn any, args ...any) error {
	f.t.Helper()
	v, err := f.env.ExecuteActivity(fn, args...)
	if err != nil {
		return err
	}
	if out != nil {
		return v.Get(out)
	}
	return nil
}

func (f *fixture) must(out any, fn any, args ...any) {
	f.t.Helper()
	if err := f.run(out, fn, args...); err != nil {
		f.t.Fatal(err)
	}
}

// startCluster runs the steps up to the agents and returns the nodes.
func (f *fixture) startCluster() []cluster.NodeInfo {
	nodes := f.spec.Nodes()
	all := activities.NodesInput{Spec: f.spec, Nodes: nodes}
	var inst []providers.Instance
	f.must(&inst, f.acts.AllocateInstances, all)
	var again []providers.Instance
	f.must(&again, f.acts.AllocateInstances, all)
	if len(inst) != 3 || inst[2] != again[2] {
		f.t.Fatalf("allocation must be idempotent: %v vs %v", inst, again)
	}
	var ci activities.CloudInitResult
	f.must(&ci, f.acts.ApplyCloudInit, activities.CloudInitInput{NodesInput: all, Instances: inst})
	f.must(&ci, f.acts.ApplyCloudInit, activities.CloudInitInput{NodesInput: all, Instances: inst}) // a retry finds the network in place
	var server cluster.NodeInfo
	f.must(&server, f.acts.StartServerContainer, activities.StartNodeInput{Spec: f.spec, Node: nodes[0], Instance: inst[0]})
	out := []cluster.NodeInfo{server}
	for i, n := range nodes[1:] {
		var info cluster.NodeInfo
		f.must(&info, f.acts.StartAgentContainer, activities.StartNodeInput{Spec: f.spec, Node: n, Instance: inst[i+1], JoinIP: server.IP})
		out = append(out, info)
	}
	return out
}

func (f *fixture) containers() []string {
	names, err := f.p.Containers(context.Background(), f.spec.Name)
	if err != nil {
		f.t.Fatal(err)
	}
	return names
}

func TestActivitiesProvisionOnDocker(t *testing.T) {
	f := newFixture(t, "acttest", map[string]string{"EMU_TASK_DURATION": "0s"})
	nodes := f.startCluster()
	// A retried start adopts the container instead of creating another.
	var again cluster.NodeInfo
	f.must(&again, f.acts.StartAgentContainer, activities.StartNodeInput{Spec: f.spec, Node: nodes[1].Node, JoinIP: nodes[0].IP})
	if again.ContainerID != nodes[1].ContainerID || len(f.containers()) != 3 {
		t.Fatalf("retry must adopt %s, got %s; containers %v", nodes[1].ContainerID, again.ContainerID, f.containers())
	}
	var q activities.QuorumResult
	f.must(&q, f.acts.WaitForSerfQuorum, activities.QuorumInput{Cluster: f.spec.Name, RPCAddr: nodes[0].SerfRPC, Nodes: f.spec.Nodes()})
	if q.Alive != 3 {
		t.Fatalf("quorum: %+v", q)
	}
	in := activities.HostsInput{Spec: f.spec, AmbariURL: nodes[0].AmbariURL, Nodes: f.spec.Nodes()}
	var id, id2 int64
	f.must(&id, f.acts.SubmitBlueprint, in)
	f.must(&id2, f.acts.SubmitBlueprint, in) // retry after success continues
	if id == 0 || id2 != id {
		t.Fatalf("request ids %d then %d", id, id2)
	}
	var outcome activities.RequestOutcome
	f.must(&outcome, f.acts.PollAmbariRequest, activities.PollInput{Cluster: f.spec.Name, AmbariURL: nodes[0].AmbariURL, RequestID: id})
	if outcome.Status != "COMPLETED" || outcome.ProgressPercent != 100 {
		t.Fatalf("outcome %+v", outcome)
	}
	var rel providers.Released
	f.must(&rel, f.acts.ReleaseCluster, activities.ReleaseInput{Cluster: f.spec.Name, Provider: "docker"})
	if rel.Containers != 3 || rel.Networks != 1 || len(f.containers()) != 0 {
		t.Fatalf("release: %+v, left %v", rel, f.containers())
	}
	f.must(&rel, f.acts.ReleaseCluster, activities.ReleaseInput{Cluster: f.spec.Name, Provider: "docker"})
	if rel.Containers != 0 || rel.Networks != 0 {
		t.Fatalf("second release must find nothing: %+v", rel)
	}
}

func nonRetryable(t *testing.T, err error, errType string) {
	t.Helper()
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || !app.NonRetryable() || app.Type() != errType {
		t.Fatalf("want non-retryable %s, got %v", errType, err)
	}
}

func TestFailedInstallNamesTasksAndHosts(t *testing.T) {
	f := newFixture(t, "actfail", map[string]string{"EMU_TASK_DURATION": "0s", "EMU_FAIL_HOSTS": "actfail-3.herd.test"})
	nodes := f.startCluster()
	var id int64
	f.must(&id, f.acts.SubmitBlueprint, activities.HostsInput{Spec: f.spec, AmbariURL: nodes[0].AmbariURL, Nodes: f.spec.Nodes()})
	err := f.run(nil, f.acts.PollAmbariRequest, activities.PollInput{Cluster: f.spec.Name, AmbariURL: nodes[0].AmbariURL, RequestID: id})
	nonRetryable(t, err, activities.ErrAmbariRequestFailed)
	if !strings.Contains(err.Error(), "ended FAILED") || !strings.Contains(err.Error(), "on actfail-3.herd.test") {
		t.Fatalf("error must name the failed tasks and host: %v", err)
	}
}

func TestQuorumTimeoutNamesMissingNodes(t *testing.T) {
	f := newFixture(t, "actquorum", nil)
	nodes := f.startCluster()
	if err := f.p.Client.ContainerStop(context.Background(), nodes[2].ContainerID, container.StopOptions{}); err != nil {
		t.Fatal(err)
	}
	in := activities.QuorumInput{Cluster: f.spec.Name, RPCAddr: nodes[0].SerfRPC, Nodes: f.spec.Nodes(), Timeout: 8 * time.Second}
	err := f.run(nil, f.acts.WaitForSerfQuorum, in)
	nonRetryable(t, err, activities.ErrQuorumTimeout)
	if !strings.Contains(err.Error(), "missing actquorum-3.herd.test") || !strings.Contains(err.Error(), "2/3 alive") {
		t.Fatalf("error must name the missing node: %v", err)
	}
}

func TestMissingImageIsNotRetried(t *testing.T) {
	f := newFixture(t, "actnoimg", nil)
	f.spec.Image = "herd-node:does-not-exist"
	all := activities.NodesInput{Spec: f.spec, Nodes: f.spec.Nodes()}
	var inst []providers.Instance
	f.must(&inst, f.acts.AllocateInstances, all)
	err := f.run(nil, f.acts.ApplyCloudInit, activities.CloudInitInput{NodesInput: all, Instances: inst})
	nonRetryable(t, err, activities.ErrImageNotFound)
	if !strings.Contains(err.Error(), "make image") {
		t.Fatalf("error must say how to fix it: %v", err)
	}
}
