package ambariemu

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herdhq/herd/ambari"
)

func (f *fixture) request(cluster string, id int64) ambari.RequestInfo {
	f.t.Helper()
	r, err := f.cl.Request(ctx, cluster, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return r.Requests
}

func (f *fixture) createHDFS(t *testing.T, tmpl ambari.ClusterTemplate) int64 {
	t.Helper()
	if err := f.cl.PostBlueprint(ctx, "hdfs", hdfsBlueprint()); err != nil {
		t.Fatal(err)
	}
	id, err := f.cl.CreateCluster(ctx, "c1", tmpl)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func byFQDN(master string, slaves ...string) ambari.ClusterTemplate {
	t := ambari.ClusterTemplate{Blueprint: "hdfs", HostGroups: []ambari.TemplateHostGroup{
		{Name: "master", Hosts: []ambari.TemplateHost{{FQDN: master}}}}}
	if len(slaves) == 0 {
		return t // Ambari wants hosts in every group the template names
	}
	t.HostGroups = append(t.HostGroups, ambari.TemplateHostGroup{Name: "slaves"})
	for _, s := range slaves {
		t.HostGroups[1].Hosts = append(t.HostGroups[1].Hosts, ambari.TemplateHost{FQDN: s})
	}
	return t
}

// installed is an emulator whose cluster c1 (master m.d, slave s.d) has
// finished installing; it returns the install request id too.
func installed(t *testing.T) (*fixture, int64) {
	f := newFixture(t, Config{TaskDuration: 0})
	f.register("m.d", "10.0.0.1")
	f.register("s.d", "10.0.0.2")
	id := f.createHDFS(t, byFQDN("m.d", "s.d"))
	for i := 0; i < 10; i++ {
		f.emu.Step()
	}
	return f, id
}

func TestRequestLifecycleWaitsForLateHost(t *testing.T) {
	f := newFixture(t, Config{TaskDuration: 10 * time.Second, HeartbeatTimeout: time.Hour})
	f.register("m.d", "10.0.0.1")
	id := f.createHDFS(t, byFQDN("M.d", "s.d"))
	r := f.request("c1", id)
	if r.RequestStatus != "PENDING" || r.TaskCount != 7 || r.ProgressPercent != 0 ||
		r.RequestContext != "Logical Request: Provision Cluster 'c1'" || r.ClusterName != "c1" {
		t.Fatalf("fresh request: %+v", r)
	}
	f.emu.Step() // master INSTALLs queue; the slave is not registered
	r = f.request("c1", id)
	if r.RequestStatus != "QUEUED" || r.QueuedTaskCount != 3 {
		t.Fatalf("after one step: %+v", r)
	}
	want := (0.09 * 3) / 7 * 100
	if diff := r.ProgressPercent - want; diff > 1e-9 || diff < -1e-9 {
		t.Fatalf("progress %v, want %v", r.ProgressPercent, want)
	}
	f.emu.Step()
	if r = f.request("c1", id); r.RequestStatus != "IN_PROGRESS" {
		t.Fatalf("want IN_PROGRESS, got %+v", r)
	}
	for i := 0; i < 5; i++ {
		f.clock.add(10 * time.Second)
		f.emu.Step()
	}
	if r = f.request("c1", id); r.RequestStatus != "IN_PROGRESS" || r.CompletedTaskCount != 3 {
		t.Fatalf("slave missing, want 3 done: %+v", r)
	}
	f.register("s.d", "10.0.0.2")
	for i := 0; i < 10; i++ {
		f.clock.add(10 * time.Second)
		f.emu.Step()
	}
	r = f.request("c1", id)
	if r.RequestStatus != "COMPLETED" || r.ProgressPercent != 100 || r.CompletedTaskCount != 7 || r.EndTime <= 0 {
		t.Fatalf("want COMPLETED: %+v", r)
	}
}

func TestFailureInjectionAbortsTheRest(t *testing.T) {
	f := newFixture(t, Config{TaskDuration: 0, FailHosts: []string{"s.d"}})
	f.register("m.d", "10.0.0.1")
	f.register("s.d", "10.0.0.2")
	id := f.createHDFS(t, byFQDN("m.d", "s.d"))
	for i := 0; i < 10; i++ {
		f.emu.Step()
	}
	req, err := f.cl.Request(ctx, "c1", id)
	if err != nil {
		t.Fatal(err)
	}
	if req.Requests.RequestStatus != "FAILED" || req.Requests.FailedTaskCount == 0 || req.Requests.AbortedTaskCount == 0 {
		t.Fatalf("want FAILED with aborted tasks: %+v", req.Requests)
	}
	for _, ti := range req.Tasks {
		if ti.Tasks.Status == "FAILED" && (ti.Tasks.HostName != "s.d" || !strings.Contains(ti.Tasks.Stderr, "emulated failure")) {
			t.Fatalf("failed task on wrong host: %+v", ti.Tasks)
		}
	}
}

func TestHostCountMatchesRegisteredHosts(t *testing.T) {
	f := newFixture(t, Config{TaskDuration: 0})
	f.register("m.d", "10.0.0.1")
	tmpl := byFQDN("m.d")
	tmpl.HostGroups = append(tmpl.HostGroups, ambari.TemplateHostGroup{Name: "slaves", HostCount: 2})
	id := f.createHDFS(t, tmpl)
	f.register("a.d", "10.0.0.2")
	for i := 0; i < 10; i++ {
		f.emu.Step()
	}
	if r := f.request("c1", id); r.RequestStatus == "COMPLETED" {
		t.Fatalf("one slave of two registered, must not complete: %+v", r)
	}
	f.register("b.d", "10.0.0.3")
	for i := 0; i < 10; i++ {
		f.emu.Step()
	}
	if r := f.request("c1", id); r.RequestStatus != "COMPLETED" || r.TaskCount != 5+2+2 {
		t.Fatalf("want COMPLETED with 9 tasks: %+v", r)
	}
}

func TestClusterTemplateErrors(t *testing.T) {
	f := newFixture(t, Config{})
	if err := f.cl.PostBlueprint(ctx, "hdfs", hdfsBlueprint()); err != nil {
		t.Fatal(err)
	}
	group := func(g ambari.TemplateHostGroup) ambari.ClusterTemplate {
		return ambari.ClusterTemplate{Blueprint: "hdfs", HostGroups: []ambari.TemplateHostGroup{g}}
	}
	const tmpl, topo = "Invalid Cluster Creation Template: org.apache.ambari.server.topology.InvalidTopologyTemplateException: ",
		"Topology validation failed: org.apache.ambari.server.topology.InvalidTopologyException: "
	cases := map[string]ambari.ClusterTemplate{
		tmpl + "The specified host group 'nope' is not defined in blueprint 'hdfs'":                                    group(ambari.TemplateHostGroup{Name: "nope", HostCount: 1}),
		topo + "The following hosts are mapped to multiple host groups: [a.d]. Be aware that host names are converted": byFQDN("a.d", "A.d"),
		tmpl + "Host group 'master' must not contain both a 'hosts' element and a 'host_count' value": group(ambari.TemplateHostGroup{
			Name: "master", HostCount: 1, Hosts: []ambari.TemplateHost{{FQDN: "a.d"}}}),
		tmpl + "The specified blueprint doesn't exist: org.apache.ambari.server.topology.NoSuchBlueprintException: No blueprint exists with the name 'other'": {Blueprint: "other"},
		tmpl + "'host_groups' element must be included in cluster create body":                                                                                {Blueprint: "hdfs"},
		tmpl + "All host groups must contain a 'name' element":                                                                                                group(ambari.TemplateHostGroup{HostCount: 1}),
		tmpl + "Host group 'slaves' must contain at least one 'hosts/fqdn' or a 'host_count' value":                                                           group(ambari.TemplateHostGroup{Name: "slaves"}),
		tmpl + "Host group 'slaves' must not specify 'host_predicate' without 'host_count'":                                                                   group(ambari.TemplateHostGroup{Name: "slaves", HostPredicate: "Hosts/cpu_count>1"}),
		tmpl + "Unable to compile host predicate 'Hosts/cpu_count~1'":                                                                                         group(ambari.TemplateHostGroup{Name: "slaves", HostCount: 1, HostPredicate: "Hosts/cpu_count~1"}),
	}
	for want, tmpl := range cases {
		_, err := f.cl.CreateCluster(ctx, "c1", tmpl)
		if !ambari.HasStatus(err, 400) || !strings.Contains(err.Error(), want) {
			t.Errorf("want %s\n got %v", want, err)
		}
	}
	if _, err := f.cl.CreateCluster(ctx, "c1", byFQDN("a.d")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.cl.CreateCluster(ctx, "c1", byFQDN("b.d")); !ambari.HasStatus(err, 409) {
		t.Fatalf("duplicate cluster: %v", err)
	}
	if _, err := f.cl.Request(ctx, "c1", 99); !ambari.HasStatus(err, 404) {
		t.Fatalf("missing request: %v", err)
	}
	if _, err := f.cl.Request(ctx, "nope", 1); !ambari.HasStatus(err, 404) {
		t.Fatalf("missing cluster: %v", err)
	}
}

func TestAddHostAndServices(t *testing.T) {
	f, id := installed(t)
	if r := f.request("c1", id); r.RequestStatus != "COMPLETED" {
		t.Fatalf("provision: %+v", r)
	}
	if _, err := f.cl.AddHost(ctx, "c1", "s.d", "hdfs", "slaves"); !ambari.HasStatus(err, 400) ||
		!strings.Contains(err.Error(), "Host s.d cannot be added, because it is already in the cluster") {
		t.Fatalf("re-add: %v", err)
	}
	if _, err := f.cl.AddHost(ctx, "c1", "ghost.d", "hdfs", "slaves"); !ambari.HasStatus(err, 400) {
		t.Fatalf("unregistered: %v", err)
	}
	f.register("n.d", "10.0.0.3")
	addID, err := f.cl.AddHost(ctx, "c1", "n.d", "hdfs", "slaves")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		f.emu.Step()
	}
	if r := f.request("c1", addID); r.RequestStatus != "COMPLETED" || r.TaskCount != 2 {
		t.Fatalf("add host: %+v", r)
	}
	if id, err := f.cl.SetServicesState(ctx, "c1", "STARTED", "Start All Services"); err != nil || id != 0 {
		t.Fatalf("already started: want 200 without request, got %d %v", id, err)
	}
	stopID, err := f.cl.SetServicesState(ctx, "c1", "INSTALLED", "Stop All Services")
	if err != nil || stopID == 0 {
		t.Fatalf("stop: %d %v", stopID, err)
	}
	for i := 0; i < 10; i++ {
		f.emu.Step()
	}
	if r := f.request("c1", stopID); r.RequestStatus != "COMPLETED" || r.RequestContext != "Stop All Services" || r.TaskCount != 4 {
		t.Fatalf("stop request: %+v", r)
	}
	status, body := f.raw("GET", "/api/v1/clusters/c1/services?fields=ServiceInfo/state", "", nil)
	items := body["items"].([]any)
	if status != 200 || len(items) != 1 || items[0].(map[string]any)["ServiceInfo"].(map[string]any)["state"] != "INSTALLED" {
		t.Fatalf("services: %v", body)
	}
}

func TestAbortRequest(t *testing.T) {
	f := newFixture(t, Config{TaskDuration: time.Hour})
	f.register("m.d", "10.0.0.1")
	id := f.createHDFS(t, byFQDN("m.d"))
	f.emu.Step()
	status, _ := f.raw("PUT", "/api/v1/clusters/c1/requests/1", `{"Requests":{"request_status":"ABORTED","abort_reason":"user"}}`, map[string]string{"X-Requested-By": "t"})
	if status != 200 {
		t.Fatalf("abort: %d", status)
	}
	if r := f.request("c1", id); r.RequestStatus != "ABORTED" || r.AbortedTaskCount != r.TaskCount || r.AbortReason != "user" {
		t.Fatalf("aborted: %+v", r)
	}
}

func TestStateSurvivesRestart(t *testing.T) {
	f, id := installed(t)
	path := t.TempDir() + "/state.json"
	if err := f.emu.Save(path); err != nil {
		t.Fatal(err)
	}
	g := newFixture(t, Config{TaskDuration: 0})
	if err := g.emu.Load(path); err != nil {
		t.Fatal(err)
	}
	if r := g.request("c1", id); r.RequestStatus != "COMPLETED" || r.TaskCount != 7 {
		t.Fatalf("request after restart: %+v", r)
	}
	if _, err := g.cl.GetBlueprint(ctx, "hdfs"); err != nil {
		t.Fatalf("blueprint after restart: %v", err)
	}
	if hosts, _ := g.cl.ClusterHosts(ctx, "c1"); len(hosts) != 0 {
		t.Fatalf("hosts show only once their agents register again: %v", hosts)
	}
	g.register("s.d", "10.0.0.9")
	if hosts, _ := g.cl.ClusterHosts(ctx, "c1"); len(hosts) != 1 || hosts[0] != "s.d" {
		t.Fatalf("re-registered host keeps its cluster: %v", hosts)
	}
}

func TestRemoveHost(t *testing.T) {
	f, _ := installed(t)
	stopID, err := f.cl.StopHostComponents(ctx, "c1", "s.d")
	if err != nil || stopID == 0 {
		t.Fatalf("stop components: %d %v", stopID, err)
	}
	for i := 0; i < 5; i++ {
		f.emu.Step()
	}
	if r := f.request("c1", stopID); r.RequestStatus != "COMPLETED" || r.TaskCount != 1 {
		t.Fatalf("stop request: %+v", r)
	}
	if err := f.cl.DeleteHost(ctx, "c1", "s.d"); err != nil {
		t.Fatal(err)
	}
	if hosts, _ := f.cl.ClusterHosts(ctx, "c1"); len(hosts) != 1 || hosts[0] != "m.d" {
		t.Fatalf("cluster hosts: %v", hosts)
	}
	if err := f.cl.DeleteHost(ctx, "c1", "s.d"); !ambari.HasStatus(err, 404) {
		t.Fatalf("second delete: %v", err)
	}
}

// A host_count group with a host_predicate takes only the hosts it
// matches, as Ambari's predicates do.
func TestHostPredicateChoosesHosts(t *testing.T) {
	f := newFixture(t, Config{TaskDuration: 0})
	f.register("m.d", "10.0.0.1")
	tmpl := byFQDN("m.d")
	tmpl.HostGroups = append(tmpl.HostGroups, ambari.TemplateHostGroup{Name: "slaves", HostCount: 1,
		HostPredicate: "Hosts/host_name.in(b.d,c.d)&Hosts/rack_info=/default-rack"})
	id := f.createHDFS(t, tmpl)
	f.register("a.d", "10.0.0.2")
	for i := 0; i < 10; i++ {
		f.emu.Step()
	}
	if r := f.request("c1", id); r.RequestStatus == "COMPLETED" {
		t.Fatalf("a.d does not match the predicate: %+v", r)
	}
	f.register("b.d", "10.0.0.3")
	for i := 0; i < 10; i++ {
		f.emu.Step()
	}
	hosts, _ := f.cl.ClusterHosts(ctx, "c1")
	if r := f.request("c1", id); r.RequestStatus != "COMPLETED" || strings.Join(hosts, ",") != "b.d,m.d" {
		t.Fatalf("b.d matches: %+v, hosts %v", r, hosts)
	}
}

// Run rests while nothing is to be done and wakes for changes: a host that
// registers while it rests is saved, a cluster created while it rests is
// provisioned, and a host that registers late lets the request finish.
func TestRunWakesForWork(t *testing.T) {
	f := newFixture(t, Config{HeartbeatTimeout: time.Hour})
	state := filepath.Join(t.TempDir(), "state.json")
	stop, done := make(chan struct{}), make(chan struct{})
	go func() { f.emu.Run(time.Millisecond, stop, state); close(done) }()
	defer func() { close(stop); <-done }()
	f.register("m.d", "10.0.0.1")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		if b, _ := os.ReadFile(state); bytes.Contains(b, []byte("m.d")) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a host registered while Run rests is not saved")
		}
	}
	id := f.createHDFS(t, byFQDN("m.d", "s.d"))
	waitFor := func(what string, ok func(ambari.RequestInfo) bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			if ok(f.request("c1", id)) {
				return
			}
		}
		t.Fatalf("%s: %+v", what, f.request("c1", id))
	}
	waitFor("the master's tasks done", func(r ambari.RequestInfo) bool { return r.CompletedTaskCount == 3 })
	f.register("s.d", "10.0.0.2")
	waitFor("the request done once the slave registered", func(r ambari.RequestInfo) bool { return r.RequestStatus == "COMPLETED" })
	if f.emu.busy() {
		t.Error("nothing left to do, yet busy")
	}
}
