package ambariemu

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"
)

// The API surface real clients call, against the shapes in Ambari's
// documentation (ambari-server/docs/api/v1) and source: a collection's
// items carry their keys, one resource its properties and its
// sub-resources' keys, fields= narrows either, hrefs are absolute.

func (f *fixture) get(path string) map[string]any {
	f.t.Helper()
	status, body := f.raw("GET", path, "", nil)
	if status != 200 {
		f.t.Fatalf("GET %s: %d %v", path, status, body)
	}
	return body
}

// at walks a JSON tree: "items/0/Hosts/host_name".
func at(v any, path string) any {
	for _, p := range strings.Split(path, "/") {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			var i int
			fmt.Sscan(p, &i)
			if i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func keys(v any) string {
	m, _ := v.(map[string]any)
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

func TestClusterResource(t *testing.T) {
	f, _ := installed(t)
	c := f.get("/api/v1/clusters/c1")
	if at(c, "href") != f.api.URL+"/api/v1/clusters/c1" {
		t.Errorf("hrefs are absolute: %v", at(c, "href"))
	}
	if at(c, "Clusters/version") != "HDP-2.1" || at(c, "Clusters/provisioning_state") != "INSTALLED" || at(c, "Clusters/total_hosts") != 2.0 {
		t.Errorf("Clusters: %v", at(c, "Clusters"))
	}
	if got := keys(at(c, "hosts/0")); got != "Hosts,href" || keys(at(c, "hosts/0/Hosts")) != "cluster_name,host_name" {
		t.Errorf("a sub-resource shows its keys: %v", at(c, "hosts/0"))
	}
	if at(c, "services/0/ServiceInfo/service_name") != "HDFS" {
		t.Errorf("services: %v", at(c, "services"))
	}
	narrow := f.get("/api/v1/clusters/c1?fields=Clusters/version")
	if keys(narrow) != "Clusters,href" || keys(at(narrow, "Clusters")) != "cluster_name,version" {
		t.Errorf("fields=Clusters/version: %v", narrow)
	}
	bp := f.get("/api/v1/clusters/c1?format=blueprint")
	if at(bp, "Blueprints/stack_version") != "2.1" || at(bp, "host_groups/0/cardinality") != "1" || at(bp, "host_groups/1/name") != "slaves" {
		t.Errorf("format=blueprint: %v", bp)
	}
}

func TestHostsAndHostComponents(t *testing.T) {
	f, _ := installed(t)
	list := f.get("/api/v1/hosts")
	if keys(at(list, "items/0/Hosts")) != "host_name" {
		t.Errorf("a host list shows host names only: %v", at(list, "items/0"))
	}
	h := f.get("/api/v1/clusters/c1/hosts/s.d")
	for _, p := range []string{"public_host_name", "os_type", "cpu_count", "total_mem", "rack_info", "maintenance_state", "host_state", "ip"} {
		if at(h, "Hosts/"+p) == nil {
			t.Errorf("Hosts/%s missing: %v", p, at(h, "Hosts"))
		}
	}
	if at(h, "Hosts/rack_info") != "/default-rack" || at(h, "host_components/0/HostRoles/component_name") != "DATANODE" ||
		at(h, "host_components/0/HostRoles/state") != nil {
		t.Errorf("host: %v", h)
	}
	hc := f.get("/api/v1/clusters/c1/hosts/s.d/host_components/DATANODE")
	if at(hc, "HostRoles/state") != "STARTED" || at(hc, "HostRoles/desired_admin_state") != "INSERVICE" || at(hc, "HostRoles/service_name") != "HDFS" {
		t.Errorf("host component: %v", hc)
	}
	filtered := f.get("/api/v1/clusters/c1/host_components?HostRoles/component_name=NAMENODE&fields=HostRoles/state")
	if items := at(filtered, "items").([]any); len(items) != 1 || at(filtered, "items/0/HostRoles/host_name") != "m.d" || at(filtered, "items/0/HostRoles/state") != "STARTED" {
		t.Errorf("a predicate selects items: %v", filtered)
	}
	if status, _ := f.raw("GET", "/api/v1/clusters/c1/hosts/s.d/host_components/NAMENODE", "", nil); status != 404 {
		t.Errorf("a component the host lacks: %d", status)
	}
}

func TestServicesAndComponents(t *testing.T) {
	f, _ := installed(t)
	comp := f.get("/api/v1/clusters/c1/services/HDFS/components/DATANODE")
	if at(comp, "ServiceComponentInfo/category") != "SLAVE" || at(comp, "ServiceComponentInfo/total_count") != 1.0 ||
		at(comp, "ServiceComponentInfo/started_count") != 1.0 || at(comp, "ServiceComponentInfo/state") != "STARTED" ||
		at(comp, "host_components/0/HostRoles/host_name") != "s.d" {
		t.Errorf("component: %v", comp)
	}
	svc := f.get("/api/v1/clusters/c1/services/HDFS")
	if at(svc, "ServiceInfo/state") != "STARTED" || len(at(svc, "components").([]any)) != 4 {
		t.Errorf("service: %v", svc)
	}
	client := f.get("/api/v1/clusters/c1/components?ServiceComponentInfo/component_name=HDFS_CLIENT&fields=ServiceComponentInfo/state")
	if at(client, "items/0/ServiceComponentInfo/state") != "INSTALLED" {
		t.Errorf("a client is INSTALLED: %v", client)
	}
}

func TestRequestsTasksAndStages(t *testing.T) {
	f, id := installed(t)
	list := f.get("/api/v1/clusters/c1/requests")
	if keys(at(list, "items/0/Requests")) != "cluster_name,id" {
		t.Errorf("requests list shows keys: %v", at(list, "items/0"))
	}
	withStatus := f.get("/api/v1/clusters/c1/requests?fields=Requests/request_status,Requests/progress_percent")
	if at(withStatus, "items/0/Requests/request_status") != "COMPLETED" || at(withStatus, "items/0/Requests/progress_percent") != 100.0 {
		t.Errorf("fields on a list: %v", withStatus)
	}
	tasks := f.get(fmt.Sprintf("/api/v1/clusters/c1/requests/%d/tasks?Tasks/role=DATANODE&fields=Tasks/status,Tasks/command_detail", id))
	items := at(tasks, "items").([]any)
	if len(items) != 2 || at(tasks, "items/0/Tasks/command_detail") != "DATANODE INSTALL" || at(tasks, "items/1/Tasks/status") != "COMPLETED" {
		t.Errorf("tasks: %v", tasks)
	}
	stages := f.get(fmt.Sprintf("/api/v1/clusters/c1/requests/%d/stages?fields=Stage/*", id))
	if len(at(stages, "items").([]any)) != 2 || at(stages, "items/1/Stage/status") != "COMPLETED" || at(stages, "items/0/Stage/context") != "Install components" {
		t.Errorf("stages: %v", stages)
	}
	one := f.get(fmt.Sprintf("/api/v1/clusters/c1/requests/%d", id))
	if keys(at(one, "tasks/0/Tasks")) != "cluster_name,id,request_id" || at(one, "Requests/task_count") != 7.0 {
		t.Errorf("a request shows its properties and its tasks' keys: %v", one)
	}
}

func TestCommandsAndDecommission(t *testing.T) {
	f, _ := installed(t)
	post := func(body string) (int, map[string]any) {
		return f.raw("POST", "/api/v1/clusters/c1/requests", body, map[string]string{"X-Requested-By": "t"})
	}
	for body, want := range map[string]string{
		`{"RequestInfo":{"command":"DECOMMISSION","parameters":{"excluded_hosts":"s.d"}},"Requests/resource_filters":[{"service_name":"HDFS","component_name":"DATANODE"}]}`: "Decommissioning is not supported for DATANODE",
		`{"RequestInfo":{"command":"FLY"},"Requests/resource_filters":[{"service_name":"HDFS","component_name":"DATANODE"}]}`:                                                "Unsupported action FLY for Service: HDFS and Component: DATANODE",
		`{"RequestInfo":{"command":"RESTART"}}`:                                                       "Command execution cannot proceed without a resource filter.",
		`{"RequestInfo":{"command":"RESTART"},"Requests/resource_filters":[{"service_name":"HIVE"}]}`: "Specified service HIVE is not a valid/deployed service.",
	} {
		if status, m := post(body); status != 400 || m["message"] != want {
			t.Errorf("%s: %d %v, want %s", body, status, m["message"], want)
		}
	}
	status, acc := post(`{"RequestInfo":{"context":"Decommission DataNodes","command":"DECOMMISSION","parameters":{"slave_type":"DATANODE","excluded_hosts":"s.d"}},"Requests/resource_filters":[{"service_name":"HDFS","component_name":"NAMENODE"}]}`)
	if status != 202 || !strings.HasPrefix(at(acc, "href").(string), f.api.URL+"/api/v1/clusters/c1/requests/") {
		t.Fatalf("decommission: %d %v", status, acc)
	}
	var id int64
	_ = json.Unmarshal([]byte(fmt.Sprint(at(acc, "Requests/id"))), &id)
	for i := 0; i < 5; i++ {
		f.emu.Step()
	}
	r, err := f.cl.Request(ctx, "c1", id)
	if err != nil || r.Requests.RequestStatus != "COMPLETED" || r.Tasks[0].Tasks.Role != "NAMENODE" || r.Tasks[0].Tasks.HostName != "m.d" ||
		r.Tasks[0].Tasks.CommandDetail != "DECOMMISSION, Excluded: s.d" {
		t.Fatalf("decommission request: %+v %v", r, err)
	}
	roles, _ := f.cl.HostComponents(ctx, "c1", "s.d")
	if len(roles) != 1 || roles[0].DesiredAdminState != "DECOMMISSIONED" {
		t.Fatalf("DATANODE must be DECOMMISSIONED: %+v", roles)
	}
	status, _ = post(`{"RequestInfo":{"context":"HDFS Service Check","command":"HDFS_SERVICE_CHECK"},"Requests/resource_filters":[{"service_name":"HDFS"}]}`)
	restart, _ := post(`{"RequestInfo":{"command":"RESTART"},"Requests/resource_filters":[{"service_name":"HDFS","component_name":"DATANODE","hosts":"s.d"}]}`)
	if status != 202 || restart != 202 {
		t.Fatalf("service check %d, restart %d", status, restart)
	}
}

func TestConfigurationsAndConfigGroups(t *testing.T) {
	f := newFixture(t, Config{TaskDuration: 0})
	f.register("m.d", "10.0.0.1")
	f.register("s.d", "10.0.0.2")
	bp := hdfsBlueprint()
	bp.Configurations = []map[string]any{{"hdfs-site": map[string]any{"properties": map[string]any{"dfs.replication": "2"}}}}
	if err := f.cl.PostBlueprint(ctx, "hdfs", bp); err != nil {
		t.Fatal(err)
	}
	tmpl := byFQDN("m.d", "s.d")
	tmpl.Configurations = []map[string]any{{"core-site": map[string]any{"fs.trash.interval": "360"}}}
	tmpl.HostGroups[1].Configurations = []map[string]any{{"hdfs-site": map[string]any{"dfs.datanode.du.reserved": "1024"}}}
	if _, err := f.cl.CreateCluster(ctx, "c1", tmpl); err != nil {
		t.Fatal(err)
	}
	cfg := f.get("/api/v1/clusters/c1/configurations?type=hdfs-site&tag=INITIAL")
	if at(cfg, "items/0/properties/dfs.replication") != "2" || at(cfg, "items/0/version") != 1.0 {
		t.Errorf("configuration with properties: %v", cfg)
	}
	all := f.get("/api/v1/clusters/c1/configurations")
	if len(at(all, "items").([]any)) != 2 || at(all, "items/0/properties") != nil {
		t.Errorf("configurations list the template's and the blueprint's types, without properties: %v", all)
	}
	groups := f.get("/api/v1/clusters/c1/config_groups?fields=ConfigGroup/*")
	if at(groups, "items/0/ConfigGroup/group_name") != "hdfs:slaves" || at(groups, "items/0/ConfigGroup/tag") != "HDFS" ||
		at(groups, "items/0/ConfigGroup/hosts/0/host_name") != "s.d" {
		t.Errorf("a config group for the host group with configuration: %v", groups)
	}
	scv := f.get("/api/v1/clusters/c1/service_config_versions?service_name=HDFS&fields=*")
	if at(scv, "items/0/is_current") != true || at(scv, "items/0/configurations/0/type") != "core-site" || at(scv, "items/0/configurations/1/type") != "hdfs-site" {
		t.Errorf("service config versions: %v", scv)
	}
	c := f.get("/api/v1/clusters/c1?fields=Clusters/desired_configs")
	if at(c, "Clusters/desired_configs/hdfs-site/tag") != "INITIAL" {
		t.Errorf("desired configs: %v", c)
	}
}

func TestStacksAndServerVersion(t *testing.T) {
	f := newFixture(t, Config{})
	srv := f.get("/api/v1/services/AMBARI/components/AMBARI_SERVER")
	if at(srv, "RootServiceComponents/component_version") != ServerVersion {
		t.Errorf("server version: %v", srv)
	}
	nn := f.get("/api/v1/stacks/HDP/versions/2.6/services/HDFS/components/NAMENODE")
	if at(nn, "StackServiceComponents/cardinality") != "1-2" || at(nn, "StackServiceComponents/component_category") != "MASTER" ||
		at(nn, "StackServiceComponents/is_master") != true {
		t.Errorf("stack component: %v", nn)
	}
	hs := f.get("/api/v1/stacks/HDP/versions/2.6/services/MAPREDUCE2/components/HISTORYSERVER?fields=dependencies/Dependencies/*")
	if at(hs, "dependencies/0/Dependencies/component_name") != "HDFS_CLIENT" || at(hs, "dependencies/0/Dependencies/scope") != "host" {
		t.Errorf("dependencies: %v", hs)
	}
	versions := f.get("/api/v1/stacks/BIGTOP/versions")
	if at(versions, "items/1/Versions/stack_version") != "3.3.0" {
		t.Errorf("BIGTOP versions: %v", versions)
	}
	if status, _ := f.raw("GET", "/api/v1/stacks/HDP/versions/9.9", "", nil); status != 404 {
		t.Errorf("unknown stack version: %d", status)
	}
	if len(at(f.get("/api/v1/stacks"), "items").([]any)) != 2 {
		t.Error("stacks: HDP and BIGTOP")
	}
}

// A configuration change (PUT desired_config) is the type's next version
// and a new service config version; the service's components show
// stale_configs until they restart.
func TestConfigurationChange(t *testing.T) {
	f, _ := installed(t)
	put := func(body string) (int, map[string]any) {
		return f.raw("PUT", "/api/v1/clusters/c1", body, map[string]string{"X-Requested-By": "t"})
	}
	status, _ := put(`{"Clusters":{"desired_config":{"type":"hdfs-site","tag":"v2","properties":{"dfs.replication":"3"}}}}`)
	if status != 200 {
		t.Fatalf("PUT desired_config: %d", status)
	}
	c := f.get("/api/v1/clusters/c1?fields=Clusters/desired_configs")
	if at(c, "Clusters/desired_configs/hdfs-site/tag") != "v2" || at(c, "Clusters/desired_configs/hdfs-site/version") != 1.0 {
		t.Errorf("the first hdfs-site is version 1 (the blueprint had none): %v", at(c, "Clusters/desired_configs"))
	}
	if status, _ := put(`{"Clusters":{"desired_config":[{"type":"hdfs-site","tag":"v3","properties":{"dfs.replication":"2"}}]}}`); status != 200 {
		t.Fatalf("a list of desired configs: %d", status)
	}
	c = f.get("/api/v1/clusters/c1?fields=Clusters/desired_configs")
	if at(c, "Clusters/desired_configs/hdfs-site/tag") != "v3" || at(c, "Clusters/desired_configs/hdfs-site/version") != 2.0 {
		t.Errorf("the next version: %v", at(c, "Clusters/desired_configs"))
	}
	if status, m := put(`{"Clusters":{"desired_config":{"type":"hdfs-site","tag":"v3","properties":{}}}}`); status != 400 ||
		m["message"] != "Configuration with tag 'v3' exists for 'hdfs-site'" {
		t.Errorf("a tag used twice: %d %v", status, m)
	}
	scv := f.get("/api/v1/clusters/c1/service_config_versions?service_name=HDFS&fields=*")
	if at(scv, "items/0/service_config_version") != 2.0 || at(scv, "items/0/configurations/0/tag") != "v3" {
		t.Errorf("service config version: %v", scv)
	}
	hc := f.get("/api/v1/clusters/c1/hosts/s.d/host_components/DATANODE")
	if at(hc, "HostRoles/stale_configs") != true {
		t.Fatalf("DATANODE must have stale configs: %v", hc)
	}
	f.clock.add(time.Second)
	if status, _ := f.raw("POST", "/api/v1/clusters/c1/requests", `{"RequestInfo":{"command":"RESTART"},"Requests/resource_filters":[{"service_name":"HDFS","component_name":"DATANODE","hosts":"s.d"}]}`,
		map[string]string{"X-Requested-By": "t"}); status != 202 {
		t.Fatalf("restart: %d", status)
	}
	f.steps(5)
	hc = f.get("/api/v1/clusters/c1/hosts/s.d/host_components/DATANODE")
	if at(hc, "HostRoles/stale_configs") != false {
		t.Fatalf("restarted, DATANODE is current: %v", hc)
	}
}
