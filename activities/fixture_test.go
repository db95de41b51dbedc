package activities_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/herdhq/herd/activities"
	"github.com/herdhq/herd/blueprints"
	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/internal/dockertest"
	"github.com/herdhq/herd/internal/inproc"
	"github.com/herdhq/herd/providers"
	"github.com/herdhq/herd/secrets"
)

// backend is a provider the activities are tested on: nodes in this
// process (no Docker needed), or containers on the local engine.
type backend struct {
	name string
	make func(t *testing.T, spec *cluster.Spec) (p providers.Provider, nodes func() []string, stop func(cluster.NodeInfo))
}

var inprocBackend = backend{"inproc", func(t *testing.T, spec *cluster.Spec) (providers.Provider, func() []string, func(cluster.NodeInfo)) {
	p := inproc.New(t.TempDir())
	spec.Provider = "inproc"
	t.Cleanup(func() { _, _ = p.Release(context.Background(), spec.Target()) })
	stop := func(n cluster.NodeInfo) {
		if err := p.StopNodes(context.Background(), spec.Target(), []cluster.Node{n.Node}); err != nil {
			t.Fatal(err)
		}
	}
	return p, func() []string { return p.Nodes(spec.Name) }, stop
}}

var dockerBackend = backend{"docker", func(t *testing.T, spec *cluster.Spec) (providers.Provider, func() []string, func(cluster.NodeInfo)) {
	p := dockertest.Provider(t)
	spec.Image = dockertest.NodeImage(t, p.Client)
	dockertest.Release(t, p, spec.Name)
	containers := func() []string {
		names, err := p.Containers(context.Background(), spec.Name)
		if err != nil {
			t.Fatal(err)
		}
		return names
	}
	stop := func(n cluster.NodeInfo) {
		if err := p.Client.ContainerStop(context.Background(), n.ContainerID, container.StopOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	return p, containers, stop
}}

// both runs a test on each backend.
func both(t *testing.T, test func(t *testing.T, b backend)) {
	for _, b := range []backend{inprocBackend, dockerBackend} {
		t.Run(b.name, func(t *testing.T) { test(t, b) })
	}
}

type fixture struct {
	t     *testing.T
	env   *testsuite.TestActivityEnvironment
	acts  *activities.Activities
	spec  cluster.Spec
	nodes func() []string
	stop  func(cluster.NodeInfo) // graceful: the node leaves Serf
}

func newFixture(t *testing.T, b backend, name string, nodeEnv map[string]string) *fixture {
	spec, err := blueprints.NewSpec(name, "multi-node-hdfs-yarn", 3)
	if err != nil {
		t.Fatal(err)
	}
	spec.Domain, spec.NodeEnv = "herd.test", nodeEnv
	p, nodes, stop := b.make(t, &spec)
	master, _ := secrets.Generate()
	acts := &activities.Activities{Providers: providers.Registry{spec.Provider: p}, Master: master, PollInterval: 200 * time.Millisecond}
	var ts testsuite.WorkflowTestSuite
	env := ts.NewTestActivityEnvironment()
	env.RegisterActivity(acts)
	return &fixture{t: t, env: env, acts: acts, spec: spec, nodes: nodes, stop: stop}
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

func (f *fixture) all() activities.NodesInput {
	return activities.NodesInput{Target: f.spec.Target(), Nodes: f.spec.Nodes()}
}

func (f *fixture) startInput(n cluster.Node, inst cluster.Instance, joinIP string) activities.StartNodeInput {
	return activities.StartNodeInput{Target: f.spec.Target(), Node: n, Instance: inst, JoinIP: joinIP, NodeEnv: f.spec.NodeEnv}
}

// startCluster runs the steps up to the agents and returns the nodes.
func (f *fixture) startCluster() []cluster.NodeInfo {
	out, inst := f.startServer()
	for i, n := range f.spec.Nodes()[1:] {
		var info cluster.NodeInfo
		f.must(&info, f.acts.StartAgentContainer, f.startInput(n, inst[i+1], out[0].IP))
		out = append(out, info)
	}
	return out
}

// startServer runs the steps up to the server and returns it, with the
// instances of every node.
func (f *fixture) startServer() ([]cluster.NodeInfo, []cluster.Instance) {
	nodes := f.spec.Nodes()
	var inst, again []cluster.Instance
	f.must(&inst, f.acts.AllocateInstances, f.all())
	f.must(&again, f.acts.AllocateInstances, f.all())
	if len(inst) != 3 || inst[2] != again[2] {
		f.t.Fatalf("allocation must be idempotent: %v vs %v", inst, again)
	}
	var hosts activities.HostsResult
	in := activities.CloudInitInput{NodesInput: f.all(), Instances: inst}
	f.must(&hosts, f.acts.ApplyCloudInit, in)
	f.must(&hosts, f.acts.ApplyCloudInit, in) // a retry finds the hosts set up
	var server cluster.NodeInfo
	f.must(&server, f.acts.StartServerContainer, f.startInput(nodes[0], inst[0], ""))
	return []cluster.NodeInfo{server}, inst
}

func nonRetryable(t *testing.T, err error, errType string) {
	t.Helper()
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || !app.NonRetryable() || app.Type() != errType {
		t.Fatalf("want non-retryable %s, got %v", errType, err)
	}
}
