package ambariemu

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/herdhq/herd/ambari"
)

func (e *Emulator) routeClusters(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/clusters", e.listClusters)
	mux.HandleFunc("GET /api/v1/clusters/{c}", e.withCluster(e.getCluster))
	mux.HandleFunc("PUT /api/v1/clusters/{c}", e.withCluster(e.putCluster))
	mux.HandleFunc("POST /api/v1/clusters/{c}", e.createCluster)
	mux.HandleFunc("DELETE /api/v1/clusters/{c}", e.withCluster(e.deleteCluster))
	mux.HandleFunc("GET /api/v1/clusters/{c}/requests", e.withCluster(e.listRequests))
	mux.HandleFunc("GET /api/v1/clusters/{c}/requests/{id}", e.withCluster(e.getRequest))
	mux.HandleFunc("POST /api/v1/clusters/{c}/requests", e.withCluster(e.postRequest))
	mux.HandleFunc("PUT /api/v1/clusters/{c}/requests/{id}", e.withCluster(e.abortRequest))
	mux.HandleFunc("GET /api/v1/clusters/{c}/requests/{id}/tasks", e.withCluster(e.listTasks))
	mux.HandleFunc("GET /api/v1/clusters/{c}/requests/{id}/tasks/{tid}", e.withCluster(e.getTask))
	mux.HandleFunc("GET /api/v1/clusters/{c}/requests/{id}/stages", e.withCluster(e.listStages))
	mux.HandleFunc("GET /api/v1/clusters/{c}/requests/{id}/stages/{sid}", e.withCluster(e.getStage))
	mux.HandleFunc("GET /api/v1/clusters/{c}/hosts", e.withCluster(e.clusterHosts))
	mux.HandleFunc("POST /api/v1/clusters/{c}/hosts", e.withCluster(e.addHosts))
	mux.HandleFunc("POST /api/v1/clusters/{c}/hosts/{h}", e.withCluster(e.addHost))
	mux.HandleFunc("DELETE /api/v1/clusters/{c}/hosts/{h}", e.withCluster(e.removeHost))
	mux.HandleFunc("PUT /api/v1/clusters/{c}/hosts/{h}/host_components", e.withCluster(e.stopHost))
	mux.HandleFunc("GET /api/v1/clusters/{c}/services", e.withCluster(e.listServices))
	mux.HandleFunc("PUT /api/v1/clusters/{c}/services", e.withCluster(e.setServices))
	mux.HandleFunc("PUT /api/v1/clusters/{c}/services/{s}", e.withCluster(e.setService))
}

// withCluster runs h with the emulator locked and the named cluster found,
// or answers 404.
func (e *Emulator) withCluster(h func(http.ResponseWriter, *http.Request, *cluster)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		defer e.mu.Unlock()
		c, ok := e.clusters[r.PathValue("c")]
		if !ok {
			writeError(w, http.StatusNotFound, "The requested resource doesn't exist: Cluster not found, Cluster_name="+r.PathValue("c"))
			return
		}
		h(w, r, c)
	}
}

func (e *Emulator) createCluster(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("c")
	var t ambari.ClusterTemplate
	if !decode(w, r, &t) {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, exists := e.clusters[name]; exists {
		writeError(w, http.StatusConflict, "Attempted to create a Cluster which already exists, cluster_name="+name)
		return
	}
	bp, ok := e.blueprints[t.Blueprint]
	if !ok {
		writeError(w, http.StatusBadRequest, templatePrefix+"The specified blueprint doesn't exist: org.apache.ambari.server.topology.NoSuchBlueprintException: No blueprint exists with the name '"+t.Blueprint+"'")
		return
	}
	if msg := checkTemplate(t, bp, e.hostsInClusters()); msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	c := &cluster{id: e.nextClusterID(), name: name, blueprint: t.Blueprint, services: map[string]string{}, created: e.cfg.Now(),
		decommissioned: map[string]bool{}, configs: initialConfigs(bp, t), configGroups: configGroups(bp, t, 2)}
	e.clusters[name] = c
	req := e.newRequest(name, fmt.Sprintf("Logical Request: Provision Cluster '%s'", name))
	req.target = map[string]string{}
	for _, svc := range bp.Services() {
		c.services[svc] = "INIT"
		req.target[svc] = "STARTED"
	}
	for _, hg := range t.HostGroups {
		if hg.HostCount > 0 {
			req.slots = append(req.slots, slot{group: hg.Name, count: hg.HostCount, predicate: hg.HostPredicate})
		}
		for _, h := range hg.Hosts {
			fqdn := strings.ToLower(h.FQDN)
			e.placeHost(c, fqdn, hg.Name)
			e.addInstallTasks(req, bp, hg.Name, fqdn)
		}
	}
	writeAccepted(w, r, name, req.id)
}

// placeHost puts fqdn in the cluster; a host not registered yet is matched
// when its agent registers (its tasks wait PENDING until then).
func (e *Emulator) placeHost(c *cluster, fqdn, group string) {
	h, ok := e.hosts[fqdn]
	if !ok {
		h = &host{name: fqdn} // shows in /hosts once its agent registers
		e.hosts[fqdn] = h
	}
	e.joinCluster(c, h, group)
}

func (e *Emulator) hostsInClusters() map[string]bool {
	in := map[string]bool{}
	for _, c := range e.clusters {
		for _, h := range c.hosts {
			in[h] = true
		}
	}
	return in
}

// Ambari's cluster-creation refusals: the template's (400 "Invalid Cluster
// Creation Template: ...") and the topology's ("Topology validation
// failed: ..."), each with the exception's class as Ambari prints it.
const (
	templatePrefix = "Invalid Cluster Creation Template: org.apache.ambari.server.topology.InvalidTopologyTemplateException: "
	topologyPrefix = "Topology validation failed: org.apache.ambari.server.topology.InvalidTopologyException: "
)

// checkTemplate validates a cluster-creation template as Ambari's
// ProvisionClusterRequest and topology do; it returns the whole message.
func checkTemplate(t ambari.ClusterTemplate, bp ambari.Blueprint, taken map[string]bool) string {
	if len(t.HostGroups) == 0 {
		return templatePrefix + "'host_groups' element must be included in cluster create body"
	}
	for _, hg := range t.HostGroups {
		if msg := checkTemplateGroup(hg); msg != "" {
			return templatePrefix + msg
		}
		if _, ok := bp.Group(hg.Name); !ok {
			return templatePrefix + fmt.Sprintf("The specified host group '%s' is not defined in blueprint '%s'", hg.Name, t.Blueprint)
		}
	}
	if dups := duplicateHosts(t, taken); len(dups) > 0 {
		return topologyPrefix + fmt.Sprintf("The following hosts are mapped to multiple host groups: [%s]. "+
			"Be aware that host names are converted to lowercase, case differences do not matter in Ambari deployments.", strings.Join(dups, ", "))
	}
	return missingPasswords(t, bp)
}

func checkTemplateGroup(hg ambari.TemplateHostGroup) string {
	switch {
	case hg.Name == "":
		return "All host groups must contain a 'name' element"
	case hg.HostPredicate != "" && hg.HostCount == 0:
		return fmt.Sprintf("Host group '%s' must not specify 'host_predicate' without 'host_count'", hg.Name)
	case len(hg.Hosts) > 0 && hg.HostCount > 0:
		return fmt.Sprintf("Host group '%s' must not contain both a 'hosts' element and a 'host_count' value", hg.Name)
	case len(hg.Hosts) == 0 && hg.HostCount == 0:
		return fmt.Sprintf("Host group '%s' must contain at least one 'hosts/fqdn' or a 'host_count' value", hg.Name)
	}
	if _, err := parsePredicate(hg.HostPredicate); err != nil {
		return fmt.Sprintf("Unable to compile host predicate '%s': %v", hg.HostPredicate, err)
	}
	for _, h := range hg.Hosts {
		if h.FQDN == "" {
			return fmt.Sprintf("Host group '%s' must contain at least one 'hosts/fqdn' or a 'host_count' value", hg.Name)
		}
	}
	return ""
}

// duplicateHosts are hosts named twice in the template, or already in a
// cluster, lower-cased and sorted.
func duplicateHosts(t ambari.ClusterTemplate, taken map[string]bool) []string {
	seen, dups := map[string]bool{}, map[string]bool{}
	for _, hg := range t.HostGroups {
		for _, h := range hg.Hosts {
			fqdn := strings.ToLower(h.FQDN)
			if seen[fqdn] || taken[fqdn] {
				dups[fqdn] = true
			}
			seen[fqdn] = true
		}
	}
	return slices.Sorted(maps.Keys(dups))
}

// writeAccepted is Ambari's 202: the request's absolute href and id.
func writeAccepted(w http.ResponseWriter, r *http.Request, cluster string, id int64) {
	respond(w, r, http.StatusAccepted, view{body: ambari.Accepted{
		Href:     fmt.Sprintf("/api/v1/clusters/%s/requests/%d", cluster, id),
		Requests: ambari.AcceptedInfo{ID: id, Status: "Accepted"},
	}, defaults: []string{"*"}})
}

func (e *Emulator) deleteCluster(w http.ResponseWriter, _ *http.Request, c *cluster) {
	for _, name := range c.hosts {
		if h := e.hosts[name]; h != nil {
			h.cluster, h.group = "", ""
		}
	}
	delete(e.clusters, c.name)
	w.WriteHeader(http.StatusOK)
}

var (
	requestKeys = []string{"Requests/cluster_name", "Requests/id"}
	taskKeys    = []string{"Tasks/cluster_name", "Tasks/id", "Tasks/request_id"}
	stageKeys   = []string{"Stage/cluster_name", "Stage/request_id", "Stage/stage_id"}
)

func (e *Emulator) listRequests(w http.ResponseWriter, r *http.Request, c *cluster) {
	items := []ambari.Request{}
	for _, req := range e.requests {
		if req.cluster == c.name {
			items = append(items, e.requestView(req))
		}
	}
	respond(w, r, http.StatusOK, view{body: collection{Href: clusterHref(c.name) + "/requests", Items: items}, keys: requestKeys, collection: true})
}

func (e *Emulator) findRequest(w http.ResponseWriter, r *http.Request, c *cluster) *request {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err == nil && id >= 1 && id <= int64(len(e.requests)) && e.requests[id-1].cluster == c.name {
		return e.requests[id-1]
	}
	writeError(w, http.StatusNotFound, "The requested resource doesn't exist: Request resource doesn't exist: id="+r.PathValue("id"))
	return nil
}

func (e *Emulator) getRequest(w http.ResponseWriter, r *http.Request, c *cluster) {
	if req := e.findRequest(w, r, c); req != nil {
		defaults := append(append([]string{"Requests/*"}, under("tasks", taskKeys)...), under("stages", stageKeys)...)
		respond(w, r, http.StatusOK, view{body: e.requestView(req), keys: requestKeys, defaults: defaults})
	}
}

func (e *Emulator) listTasks(w http.ResponseWriter, r *http.Request, c *cluster) {
	if req := e.findRequest(w, r, c); req != nil {
		v := e.requestView(req)
		respond(w, r, http.StatusOK, view{body: collection{Href: v.Href + "/tasks", Items: v.Tasks}, keys: taskKeys, collection: true})
	}
}

func (e *Emulator) getTask(w http.ResponseWriter, r *http.Request, c *cluster) {
	req := e.findRequest(w, r, c)
	if req == nil {
		return
	}
	for _, t := range e.requestView(req).Tasks {
		if fmt.Sprint(t.Tasks.ID) == r.PathValue("tid") {
			respond(w, r, http.StatusOK, view{body: t, keys: taskKeys, defaults: []string{"Tasks/*"}})
			return
		}
	}
	notFound(w, "Task", "id="+r.PathValue("tid"))
}

func (e *Emulator) listStages(w http.ResponseWriter, r *http.Request, c *cluster) {
	if req := e.findRequest(w, r, c); req != nil {
		v := e.requestView(req)
		respond(w, r, http.StatusOK, view{body: collection{Href: v.Href + "/stages", Items: v.Stages}, keys: stageKeys, collection: true})
	}
}

func (e *Emulator) getStage(w http.ResponseWriter, r *http.Request, c *cluster) {
	req := e.findRequest(w, r, c)
	if req == nil {
		return
	}
	for _, s := range e.requestView(req).Stages {
		if fmt.Sprint(s.Stage.StageID) == r.PathValue("sid") {
			respond(w, r, http.StatusOK, view{body: s, keys: stageKeys, defaults: []string{"Stage/*"}})
			return
		}
	}
	notFound(w, "Stage", "id="+r.PathValue("sid"))
}

func (e *Emulator) abortRequest(w http.ResponseWriter, r *http.Request, c *cluster) {
	req := e.findRequest(w, r, c)
	if req == nil {
		return
	}
	var body struct {
		Requests struct {
			Status string `json:"request_status"`
			Reason string `json:"abort_reason"`
		} `json:"Requests"`
	}
	if !decode(w, r, &body) {
		return
	}
	if body.Requests.Status != ambari.StatusAborted {
		writeError(w, http.StatusBadRequest, "Only ABORTED is supported as a request_status update")
		return
	}
	if !ambari.IsFinal(e.status(req)) {
		now := e.cfg.Now()
		for _, t := range req.tasks {
			if !ambari.IsFinal(t.status) {
				t.status, t.end = ambari.StatusAborted, now
			}
		}
		req.aborted, req.abortReason, req.end = true, body.Requests.Reason, now
	}
	w.WriteHeader(http.StatusOK)
}

// missingPasswords is Ambari's required-password check: without a
// default_password, every required password of the services on a host
// group must be given in its configuration, the blueprint's or the
// template's.
func missingPasswords(t ambari.ClusterTemplate, bp ambari.Blueprint) string {
	if t.DefaultPassword != "" {
		return ""
	}
	st, _ := bp.Stack()
	cluster := ambari.ConfigProperties(append(append([]map[string]any{}, bp.Configurations...), t.Configurations...))
	var groups []string
	for _, tg := range t.HostGroups {
		hg, _ := bp.Group(tg.Name)
		group := ambari.ConfigProperties(append(append([]map[string]any{}, hg.Configurations...), tg.Configurations...))
		missing := map[string][]string{}
		for _, svc := range (ambari.Blueprint{Blueprints: bp.Blueprints, HostGroups: []ambari.HostGroup{hg}}).Services() {
			for _, p := range requiredPasswordsOf(st, svc) {
				if _, ok := group[p.Type][p.Name]; !ok {
					if _, ok := cluster[p.Type][p.Name]; !ok {
						missing[p.Type] = append(missing[p.Type], p.Name)
					}
				}
			}
		}
		if len(missing) > 0 {
			var types []string
			for _, typ := range slices.Sorted(maps.Keys(missing)) {
				types = append(types, typ+"=["+strings.Join(missing[typ], ", ")+"]")
			}
			groups = append(groups, tg.Name+"={"+strings.Join(types, ", ")+"}")
		}
	}
	if len(groups) == 0 {
		return ""
	}
	return topologyPrefix + "Missing required password properties.  Specify a value for these properties in the cluster or host " +
		"group configurations or include 'default_password' field in request. {" + strings.Join(groups, ", ") + "}"
}

func requiredPasswordsOf(st ambari.Stack, service string) []ambari.ConfigProperty {
	for _, s := range st.Services {
		if s.Name == service {
			return s.RequiredPasswords
		}
	}
	return nil
}
