package ambariemu

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/herdhq/herd/ambari"
)

// The alerts API: Ambari's agent heartbeat alert, which the server derives
// from each host's state, and the host disk usage alert, which agents run
// and report in their heartbeats.

var (
	alertKeys           = []string{"Alert/cluster_name", "Alert/id"}
	alertDefinitionKeys = []string{"AlertDefinition/cluster_name", "AlertDefinition/id"}
	definitions         = []ambari.AlertDefinition{ambari.AlertHeartbeat, ambari.AlertDiskUsage}
)

type alertItem struct {
	Href  string    `json:"href"`
	Alert alertInfo `json:"Alert"`
}

type alertInfo struct {
	ClusterName       string  `json:"cluster_name"`
	ComponentName     string  `json:"component_name"`
	DefinitionID      int64   `json:"definition_id"`
	DefinitionName    string  `json:"definition_name"`
	Firmness          string  `json:"firmness"`
	HostName          string  `json:"host_name"`
	ID                int64   `json:"id"`
	Instance          *string `json:"instance"`
	Label             string  `json:"label"`
	LatestTimestamp   int64   `json:"latest_timestamp"`
	MaintenanceState  string  `json:"maintenance_state"`
	Occurrences       int     `json:"occurrences"`
	OriginalTimestamp int64   `json:"original_timestamp"`
	Scope             string  `json:"scope"`
	ServiceName       string  `json:"service_name"`
	State             string  `json:"state"`
	Text              string  `json:"text"`
}

type definitionItem struct {
	Href       string                 `json:"href"`
	Definition map[string]interface{} `json:"AlertDefinition"`
}

// alertState is when an alert of a host entered its current state.
type alertState struct {
	id          int64
	state       string
	since       time.Time
	occurrences int
}

func (e *Emulator) routeAlerts(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/clusters/{c}/alerts", e.withCluster(e.listAlerts))
	mux.HandleFunc("GET /api/v1/clusters/{c}/alerts/{id}", e.withCluster(e.getAlert))
	mux.HandleFunc("GET /api/v1/clusters/{c}/hosts/{h}/alerts", e.withCluster(e.listAlerts))
	mux.HandleFunc("GET /api/v1/clusters/{c}/alert_definitions", e.withCluster(e.listDefinitions))
	mux.HandleFunc("GET /api/v1/clusters/{c}/alert_definitions/{id}", e.withCluster(e.getDefinition))
}

func (e *Emulator) listAlerts(w http.ResponseWriter, r *http.Request, c *cluster) {
	href := clusterHref(c.name) + "/alerts"
	items := []alertItem{}
	for _, it := range e.alertItems(c) {
		if h := r.PathValue("h"); h == "" || it.Alert.HostName == h {
			items = append(items, it)
		}
	}
	respond(w, r, http.StatusOK, view{body: collection{Href: href, Items: items}, keys: alertKeys, collection: true})
}

func (e *Emulator) getAlert(w http.ResponseWriter, r *http.Request, c *cluster) {
	for _, it := range e.alertItems(c) {
		if strconv.FormatInt(it.Alert.ID, 10) == r.PathValue("id") {
			respond(w, r, http.StatusOK, view{body: it, keys: alertKeys, defaults: []string{"Alert/*"}})
			return
		}
	}
	notFound(w, "Alert", "id="+r.PathValue("id"))
}

// alertItems are the cluster's alerts, host by host: the heartbeat alert
// of each, and the disk usage alert of those whose agent reported it.
func (e *Emulator) alertItems(c *cluster) []alertItem {
	now := e.cfg.Now()
	var out []alertItem
	for _, name := range c.hosts {
		h := e.hosts[name]
		if h == nil {
			continue
		}
		state, text := ambari.HeartbeatAlert(h.name, e.hostView(h, now).HostState)
		out = append(out, e.alertItem(c, h, ambari.AlertHeartbeat, ambari.AgentAlert{State: state, Text: text, Timestamp: now.UnixMilli()}))
		if disk, ok := h.alerts[ambari.AlertDiskUsage.Name]; ok {
			out = append(out, e.alertItem(c, h, ambari.AlertDiskUsage, disk))
		}
	}
	return out
}

func (e *Emulator) alertItem(c *cluster, h *host, def ambari.AlertDefinition, a ambari.AgentAlert) alertItem {
	st := e.alertStateOf(h.name, def, a)
	return alertItem{Href: fmt.Sprintf("%s/alerts/%d", clusterHref(c.name), st.id), Alert: alertInfo{
		ClusterName: c.name, ComponentName: def.ComponentName, DefinitionID: def.ID, DefinitionName: def.Name, Firmness: "HARD",
		HostName: h.name, ID: st.id, Label: def.Label, LatestTimestamp: a.Timestamp, MaintenanceState: "OFF", Occurrences: st.occurrences,
		OriginalTimestamp: st.since.UnixMilli(), Scope: def.Scope, ServiceName: def.ServiceName, State: a.State, Text: a.Text}}
}

// alertStateOf keeps each host alert's id, since when it is in its state
// (Ambari's original_timestamp), and its occurrences: as in Ambari, how
// many times its check found that state, which is once when it entered the
// state and once more every interval of the definition since (reading the
// alert counts nothing).
func (e *Emulator) alertStateOf(host string, def ambari.AlertDefinition, a ambari.AgentAlert) *alertState {
	key := host + "/" + def.Name
	st, ok := e.alertStates[key]
	if !ok {
		st = &alertState{id: int64(len(e.alertStates) + 1)}
		e.alertStates[key] = st
	}
	at := time.UnixMilli(a.Timestamp)
	if st.state != a.State {
		st.state, st.since = a.State, at
	}
	st.occurrences = 1
	if every := time.Duration(def.Interval) * time.Minute; every > 0 && at.After(st.since) {
		st.occurrences += int(at.Sub(st.since) / every)
	}
	return st
}

func (e *Emulator) listDefinitions(w http.ResponseWriter, r *http.Request, c *cluster) {
	items := []definitionItem{}
	for _, d := range definitions {
		items = append(items, definitionView(c, d))
	}
	respond(w, r, http.StatusOK, view{body: collection{Href: clusterHref(c.name) + "/alert_definitions", Items: items},
		keys: alertDefinitionKeys, defaults: []string{"AlertDefinition/label", "AlertDefinition/name"}, collection: true})
}

func (e *Emulator) getDefinition(w http.ResponseWriter, r *http.Request, c *cluster) {
	for _, d := range definitions {
		if strconv.FormatInt(d.ID, 10) == r.PathValue("id") {
			respond(w, r, http.StatusOK, view{body: definitionView(c, d), keys: alertDefinitionKeys, defaults: []string{"AlertDefinition/*"}})
			return
		}
	}
	notFound(w, "AlertDefinition", "id="+r.PathValue("id"))
}

func definitionView(c *cluster, d ambari.AlertDefinition) definitionItem {
	return definitionItem{Href: fmt.Sprintf("%s/alert_definitions/%d", clusterHref(c.name), d.ID), Definition: map[string]interface{}{
		"cluster_name": c.name, "component_name": d.ComponentName, "description": d.Description, "enabled": d.Enabled,
		"id": d.ID, "ignore_host": false, "interval": d.Interval, "label": d.Label, "name": d.Name, "scope": d.Scope,
		"service_name": d.ServiceName, "source": map[string]string{"type": d.SourceType}}}
}
