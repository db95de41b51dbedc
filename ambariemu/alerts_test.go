package ambariemu

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/herdhq/herd/ambari"
)

func (f *fixture) beat(host string, alerts ...ambari.AgentAlert) {
	f.t.Helper()
	body, _ := json.Marshal(ambari.Registration{Hostname: host, Alerts: alerts})
	resp, err := http.Post(f.agent.URL+ambari.AgentHeartbeatPath+host, "application/json", bytes.NewReader(body))
	if err != nil || resp.StatusCode != 200 {
		f.t.Fatalf("heartbeat of %s: %v %v", host, err, resp)
	}
	resp.Body.Close()
}

// The alerts API serves Ambari's heartbeat alert for every host (from its
// state) and the disk usage alert its agent reports, with Ambari's
// definitions, states and words; a host whose heartbeat is lost turns
// CRITICAL from that moment.
func TestAlertsAPI(t *testing.T) {
	f, _ := installed(t)
	state, text := ambari.DiskUsageAlert(10_000_000_000, 9_300_000_000, 700_000_000)
	f.beat("s.d", ambari.AgentAlert{Name: "ambari_agent_disk_usage", State: state, Text: text, Timestamp: f.clock.now().UnixMilli()})
	f.beat("m.d")
	all := f.get("/api/v1/clusters/c1/alerts?fields=Alert/*")
	items := at(all, "items").([]any)
	if len(items) != 3 {
		t.Fatalf("two heartbeat alerts and one disk alert: %v", all)
	}
	want := map[string][3]string{
		"m.d/ambari_server_agent_heartbeat": {"OK", "m.d is healthy", "Ambari Agent Heartbeat"},
		"s.d/ambari_server_agent_heartbeat": {"OK", "s.d is healthy", "Ambari Agent Heartbeat"},
		"s.d/ambari_agent_disk_usage":       {"CRITICAL", "Capacity Used: [93.00%, 9.3 GB], Capacity Total: [10.0 GB]", "Host Disk Usage"},
	}
	for _, it := range items {
		key := at(it, "Alert/host_name").(string) + "/" + at(it, "Alert/definition_name").(string)
		w, ok := want[key]
		if !ok || at(it, "Alert/state") != w[0] || at(it, "Alert/text") != w[1] || at(it, "Alert/label") != w[2] ||
			at(it, "Alert/scope") != "HOST" || at(it, "Alert/service_name") != "AMBARI" || at(it, "Alert/cluster_name") != "c1" {
			t.Errorf("%s: %v", key, it)
		}
	}
	bare := f.get("/api/v1/clusters/c1/alerts")
	if at(bare, "items/0/Alert/id") == nil || at(bare, "items/0/Alert/text") != nil || at(bare, "items/0/href") == nil {
		t.Errorf("without fields, items have their href and keys only: %v", bare)
	}
	f.clock.add(time.Hour)
	lost := f.get("/api/v1/clusters/c1/hosts/m.d/alerts?fields=Alert/*&Alert/definition_name=ambari_server_agent_heartbeat")
	if at(lost, "items/0/Alert/state") != "CRITICAL" || at(lost, "items/0/Alert/text") != "m.d is not sending heartbeats" ||
		at(lost, "items/0/Alert/original_timestamp") != float64(f.clock.now().UnixMilli()) || len(at(lost, "items").([]any)) != 1 {
		t.Errorf("a lost heartbeat: %v", lost)
	}
	defs := f.get("/api/v1/clusters/c1/alert_definitions")
	if at(defs, "items/0/AlertDefinition/name") != "ambari_server_agent_heartbeat" || at(defs, "items/1/AlertDefinition/label") != "Host Disk Usage" {
		t.Errorf("definitions: %v", defs)
	}
	if d := f.get("/api/v1/clusters/c1/alert_definitions/2"); at(d, "AlertDefinition/component_name") != "AMBARI_AGENT" || at(d, "AlertDefinition/source/type") != "SCRIPT" {
		t.Errorf("the disk usage definition: %v", d)
	}
}

// An alert's occurrences count its checks since it entered its state, one
// per interval of its definition (Ambari's heartbeat alert runs every 2
// minutes), not the times it was read; a new state starts again at one.
func TestAlertOccurrencesCountChecksNotReads(t *testing.T) {
	f, _ := installed(t)
	f.beat("m.d")
	occurrences := func() any {
		a := f.get("/api/v1/clusters/c1/hosts/m.d/alerts?fields=Alert/*&Alert/definition_name=ambari_server_agent_heartbeat")
		return at(a, "items/0/Alert/occurrences")
	}
	if first, again := occurrences(), occurrences(); first != float64(1) || again != float64(1) {
		t.Fatalf("read twice at once: %v then %v; want 1 and 1", first, again)
	}
	f.clock.add(10 * time.Second)
	f.beat("m.d")
	f.clock.add(20 * time.Second)
	f.beat("m.d")
	if n := occurrences(); n != float64(1) {
		t.Fatalf("half a minute on, healthy: %v; want 1 (the next check is at two minutes)", n)
	}
	for range 2 { // beats keep the host healthy while the checks run
		f.clock.add(90 * time.Second)
		f.beat("m.d")
	}
	if n := occurrences(); n != float64(2) {
		t.Fatalf("3.5 minutes on: %v; want 2", n)
	}
	f.clock.add(time.Hour) // the heartbeat is lost: CRITICAL from now
	if n := occurrences(); n != float64(1) {
		t.Fatalf("a new state: %v; want 1", n)
	}
	f.clock.add(4 * time.Minute)
	if n := occurrences(); n != float64(3) {
		t.Fatalf("4 minutes CRITICAL: %v; want 3", n)
	}
}
