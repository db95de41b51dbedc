package ambariemu

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/herdhq/herd/ambari"
	"github.com/herdhq/herd/blueprints"
)

// yarnCluster is an emulator with cluster c1 of the built-in HDFS+YARN
// blueprint: a master and the given slaves, installed.
func yarnCluster(t *testing.T, slaves ...string) *fixture {
	f := newFixture(t, Config{TaskDuration: 0, NodeManagerMB: 4096, HeartbeatTimeout: time.Hour})
	_, bp, err := blueprints.Load("multi-node-hdfs-yarn")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.cl.PostBlueprint(ctx, "yarn", bp); err != nil {
		t.Fatal(err)
	}
	tmpl := ambari.ClusterTemplate{Blueprint: "yarn", HostGroups: []ambari.TemplateHostGroup{{Name: "master", Hosts: []ambari.TemplateHost{{FQDN: "m.d"}}}, {Name: "slaves"}}}
	f.register("m.d", "10.0.0.1")
	for i, s := range slaves {
		f.register(s, fmt.Sprintf("10.0.0.%d", i+2))
		tmpl.HostGroups[1].Hosts = append(tmpl.HostGroups[1].Hosts, ambari.TemplateHost{FQDN: s})
	}
	if _, err := f.cl.CreateCluster(ctx, "c1", tmpl); err != nil {
		t.Fatal(err)
	}
	f.steps(10)
	return f
}

func (f *fixture) steps(n int) {
	for i := 0; i < n; i++ {
		f.emu.Step()
	}
}

func (f *fixture) queue() ambari.QueueMetrics {
	f.t.Helper()
	body := f.get("/api/v1/clusters/c1/services/YARN/components/RESOURCEMANAGER?fields=metrics/yarn/Queue/root")
	b, _ := json.Marshal(at(body, "metrics/yarn/Queue/root"))
	var m ambari.QueueMetrics
	if err := json.Unmarshal(b, &m); err != nil {
		f.t.Fatal(err)
	}
	return m
}

// Load that needs more room than the cluster has queues; nodes added take
// it; a node removed gives its containers back to the queue; finished
// work frees the room.
func TestYarnModel(t *testing.T) {
	f := yarnCluster(t, "s1.d", "s2.d")
	if m := f.queue(); m.AvailableMB != 8192 || m.AppsSubmitted != 0 {
		t.Fatalf("two node managers of 4096 MB: %+v", m)
	}
	status, _ := f.raw("POST", "/emulator/v1/clusters/c1/apps", `{"containers":10,"memory_mb":1024,"duration":"1m"}`, map[string]string{"X-Requested-By": "t"})
	if status != 201 {
		t.Fatalf("submit: %d", status)
	}
	if status, m := f.raw("POST", "/emulator/v1/clusters/c1/apps", `{"containers":1,"memory_mb":9000,"duration":"1m"}`, map[string]string{"X-Requested-By": "t"}); status != 400 {
		t.Fatalf("a container larger than a node: %d %v", status, m)
	}
	f.steps(1)
	if m := f.queue(); m.AllocatedContainers != 8 || m.PendingContainers != 2 || m.AllocatedMB != 8192 || m.AvailableMB != 0 || m.AppsRunning != 1 {
		t.Fatalf("8 of 10 fit: %+v", m)
	}
	f.register("s3.d", "10.0.0.9")
	if _, err := f.cl.AddHost(ctx, "c1", "s3.d", "yarn", "slaves"); err != nil {
		t.Fatal(err)
	}
	f.steps(10)
	if m := f.queue(); m.AllocatedContainers != 10 || m.PendingContainers != 0 || m.AvailableMB != 2048 {
		t.Fatalf("a third node takes the rest: %+v", m)
	}
	if err := f.cl.DeleteHost(ctx, "c1", "s1.d"); err != nil {
		t.Fatal(err)
	}
	f.steps(1)
	if m := f.queue(); m.AllocatedContainers != 8 || m.PendingContainers != 2 {
		t.Fatalf("s1.d's 4 containers go back to the queue, 2 fit again: %+v", m)
	}
	f.clock.add(time.Minute)
	f.steps(1)
	if m := f.queue(); m.AllocatedContainers != 2 || m.PendingContainers != 0 || m.AppsRunning != 1 {
		t.Fatalf("after a minute the first 8 finished, the last 2 run: %+v", m)
	}
	f.clock.add(time.Minute)
	f.steps(1)
	if m := f.queue(); m.AppsCompleted != 1 || m.AllocatedMB != 0 || m.AvailableMB != 8192 {
		t.Fatalf("all done: %+v", m)
	}
}
