package ambariemu

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/herdhq/herd/ambari"
)

// The client's configuration change, as herd makes it: read the current
// version, put a new one, restart what became stale, until nothing is.
// And one service stopped and started on its own.
func TestClientChangesConfigurationAndControlsAService(t *testing.T) {
	f, _ := installed(t)
	ctx := context.Background()
	if _, err := f.cl.DesiredConfig(ctx, "c1", "hdfs-site"); !errors.Is(err, ambari.ErrNoSuchConfig) {
		t.Fatalf("a type without a version yet: %v", err)
	}
	first := ambari.Config{Type: "hdfs-site", Tag: "herd-1", Properties: map[string]string{"dfs.replication": "2"}}
	if err := f.cl.PutDesiredConfig(ctx, "c1", first, "set by herd"); err != nil {
		t.Fatal(err)
	}
	cur, err := f.cl.DesiredConfig(ctx, "c1", "hdfs-site")
	if err != nil || cur.Tag != "herd-1" || cur.Version != 1 || cur.Properties["dfs.replication"] != "2" {
		t.Fatalf("current hdfs-site: %+v %v", cur, err)
	}
	cur.Tag, cur.Properties["dfs.replication"] = "herd-2", "3"
	if err := f.cl.PutDesiredConfig(ctx, "c1", cur, "set by herd"); err != nil {
		t.Fatal(err)
	}
	now, err := f.cl.DesiredConfig(ctx, "c1", "hdfs-site")
	if err != nil || now.Tag != "herd-2" || now.Version != 2 || now.Properties["dfs.replication"] != "3" {
		t.Fatalf("after the change: %+v %v", now, err)
	}
	stale, err := f.cl.StaleComponents(ctx, "c1", "")
	if err != nil || len(stale) == 0 {
		t.Fatalf("HDFS's components must be stale: %+v %v", stale, err)
	}
	for _, hc := range stale {
		if hc.ServiceName != "HDFS" || !hc.StaleConfigs {
			t.Errorf("only HDFS is stale: %+v", hc)
		}
	}
	f.clock.add(time.Second)
	id, err := f.cl.Restart(ctx, "c1", "Restart components with stale configs", stale)
	if err != nil || id == 0 {
		t.Fatalf("restart: %d %v", id, err)
	}
	f.steps(5)
	if r := f.request("c1", id); r.RequestStatus != ambari.StatusCompleted || r.TaskCount != len(stale) {
		t.Fatalf("restart request: %+v", r)
	}
	if stale, err := f.cl.StaleComponents(ctx, "c1", ""); err != nil || len(stale) != 0 {
		t.Fatalf("restarted, nothing is stale: %+v %v", stale, err)
	}
	f.checkServiceControl(ctx)
}

func (f *fixture) checkServiceControl(ctx context.Context) {
	t := f.t
	id, err := f.cl.SetServiceState(ctx, "c1", "HDFS", "INSTALLED", "Stop HDFS")
	if err != nil || id == 0 {
		t.Fatalf("stop HDFS: %d %v", id, err)
	}
	f.steps(5)
	for _, hc := range f.mustComponents(ctx, "HDFS") {
		if hc.State != "INSTALLED" && hc.ComponentName != "HDFS_CLIENT" {
			t.Errorf("stopped HDFS: %+v", hc)
		}
	}
	if id, err := f.cl.SetServiceState(ctx, "c1", "HDFS", "INSTALLED", "Stop HDFS"); err != nil || id != 0 {
		t.Errorf("stopping a stopped service makes no request: %d %v", id, err)
	}
	if _, err := f.cl.SetServiceState(ctx, "c1", "NOPE", "STARTED", ""); !ambari.HasStatus(err, 404) {
		t.Errorf("an unknown service: %v", err)
	}
	if id, err = f.cl.SetServiceState(ctx, "c1", "HDFS", "STARTED", "Start HDFS"); err != nil || id == 0 {
		t.Fatalf("start HDFS: %d %v", id, err)
	}
	f.steps(5)
	for _, hc := range f.mustComponents(ctx, "HDFS") {
		if hc.State != "STARTED" && hc.ComponentName != "HDFS_CLIENT" {
			t.Errorf("started HDFS: %+v", hc)
		}
	}
}

func (f *fixture) mustComponents(ctx context.Context, service string) []ambari.HostRoles {
	hcs, err := f.cl.ServiceComponents(ctx, "c1", service)
	if err != nil || len(hcs) == 0 {
		f.t.Fatalf("components of %s: %v %v", service, hcs, err)
	}
	return hcs
}

// A request is found by its context, the latest of those that share it.
func TestRequestWithContext(t *testing.T) {
	f, first := installed(t)
	ctx := context.Background()
	if id, err := f.cl.RequestWithContext(ctx, "c1", "Logical Request: Provision Cluster 'c1'"); err != nil || id != first {
		t.Fatalf("the provisioning request: %d %v, want %d", id, err, first)
	}
	a, _ := f.cl.SetServiceState(ctx, "c1", "HDFS", "INSTALLED", "herd: stop HDFS (op 7)")
	if id, err := f.cl.RequestWithContext(ctx, "c1", "herd: stop HDFS (op 7)"); err != nil || id != a || a == 0 {
		t.Fatalf("found %d %v, want %d", id, err, a)
	}
	if id, err := f.cl.RequestWithContext(ctx, "c1", "herd: stop HDFS (op 8)"); err != nil || id != 0 {
		t.Fatalf("no such request: %d %v", id, err)
	}
}
