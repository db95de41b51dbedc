package ambariemu

import (
	"fmt"
	"maps"
	"slices"
	"sort"

	"github.com/herdhq/herd/ambari"
)

// The resources the API shows, in Ambari's JSON shapes. Each view has its
// resource's keys (always shown) and the paths shown when no fields are
// asked for.

type hostRoles struct {
	ClusterName       string `json:"cluster_name"`
	ComponentName     string `json:"component_name"`
	HostName          string `json:"host_name"`
	ServiceName       string `json:"service_name"`
	State             string `json:"state"`
	DesiredState      string `json:"desired_state"`
	DesiredAdminState string `json:"desired_admin_state"`
	MaintenanceState  string `json:"maintenance_state"`
	StaleConfigs      bool   `json:"stale_configs"`
}

type hostComponentItem struct {
	Href      string    `json:"href"`
	HostRoles hostRoles `json:"HostRoles"`
}

type hostItem struct {
	Href           string              `json:"href"`
	Hosts          ambari.Host         `json:"Hosts"`
	HostComponents []hostComponentItem `json:"host_components,omitempty"`
}

type serviceInfo struct {
	ClusterName      string `json:"cluster_name"`
	ServiceName      string `json:"service_name"`
	State            string `json:"state"`
	MaintenanceState string `json:"maintenance_state"`
}

type componentInfo struct {
	ClusterName    string `json:"cluster_name"`
	ComponentName  string `json:"component_name"`
	ServiceName    string `json:"service_name"`
	Category       string `json:"category"`
	State          string `json:"state"`
	TotalCount     int    `json:"total_count"`
	StartedCount   int    `json:"started_count"`
	InstalledCount int    `json:"installed_count"`
	InitCount      int    `json:"init_count"`
}

type componentItem struct {
	Href           string              `json:"href"`
	Info           componentInfo       `json:"ServiceComponentInfo"`
	HostComponents []hostComponentItem `json:"host_components"`
	Metrics        map[string]any      `json:"metrics,omitempty"`
}

type serviceItem struct {
	Href       string          `json:"href"`
	Info       serviceInfo     `json:"ServiceInfo"`
	Components []componentItem `json:"components"`
}

type collection struct {
	Href  string `json:"href"`
	Items any    `json:"items"`
}

var (
	hostRolesKeys = []string{"HostRoles/cluster_name", "HostRoles/component_name", "HostRoles/host_name"}
	serviceKeys   = []string{"ServiceInfo/cluster_name", "ServiceInfo/service_name"}
	componentKeys = []string{"ServiceComponentInfo/cluster_name", "ServiceComponentInfo/component_name", "ServiceComponentInfo/service_name"}
)

// under prefixes paths with a sub-resource's name.
func under(prefix string, paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = prefix + "/" + p
	}
	return out
}

func clusterHref(c string) string { return "/api/v1/clusters/" + c }

// hostComponentItems are the cluster's host components, those of one
// host when host is given.
func (e *Emulator) hostComponentItems(c *cluster, host string) []hostComponentItem {
	states, started := e.componentStates(c), e.lastStarts(c)
	out := []hostComponentItem{}
	for _, hc := range e.hostComponents(c) {
		if host != "" && hc.host != host {
			continue
		}
		desired := "INSTALLED"
		if !hc.client && c.services[hc.service] == "STARTED" {
			desired = "STARTED"
		}
		admin := "INSERVICE"
		if c.decommissioned[hc.host+"/"+hc.component] {
			admin = "DECOMMISSIONED"
		}
		out = append(out, hostComponentItem{
			Href: fmt.Sprintf("%s/hosts/%s/host_components/%s", clusterHref(c.name), hc.host, hc.component),
			HostRoles: hostRoles{ClusterName: c.name, ComponentName: hc.component, HostName: hc.host, ServiceName: hc.service,
				State: stateOr(states, hc.host+"/"+hc.component), DesiredState: desired, DesiredAdminState: admin,
				MaintenanceState: "OFF", StaleConfigs: e.stale(c, started, hc)},
		})
	}
	return out
}

// componentItems are the cluster's components with their host counts,
// those of one service when service is given.
func (e *Emulator) componentItems(c *cluster, service string) []componentItem {
	st, _ := e.blueprints[c.blueprint].Stack()
	byName := map[string]*componentItem{}
	var order []string
	for _, hc := range e.hostComponentItems(c, "") {
		r := hc.HostRoles
		if service != "" && r.ServiceName != service {
			continue
		}
		it, ok := byName[r.ComponentName]
		if !ok {
			it = &componentItem{Href: fmt.Sprintf("%s/services/%s/components/%s", clusterHref(c.name), r.ServiceName, r.ComponentName),
				Info: componentInfo{ClusterName: c.name, ComponentName: r.ComponentName, ServiceName: r.ServiceName,
					Category: st.Components[r.ComponentName].Category}}
			byName[r.ComponentName] = it
			order = append(order, r.ComponentName)
		}
		it.HostComponents = append(it.HostComponents, hc)
		it.Info.TotalCount++
		switch r.State {
		case "STARTED":
			it.Info.StartedCount++
		case "INSTALLED":
			it.Info.InstalledCount++
		case "INIT":
			it.Info.InitCount++
		}
	}
	out := []componentItem{}
	sort.Strings(order)
	for _, name := range order {
		it := byName[name]
		it.Info.State = aggregateState(it.Info)
		if name == "RESOURCEMANAGER" {
			it.Metrics = e.rmMetrics(c)
		}
		out = append(out, *it)
	}
	return out
}

// aggregateState is a component's state over its hosts.
func aggregateState(i componentInfo) string {
	switch {
	case i.Category == "CLIENT" && i.InstalledCount == i.TotalCount:
		return "INSTALLED"
	case i.StartedCount == i.TotalCount:
		return "STARTED"
	case i.StartedCount+i.InstalledCount == i.TotalCount:
		return "INSTALLED"
	}
	return "INIT"
}

func (e *Emulator) serviceItems(c *cluster) []serviceItem {
	comps := e.componentItems(c, "")
	out := []serviceItem{}
	for _, name := range slices.Sorted(maps.Keys(c.services)) {
		it := serviceItem{Href: clusterHref(c.name) + "/services/" + name,
			Info: serviceInfo{ClusterName: c.name, ServiceName: name, State: c.services[name], MaintenanceState: "OFF"}}
		for _, comp := range comps {
			if comp.Info.ServiceName == name {
				it.Components = append(it.Components, comp)
			}
		}
		out = append(out, it)
	}
	return out
}
