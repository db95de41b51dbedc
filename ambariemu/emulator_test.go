package ambariemu

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/herdhq/herd/ambari"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time      { return c.t }
func (c *fakeClock) add(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *fakeClock               { return &fakeClock{t: time.Unix(1_700_000_000, 0)} }

type fixture struct {
	t     testing.TB
	emu   *Emulator
	clock *fakeClock
	api   *httptest.Server
	agent *httptest.Server
	cl    *ambari.Client
}

func newFixture(t testing.TB, cfg Config) *fixture {
	t.Helper()
	clock := newClock()
	cfg.User, cfg.Password, cfg.Now = "admin", "s3cret", clock.now
	emu := New(cfg)
	f := &fixture{t: t, emu: emu, clock: clock,
		api: httptest.NewServer(emu.Handler()), agent: httptest.NewServer(emu.AgentHandler())}
	t.Cleanup(f.api.Close)
	t.Cleanup(f.agent.Close)
	f.cl = ambari.NewClient(f.api.URL, "admin", "s3cret")
	return f
}

func (f *fixture) register(host, ip string) {
	f.t.Helper()
	body, _ := json.Marshal(ambari.Registration{Hostname: host, HardwareProfile: ambari.HardwareProfile{IPAddress: ip}})
	resp, err := http.Post(f.agent.URL+"/agent/v1/register/"+host, "application/json", bytes.NewReader(body))
	if err != nil || resp.StatusCode != 200 {
		f.t.Fatalf("register %s: %v %v", host, err, resp)
	}
	resp.Body.Close()
}

func (f *fixture) raw(method, path, body string, hdr map[string]string) (int, map[string]any) {
	f.t.Helper()
	req, _ := http.NewRequest(method, f.api.URL+path, strings.NewReader(body))
	req.SetBasicAuth("admin", "s3cret")
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

func hdfsBlueprint() ambari.Blueprint {
	return ambari.Blueprint{
		Blueprints: ambari.BlueprintInfo{StackName: "HDP", StackVersion: "2.1"},
		HostGroups: []ambari.HostGroup{
			{Name: "master", Cardinality: "1", Components: []ambari.Component{{Name: "NAMENODE"}, {Name: "SECONDARY_NAMENODE"}, {Name: "HDFS_CLIENT"}}},
			{Name: "slaves", Cardinality: "1+", Components: []ambari.Component{{Name: "DATANODE"}}},
		},
	}
}

var ctx = context.Background()

func TestCheckNeedsNoAuth(t *testing.T) {
	f := newFixture(t, Config{})
	resp, err := http.Get(f.api.URL + "/api/v1/check")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("check: %v %v", err, resp)
	}
	if err := f.cl.Check(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestAuthAndCSRF(t *testing.T) {
	f := newFixture(t, Config{})
	bad := ambari.NewClient(f.api.URL, "admin", "admin")
	_, err := bad.Hosts(ctx)
	if !ambari.HasStatus(err, 403) {
		t.Fatalf("wrong password: want 403, got %v", err)
	}
	status, body := f.raw("POST", "/api/v1/blueprints/b", `{}`, map[string]string{"X-Requested-By": ""})
	if status != 400 || body["message"] != csrfMessage || body["status"].(float64) != 400 {
		t.Fatalf("missing X-Requested-By: %d %v", status, body)
	}
	if status, _ := f.raw("GET", "/api/v1/blueprints", "", nil); status != 200 {
		t.Fatalf("GET without X-Requested-By must pass, got %d", status)
	}
	if status, body := f.raw("GET", "/api/v1/nothing", "", nil); status != 404 || body["status"].(float64) != 404 {
		t.Fatalf("unknown path: %d %v", status, body)
	}
}

func TestEmptyPasswordAcceptsNobody(t *testing.T) {
	emu := New(Config{User: "admin"})
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	if _, err := ambari.NewClient(srv.URL, "admin", "").Hosts(ctx); !ambari.HasStatus(err, 403) {
		t.Fatalf("want 403, got %v", err)
	}
}

func TestBlueprintLifecycle(t *testing.T) {
	f := newFixture(t, Config{})
	if err := f.cl.PostBlueprint(ctx, "hdfs", hdfsBlueprint()); err != nil {
		t.Fatal(err)
	}
	err := f.cl.PostBlueprint(ctx, "hdfs", hdfsBlueprint())
	if !ambari.HasStatus(err, 409) || !strings.Contains(err.Error(), "Attempted to create a Blueprint which already exists, blueprint_name=hdfs") {
		t.Fatalf("duplicate: %v", err)
	}
	got, err := f.cl.GetBlueprint(ctx, "hdfs")
	if err != nil || got.Blueprints.BlueprintName != "hdfs" || len(got.HostGroups) != 2 {
		t.Fatalf("get: %+v %v", got, err)
	}
	if err := f.cl.DeleteBlueprint(ctx, "hdfs"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.cl.GetBlueprint(ctx, "hdfs"); !ambari.HasStatus(err, 404) {
		t.Fatalf("after delete: %v", err)
	}
	if err := f.cl.DeleteBlueprint(ctx, "hdfs"); !ambari.HasStatus(err, 404) {
		t.Fatalf("delete missing: %v", err)
	}
}

func TestBlueprintValidation(t *testing.T) {
	f := newFixture(t, Config{})
	unknown := hdfsBlueprint()
	unknown.HostGroups[1].Components = append(unknown.HostGroups[1].Components, ambari.Component{Name: "FLUX_CAPACITOR"})
	err := f.cl.PostBlueprint(ctx, "u", unknown)
	if !ambari.HasStatus(err, 400) || !strings.Contains(err.Error(), "The component 'FLUX_CAPACITOR' in host group 'slaves' is not valid for the specified stack") {
		t.Fatalf("unknown component: %v", err)
	}
	noSNN := hdfsBlueprint()
	noSNN.HostGroups[0].Components = []ambari.Component{{Name: "NAMENODE"}, {Name: "HDFS_CLIENT"}}
	err = f.cl.PostBlueprint(ctx, "n", noSNN)
	if !ambari.HasStatus(err, 400) || !strings.Contains(err.Error(), "Cluster Topology validation failed.  Invalid service component count: [SECONDARY_NAMENODE(actual=0, required=1)]") {
		t.Fatalf("cardinality: %v", err)
	}
	status, _ := f.raw("POST", "/api/v1/blueprints/n?validate_topology=false", mustJSON(noSNN), map[string]string{"X-Requested-By": "t"})
	if status != 201 {
		t.Fatalf("validate_topology=false: %d", status)
	}
	status, body := f.raw("POST", "/api/v1/blueprints/x", `{not json`, map[string]string{"X-Requested-By": "t"})
	if status != 400 || !strings.Contains(body["message"].(string), "Malformed Request Body") {
		t.Fatalf("malformed: %d %v", status, body)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestHostsRegisterAndHeartbeatLost(t *testing.T) {
	f := newFixture(t, Config{HeartbeatTimeout: 30 * time.Second})
	f.register("node-2.herd.local", "10.0.0.2")
	f.register("NODE-1.herd.local", "10.0.0.1")
	hosts, err := f.cl.Hosts(ctx)
	if err != nil || len(hosts) != 2 || hosts[0].HostName != "node-1.herd.local" || hosts[0].IP != "10.0.0.1" || hosts[0].HostState != "HEALTHY" {
		t.Fatalf("hosts: %+v %v", hosts, err)
	}
	f.clock.add(31 * time.Second)
	resp, _ := http.Post(f.agent.URL+"/agent/v1/heartbeat/node-2.herd.local", "application/json", strings.NewReader(`{}`))
	resp.Body.Close()
	hosts, _ = f.cl.Hosts(ctx)
	if hosts[0].HostState != "HEARTBEAT_LOST" || hosts[0].HostStatus != "UNKNOWN" || hosts[1].HostState != "HEALTHY" {
		t.Fatalf("after silence: %+v", hosts)
	}
}

func TestUnregisteredHeartbeatAsksToRegister(t *testing.T) {
	f := newFixture(t, Config{})
	resp, err := http.Post(f.agent.URL+"/agent/v1/heartbeat/ghost", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	if m["registrationCommand"] == nil {
		t.Fatalf("want registrationCommand, got %v", m)
	}
}
