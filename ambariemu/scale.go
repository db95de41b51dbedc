package ambariemu

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/herdhq/herd/ambari"
)

func (e *Emulator) clusterHosts(w http.ResponseWriter, r *http.Request, c *cluster) {
	list := e.hostList(clusterHref(c.name)+"/hosts", func(h *host) bool { return h.cluster == c.name && !h.lastBeat.IsZero() })
	respond(w, r, http.StatusOK, view{body: list, keys: []string{"Hosts/cluster_name", "Hosts/host_name"}, collection: true})
}

func (e *Emulator) addHost(w http.ResponseWriter, r *http.Request, c *cluster) {
	var body ambari.HostAddition
	if !decode(w, r, &body) {
		return
	}
	body.HostName = r.PathValue("h")
	e.addHostsList(w, r, c, []ambari.HostAddition{body})
}

func (e *Emulator) addHosts(w http.ResponseWriter, r *http.Request, c *cluster) {
	var body []ambari.HostAddition
	if !decode(w, r, &body) {
		return
	}
	e.addHostsList(w, r, c, body)
}

// addHostsList validates every addition first, then installs them all in
// one request.
func (e *Emulator) addHostsList(w http.ResponseWriter, r *http.Request, c *cluster, adds []ambari.HostAddition) {
	for _, a := range adds {
		if msg := e.checkAddition(c, a); msg != "" {
			writeError(w, http.StatusBadRequest, msg)
			return
		}
	}
	req := e.newRequest(c.name, fmt.Sprintf("Logical Request: Scale Cluster '%s' (added hosts)", c.name))
	for _, a := range adds {
		name := strings.ToLower(a.HostName)
		e.joinCluster(c, e.hosts[name], a.HostGroup)
		e.addInstallTasks(req, e.blueprints[a.Blueprint], a.HostGroup, name)
	}
	writeAccepted(w, r, c.name, req.id)
}

func (e *Emulator) checkAddition(c *cluster, a ambari.HostAddition) string {
	name := strings.ToLower(a.HostName)
	bp, ok := e.blueprints[a.Blueprint]
	switch {
	case name == "":
		return "Invalid Add Hosts Template: host_name is required"
	case !ok || a.Blueprint != c.blueprint:
		return fmt.Sprintf("Invalid Add Hosts Template: Blueprint '%s' is not the cluster's blueprint", a.Blueprint)
	}
	if _, ok := bp.Group(a.HostGroup); !ok {
		return fmt.Sprintf("Invalid Add Hosts Template: host group '%s' is not defined in blueprint '%s'", a.HostGroup, a.Blueprint)
	}
	h, ok := e.hosts[name]
	switch {
	case !ok || h.lastBeat.IsZero():
		return fmt.Sprintf("Attempted to add unknown host to a cluster.  These hosts have not been registered with the server: %s", name)
	case h.cluster == c.name:
		return fmt.Sprintf("Host %s cannot be added, because it is already in the cluster", name)
	case h.cluster != "":
		return fmt.Sprintf("Host %s cannot be added, because it is already in cluster %s", name, h.cluster)
	}
	return ""
}

func (e *Emulator) removeHost(w http.ResponseWriter, r *http.Request, c *cluster) {
	name := strings.ToLower(r.PathValue("h"))
	h, ok := e.hosts[name]
	if !ok || h.cluster != c.name {
		writeError(w, http.StatusNotFound, "The requested resource doesn't exist: Host not found, Host_name="+name)
		return
	}
	h.cluster, h.group = "", ""
	kept := c.hosts[:0]
	for _, n := range c.hosts {
		if n != name {
			kept = append(kept, n)
		}
	}
	c.hosts = kept
	w.WriteHeader(http.StatusOK)
}

// stopHost stops every started component of one host (state INSTALLED).
func (e *Emulator) stopHost(w http.ResponseWriter, r *http.Request, c *cluster) {
	name := strings.ToLower(r.PathValue("h"))
	var body struct {
		HostRoles struct {
			State string `json:"state"`
		} `json:"HostRoles"`
	}
	if !decode(w, r, &body) {
		return
	}
	h, ok := e.hosts[name]
	if !ok || h.cluster != c.name {
		writeError(w, http.StatusNotFound, "The requested resource doesn't exist: Host not found, Host_name="+name)
		return
	}
	if body.HostRoles.State != "INSTALLED" {
		writeError(w, http.StatusBadRequest, "Only INSTALLED is supported as a host component state")
		return
	}
	bp := e.blueprints[c.blueprint]
	st, _ := bp.Stack()
	hg, _ := bp.Group(h.group)
	req := e.newRequest(c.name, "Stop components on "+name)
	for _, comp := range hg.Components {
		if !st.Components[comp.Name].IsClient() {
			e.addTask(req, name, comp.Name, "STOP", stageInstall)
		}
	}
	if len(req.tasks) == 0 {
		e.requests = e.requests[:len(e.requests)-1]
		w.WriteHeader(http.StatusOK)
		return
	}
	writeAccepted(w, r, c.name, req.id)
}

func (e *Emulator) listServices(w http.ResponseWriter, r *http.Request, c *cluster) {
	respond(w, r, http.StatusOK, view{body: collection{Href: clusterHref(c.name) + "/services", Items: e.serviceItems(c)},
		keys: serviceKeys, collection: true})
}

// setServices starts (STARTED) or stops (INSTALLED) every service; 200 with
// no body when nothing changes, 202 with a request otherwise.
func (e *Emulator) setServices(w http.ResponseWriter, r *http.Request, c *cluster) {
	e.setServiceStates(w, r, c, "")
}

// setService is PUT /clusters/C/services/S: one service's desired state.
func (e *Emulator) setService(w http.ResponseWriter, r *http.Request, c *cluster) {
	if _, ok := c.services[r.PathValue("s")]; !ok {
		notFound(w, "Service", "clusterName="+c.name+", serviceName="+r.PathValue("s"))
		return
	}
	e.setServiceStates(w, r, c, r.PathValue("s"))
}

// setServiceStates sets every service's state, or only one's; a request
// runs the tasks of those that change, none when none does (200).
func (e *Emulator) setServiceStates(w http.ResponseWriter, r *http.Request, c *cluster, only string) {
	var body struct {
		RequestInfo struct {
			Context string `json:"context"`
		} `json:"RequestInfo"`
		Body struct {
			ServiceInfo struct {
				State string `json:"state"`
			} `json:"ServiceInfo"`
		} `json:"Body"`
	}
	if !decode(w, r, &body) {
		return
	}
	state := body.Body.ServiceInfo.State
	if state != "STARTED" && state != "INSTALLED" {
		writeError(w, http.StatusBadRequest, "Invalid desired state for a service: "+state)
		return
	}
	changed := map[string]string{}
	for svc, cur := range c.services {
		if cur != state && (only == "" || svc == only) {
			changed[svc] = state
		}
	}
	if len(changed) == 0 {
		w.WriteHeader(http.StatusOK)
		return
	}
	req := e.newRequest(c.name, body.RequestInfo.Context)
	req.target = changed
	e.addServiceTasks(req, c, changed, state)
	writeAccepted(w, r, c.name, req.id)
}

func (e *Emulator) addServiceTasks(req *request, c *cluster, changed map[string]string, state string) {
	command := "START"
	if state == "INSTALLED" {
		command = "STOP"
	}
	bp := e.blueprints[c.blueprint]
	st, _ := bp.Stack()
	for _, name := range c.hosts {
		hg, _ := bp.Group(e.hosts[name].group)
		for _, comp := range hg.Components {
			sc := st.Components[comp.Name]
			if _, ok := changed[sc.Service]; ok && !sc.IsClient() {
				e.addTask(req, name, comp.Name, command, stageInstall)
			}
		}
	}
}
