package ambariemu

import (
	"fmt"
	"maps"
	"net/http"
	"slices"

	"github.com/herdhq/herd/ambari"
)

type clusterInfo struct {
	ClusterID         int64                    `json:"cluster_id"`
	ClusterName       string                   `json:"cluster_name"`
	Version           string                   `json:"version"`
	ProvisioningState string                   `json:"provisioning_state"`
	SecurityType      string                   `json:"security_type"`
	TotalHosts        int                      `json:"total_hosts"`
	DesiredConfigs    map[string]desiredConfig `json:"desired_configs"`
}

type desiredConfig struct {
	Tag     string `json:"tag"`
	Version int64  `json:"version"`
}

type clusterItem struct {
	Href                  string              `json:"href"`
	Clusters              clusterInfo         `json:"Clusters"`
	Hosts                 []hostItem          `json:"hosts"`
	Services              []serviceItem       `json:"services"`
	Configurations        []configItem        `json:"configurations"`
	ConfigGroups          []configGroupItem   `json:"config_groups"`
	ServiceConfigVersions []serviceConfigItem `json:"service_config_versions"`
}

type configItem struct {
	Href       string            `json:"href"`
	Tag        string            `json:"tag"`
	Type       string            `json:"type"`
	Version    int64             `json:"version"`
	Config     map[string]string `json:"Config"`
	Properties map[string]string `json:"properties"`
}

type configGroupItem struct {
	Href        string          `json:"href"`
	ConfigGroup configGroupInfo `json:"ConfigGroup"`
}

type configGroupInfo struct {
	ID             int64               `json:"id"`
	ClusterName    string              `json:"cluster_name"`
	GroupName      string              `json:"group_name"`
	Tag            string              `json:"tag"`
	Description    string              `json:"description"`
	Hosts          []map[string]string `json:"hosts"`
	DesiredConfigs []desiredConfigRef  `json:"desired_configs"`
}

type desiredConfigRef struct {
	Type string `json:"type"`
	Tag  string `json:"tag"`
	Href string `json:"href"`
}

type serviceConfigItem struct {
	Href                 string       `json:"href"`
	ClusterName          string       `json:"cluster_name"`
	ServiceName          string       `json:"service_name"`
	ServiceConfigVersion int64        `json:"service_config_version"`
	GroupID              int64        `json:"group_id"`
	GroupName            string       `json:"group_name"`
	IsCurrent            bool         `json:"is_current"`
	User                 string       `json:"user"`
	CreateTime           int64        `json:"createtime"`
	StackID              string       `json:"stack_id"`
	Configurations       []configItem `json:"configurations"`
}

var (
	clusterKeys     = []string{"Clusters/cluster_name", "Clusters/version"}
	configKeys      = []string{"tag", "type", "version", "Config/cluster_name"}
	configGroupKeys = []string{"ConfigGroup/cluster_name", "ConfigGroup/id"}
	scvKeys         = []string{"cluster_name", "service_config_version", "service_name"}
)

func (e *Emulator) routeClusterConfig(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/clusters/{c}/configurations", e.withCluster(e.listConfigurations))
	mux.HandleFunc("GET /api/v1/clusters/{c}/config_groups", e.withCluster(e.listConfigGroups))
	mux.HandleFunc("GET /api/v1/clusters/{c}/config_groups/{id}", e.withCluster(e.getConfigGroup))
	mux.HandleFunc("GET /api/v1/clusters/{c}/service_config_versions", e.withCluster(e.listServiceConfigVersions))
}

func (e *Emulator) stackID(c *cluster) string {
	bp := e.blueprints[c.blueprint]
	return bp.Blueprints.StackName + "-" + bp.Blueprints.StackVersion
}

func (e *Emulator) clusterView(c *cluster) clusterItem {
	it := clusterItem{Href: clusterHref(c.name), Services: e.serviceItems(c),
		Configurations: e.configItems(c), ConfigGroups: e.configGroupItems(c), ServiceConfigVersions: e.serviceConfigItems(c)}
	it.Clusters = clusterInfo{ClusterID: c.id, ClusterName: c.name, Version: e.stackID(c), ProvisioningState: "INIT",
		SecurityType: "NONE", TotalHosts: len(c.hosts), DesiredConfigs: map[string]desiredConfig{}}
	if e.provisioned(c) {
		it.Clusters.ProvisioningState = "INSTALLED"
	}
	for _, cv := range currentConfigs(c) {
		it.Clusters.DesiredConfigs[cv.Type] = desiredConfig{Tag: cv.Tag, Version: cv.Version}
	}
	now := e.cfg.Now()
	for _, name := range c.hosts {
		if h := e.hosts[name]; h != nil {
			it.Hosts = append(it.Hosts, hostItem{Href: clusterHref(c.name) + "/hosts/" + name, Hosts: e.hostView(h, now)})
		}
	}
	return it
}

// provisioned: the cluster's first request (its provisioning) completed.
func (e *Emulator) provisioned(c *cluster) bool {
	for _, r := range e.requests {
		if r.cluster == c.name {
			return e.status(r) == ambari.StatusCompleted
		}
	}
	return false
}

func (e *Emulator) configItems(c *cluster) []configItem {
	out := []configItem{}
	for _, cv := range c.configs {
		out = append(out, e.configItem(c, cv))
	}
	return out
}

func (e *Emulator) configItem(c *cluster, cv configVersion) configItem {
	return configItem{Href: fmt.Sprintf("%s/configurations?type=%s&tag=%s", clusterHref(c.name), cv.Type, cv.Tag),
		Tag: cv.Tag, Type: cv.Type, Version: cv.Version, Config: map[string]string{"cluster_name": c.name, "stack_id": e.stackID(c)},
		Properties: cv.Properties}
}

func (e *Emulator) configGroupItems(c *cluster) []configGroupItem {
	out := []configGroupItem{}
	for _, g := range c.configGroups {
		info := configGroupInfo{ID: g.ID, ClusterName: c.name, GroupName: g.Name, Tag: g.Tag,
			Description: "Configuration of host group " + g.HostGroup, Hosts: []map[string]string{}}
		for _, name := range c.hosts {
			if h := e.hosts[name]; h != nil && h.group == g.HostGroup {
				info.Hosts = append(info.Hosts, map[string]string{"host_name": name})
			}
		}
		for _, cv := range g.Configs {
			info.DesiredConfigs = append(info.DesiredConfigs, desiredConfigRef{Type: cv.Type, Tag: cv.Tag,
				Href: fmt.Sprintf("%s/configurations?type=%s&tag=%s", clusterHref(c.name), cv.Type, cv.Tag)})
		}
		out = append(out, configGroupItem{Href: fmt.Sprintf("%s/config_groups/%d", clusterHref(c.name), g.ID), ConfigGroup: info})
	}
	return out
}

// serviceConfigItems: each service's current configuration version, the
// current versions of the types it defines; every change of one of them
// (PUT desired_config) is a new service config version.
func (e *Emulator) serviceConfigItems(c *cluster) []serviceConfigItem {
	st, _ := e.blueprints[c.blueprint].Stack()
	out := []serviceConfigItem{}
	for _, svc := range slices.Sorted(maps.Keys(c.services)) {
		version := int64(1)
		for _, cv := range c.configs {
			if cv.Version > 1 && serviceOfConfigType(st, cv.Type) == svc {
				version++
			}
		}
		it := serviceConfigItem{Href: fmt.Sprintf("%s/service_config_versions?service_name=%s&service_config_version=%d", clusterHref(c.name), svc, version),
			ClusterName: c.name, ServiceName: svc, ServiceConfigVersion: version, GroupID: -1, GroupName: "Default", IsCurrent: true,
			User: e.cfg.User, CreateTime: c.created.UnixMilli(), StackID: e.stackID(c), Configurations: []configItem{}}
		for _, cv := range currentConfigs(c) {
			if serviceOfConfigType(st, cv.Type) == svc {
				it.Configurations = append(it.Configurations, e.configItem(c, cv))
			}
		}
		out = append(out, it)
	}
	return out
}

func (e *Emulator) listClusters(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	items := []clusterItem{}
	for _, n := range slices.Sorted(maps.Keys(e.clusters)) {
		items = append(items, e.clusterView(e.clusters[n]))
	}
	respond(w, r, http.StatusOK, view{body: collection{Href: "/api/v1/clusters", Items: items}, keys: clusterKeys, collection: true})
}

func (e *Emulator) getCluster(w http.ResponseWriter, r *http.Request, c *cluster) {
	if r.URL.Query().Get("format") == "blueprint" {
		e.exportBlueprint(w, r, c)
		return
	}
	defaults := []string{"Clusters/*", "hosts/Hosts/cluster_name", "hosts/Hosts/host_name",
		"services/ServiceInfo/cluster_name", "services/ServiceInfo/service_name"}
	defaults = append(defaults, under("configurations", configKeys)...)
	defaults = append(defaults, under("config_groups", configGroupKeys)...)
	defaults = append(defaults, under("service_config_versions", scvKeys)...)
	respond(w, r, http.StatusOK, view{body: e.clusterView(c), keys: clusterKeys, defaults: defaults})
}

// listConfigurations lists the configuration versions; with ?type= (and
// ?tag=) only those, with their properties, as Ambari shows them.
func (e *Emulator) listConfigurations(w http.ResponseWriter, r *http.Request, c *cluster) {
	q := r.URL.Query()
	items := []configItem{}
	for _, it := range e.configItems(c) {
		if (q.Get("type") == "" || q.Get("type") == it.Type) && (q.Get("tag") == "" || q.Get("tag") == it.Tag) {
			items = append(items, it)
		}
	}
	var defaults []string
	if q.Get("type") != "" && q.Get("tag") != "" {
		defaults = []string{"properties"}
	}
	respond(w, r, http.StatusOK, view{body: collection{Href: clusterHref(c.name) + "/configurations", Items: items},
		keys: configKeys, defaults: defaults, collection: true})
}

func (e *Emulator) listConfigGroups(w http.ResponseWriter, r *http.Request, c *cluster) {
	respond(w, r, http.StatusOK, view{body: collection{Href: clusterHref(c.name) + "/config_groups", Items: e.configGroupItems(c)},
		keys: configGroupKeys, collection: true})
}

func (e *Emulator) getConfigGroup(w http.ResponseWriter, r *http.Request, c *cluster) {
	for _, it := range e.configGroupItems(c) {
		if fmt.Sprint(it.ConfigGroup.ID) == r.PathValue("id") {
			respond(w, r, http.StatusOK, view{body: it, keys: configGroupKeys, defaults: []string{"ConfigGroup/*"}})
			return
		}
	}
	notFound(w, "ConfigGroup", "id="+r.PathValue("id"))
}

func (e *Emulator) listServiceConfigVersions(w http.ResponseWriter, r *http.Request, c *cluster) {
	items := []serviceConfigItem{}
	for _, it := range e.serviceConfigItems(c) {
		if s := r.URL.Query().Get("service_name"); s == "" || s == it.ServiceName {
			items = append(items, it)
		}
	}
	respond(w, r, http.StatusOK, view{body: collection{Href: clusterHref(c.name) + "/service_config_versions", Items: items},
		keys: scvKeys, collection: true})
}

// nextClusterID is Ambari's cluster_id: one more than the highest so far.
func (e *Emulator) nextClusterID() int64 {
	var max int64
	for _, c := range e.clusters {
		if c.id > max {
			max = c.id
		}
	}
	return max + 1
}

// exportBlueprint is GET /clusters/C?format=blueprint: the cluster as a
// blueprint — one host group per blueprint host group in use, with its
// cardinality, the cluster's configuration, and its stack.
func (e *Emulator) exportBlueprint(w http.ResponseWriter, r *http.Request, c *cluster) {
	bp := e.blueprints[c.blueprint]
	out := ambari.Blueprint{Blueprints: ambari.BlueprintInfo{StackName: bp.Blueprints.StackName, StackVersion: bp.Blueprints.StackVersion}}
	for _, cv := range c.configs {
		props := map[string]any{}
		for k, v := range cv.Properties {
			props[k] = v
		}
		out.Configurations = append(out.Configurations, map[string]any{cv.Type: map[string]any{"properties": props, "properties_attributes": map[string]any{}}})
	}
	count := map[string]int{}
	for _, name := range c.hosts {
		if h := e.hosts[name]; h != nil {
			count[h.group]++
		}
	}
	for _, hg := range bp.HostGroups {
		if count[hg.Name] > 0 {
			out.HostGroups = append(out.HostGroups, ambari.HostGroup{Name: hg.Name, Components: hg.Components,
				Cardinality: fmt.Sprint(count[hg.Name]), Configurations: hg.Configurations})
		}
	}
	writeJSON(w, http.StatusOK, out)
}
