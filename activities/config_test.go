package activities_test

import (
	"context"

	"github.com/herdhq/herd/activities"
	"github.com/herdhq/herd/ambari"
)

// checkConfigIsIdempotent: a configuration change and its restart, each
// run twice as a retry would, make one version and one request, which
// completes and leaves nothing stale.
func (f *fixture) checkConfigIsIdempotent(ambariURL string) {
	t := f.t
	in := activities.ConfigInput{Cluster: f.spec.Name, AmbariURL: ambariURL, Type: "hdfs-site", Tag: "herd-1", Set: map[string]string{"dfs.herd.test": "1"}}
	var first, again activities.ConfigResult
	f.must(&first, f.acts.ChangeConfig, in)
	f.must(&again, f.acts.ChangeConfig, in)
	if !first.Changed || again != first {
		t.Fatalf("a retried change must find its version: %+v then %+v", first, again)
	}
	in.Tag = "herd-2"
	var same activities.ConfigResult
	f.must(&same, f.acts.ChangeConfig, in)
	if same.Changed || same.Version != first.Version {
		t.Fatalf("setting what already is makes no version: %+v", same)
	}
	cmd := activities.CommandInput{Cluster: f.spec.Name, AmbariURL: ambariURL, Action: activities.ActionRestartStale, Context: "restart stale (herd-1)", Stack: "HDP-2.1"}
	var id, id2 int64
	f.must(&id, f.acts.ServiceCommand, cmd)
	f.must(&id2, f.acts.ServiceCommand, cmd)
	if id == 0 || id2 != id {
		t.Fatalf("a retried restart must find its request: %d then %d", id, id2)
	}
	var outcome activities.RequestOutcome
	f.must(&outcome, f.acts.PollAmbariRequest, activities.PollInput{Cluster: f.spec.Name, AmbariURL: ambariURL, RequestID: id})
	cl := ambari.NewClient(ambariURL, f.acts.Master.For(f.spec.Name).AmbariUser, f.acts.Master.For(f.spec.Name).AmbariPassword)
	if stale, err := cl.StaleComponents(context.Background(), f.spec.Name, ""); err != nil || len(stale) != 0 {
		t.Fatalf("restarted, nothing is stale: %+v %v", stale, err)
	}
	cmd.Action, cmd.Context = "reboot", "x"
	nonRetryable(t, f.run(nil, f.acts.ServiceCommand, cmd), "BadAction")
}
