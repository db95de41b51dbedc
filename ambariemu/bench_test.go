package ambariemu

import (
	"fmt"
	"testing"
	"time"

	"github.com/herdhq/herd/ambari"
)

// BenchmarkPollRequest is one GET of a request (with its tasks) while a
// 100-host install runs: what a poller costs the server.
func BenchmarkPollRequest(b *testing.B) {
	f := newFixture(b, Config{TaskDuration: time.Hour, HeartbeatTimeout: time.Hour})
	t := ambari.ClusterTemplate{Blueprint: "hdfs", HostGroups: []ambari.TemplateHostGroup{{Name: "master", Hosts: []ambari.TemplateHost{{FQDN: "h-0.d"}}}, {Name: "slaves"}}}
	for i := 0; i < 100; i++ {
		name := fmt.Sprintf("h-%d.d", i)
		f.emu.hosts[name] = &host{name: name, lastBeat: f.clock.now()}
		if i > 0 {
			t.HostGroups[1].Hosts = append(t.HostGroups[1].Hosts, ambari.TemplateHost{FQDN: name})
		}
	}
	if err := f.cl.PostBlueprint(ctx, "hdfs", hdfsBlueprint()); err != nil {
		b.Fatal(err)
	}
	id, err := f.cl.CreateCluster(ctx, "c1", t)
	if err != nil {
		b.Fatal(err)
	}
	f.emu.Step()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.cl.Request(ctx, "c1", id); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStep advances a 100-host, 300-task request once.
func BenchmarkStep(b *testing.B) {
	emu := New(Config{TaskDuration: time.Hour, HeartbeatTimeout: time.Hour})
	r := emu.newRequest("c1", "x")
	for i := 0; i < 300; i++ {
		name := fmt.Sprintf("h-%d.d", i/3)
		emu.hosts[name] = &host{name: name, lastBeat: time.Now()}
		emu.addTask(r, name, "DATANODE", "INSTALL", stageInstall)
	}
	b.ReportAllocs()
	for b.Loop() {
		emu.Step()
	}
}
