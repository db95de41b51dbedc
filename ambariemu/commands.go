package ambariemu

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/herdhq/herd/ambari"
)

// postRequest is POST /clusters/C/requests: a service check, a
// decommission, or a component's custom command (its stack's, or
// RESTART), as a request of tasks that run like any other.
func (e *Emulator) postRequest(w http.ResponseWriter, r *http.Request, c *cluster) {
	var body ambari.CommandRequest
	if !decode(w, r, &body) {
		return
	}
	info := body.RequestInfo
	if len(body.Filters) == 0 {
		writeError(w, http.StatusBadRequest, "Command execution cannot proceed without a resource filter.")
		return
	}
	var plans []commandPlan
	for _, f := range body.Filters {
		p, msg := e.planCommand(c, info, f)
		if msg != "" {
			writeError(w, http.StatusBadRequest, msg)
			return
		}
		plans = append(plans, p)
	}
	req := e.newRequest(c.name, info.Context)
	for _, p := range plans {
		for _, h := range p.hosts {
			e.addTask(req, h, p.role, p.command, stageInstall)
			req.tasks[len(req.tasks)-1].detail = p.detail
		}
		for _, h := range p.decommission {
			c.decommissioned[h+"/"+p.slave] = true
		}
		for _, h := range p.recommission {
			delete(c.decommissioned, h+"/"+p.slave)
		}
	}
	writeAccepted(w, r, c.name, req.id)
}

// commandPlan is what one resource filter's command does: tasks (role,
// command) on hosts, and the slaves it decommissions or puts back.
type commandPlan struct {
	role, command, slave, detail string
	hosts                        []string
	decommission, recommission   []string
}

func (e *Emulator) planCommand(c *cluster, info ambari.CommandInfo, f ambari.ResourceFilter) (commandPlan, string) {
	if f.ServiceName == "" || info.Command == "" {
		return commandPlan{}, fmt.Sprintf("Invalid resource filter : cluster = %s, service = %s, command = %s", c.name, f.ServiceName, info.Command)
	}
	if _, ok := c.services[f.ServiceName]; !ok {
		return commandPlan{}, fmt.Sprintf("Specified service %s is not a valid/deployed service.", f.ServiceName)
	}
	switch {
	case info.Command == f.ServiceName+"_SERVICE_CHECK":
		hosts := e.hostsWith(c, f.ServiceName, "")
		return commandPlan{role: info.Command, command: "SERVICE_CHECK", detail: "SERVICE_CHECK " + f.ServiceName, hosts: hosts[:min(1, len(hosts))]}, ""
	case info.Command == "DECOMMISSION":
		return e.planDecommission(c, info, f)
	}
	st, _ := e.blueprints[c.blueprint].Stack()
	sc, ok := st.Components[f.ComponentName]
	if !ok || sc.Service != f.ServiceName || !(info.Command == "RESTART" || contains(sc.CustomCommands, info.Command)) {
		return commandPlan{}, fmt.Sprintf("Unsupported action %s for Service: %s and Component: %s", info.Command, f.ServiceName, f.ComponentName)
	}
	hosts := e.hostsWith(c, f.ServiceName, f.ComponentName)
	if f.Hosts != "" {
		hosts = splitHosts(f.Hosts)
	}
	return commandPlan{role: f.ComponentName, command: "CUSTOM_COMMAND", detail: info.Command + " " + f.ComponentName, hosts: hosts}, ""
}

// planDecommission checks a decommission as Ambari does: the filter names
// the master (NAMENODE for DATANODE, ...), no hosts; the slaves to
// decommission (excluded_hosts) are STARTED.
func (e *Emulator) planDecommission(c *cluster, info ambari.CommandInfo, f ambari.ResourceFilter) (commandPlan, string) {
	if f.Hosts != "" {
		return commandPlan{}, "Decommission command cannot be issued with target host(s) specified."
	}
	slave := ""
	for s, m := range ambari.DecommissionMasters {
		if m[1] == f.ComponentName {
			slave = s
		}
	}
	if slave == "" {
		return commandPlan{}, "Decommissioning is not supported for " + f.ComponentName
	}
	if s := info.Parameters["slave_type"]; s != "" && s != slave {
		return commandPlan{}, "Component " + s + " is not supported for decommissioning."
	}
	p := commandPlan{role: f.ComponentName, command: "CUSTOM_COMMAND", slave: slave, hosts: e.hostsWith(c, f.ServiceName, f.ComponentName),
		detail:       "DECOMMISSION, Excluded: " + info.Parameters["excluded_hosts"],
		decommission: splitHosts(info.Parameters["excluded_hosts"]), recommission: splitHosts(info.Parameters["included_hosts"])}
	if len(p.hosts) == 0 {
		return commandPlan{}, fmt.Sprintf("Specified component %s does not belong to service %s.", f.ComponentName, f.ServiceName)
	}
	states := e.componentStates(c)
	for _, h := range p.decommission {
		if states[h+"/"+slave] != "STARTED" {
			return commandPlan{}, fmt.Sprintf("Component %s on host %s cannot be decommissioned as its not in STARTED state. Aborting the whole request.", slave, h)
		}
	}
	return p, ""
}

// hostsWith lists the cluster's hosts holding a component of service
// (the named one, when given), sorted.
func (e *Emulator) hostsWith(c *cluster, service, component string) []string {
	seen := map[string]bool{}
	for _, hc := range e.hostComponents(c) {
		if hc.service == service && (component == "" || hc.component == component) {
			seen[hc.host] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

func splitHosts(s string) []string {
	var out []string
	for _, h := range strings.Split(s, ",") {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			out = append(out, h)
		}
	}
	return out
}
