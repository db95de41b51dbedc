package ambariemu

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/herdhq/herd/ambari"
)

// The stacks the emulator knows (Ambari's own definitions, see
// ambari/stacks), and the root service: what clients read to learn the
// server's version and the stacks' components.

// ServerVersion is the Ambari release the emulator reports.
const ServerVersion = "2.7.8.0"

type stackVersionInfo struct {
	StackName    string `json:"stack_name"`
	StackVersion string `json:"stack_version"`
	Active       bool   `json:"active"`
}

type stackServiceInfo struct {
	StackName        string   `json:"stack_name"`
	StackVersion     string   `json:"stack_version"`
	ServiceName      string   `json:"service_name"`
	ServiceVersion   string   `json:"service_version"`
	RequiredServices []string `json:"required_services"`
	ConfigTypes      []string `json:"config_types"`
}

type stackComponentInfo struct {
	StackName           string   `json:"stack_name"`
	StackVersion        string   `json:"stack_version"`
	ServiceName         string   `json:"service_name"`
	ComponentName       string   `json:"component_name"`
	ComponentCategory   string   `json:"component_category"`
	Cardinality         string   `json:"cardinality"`
	IsClient            bool     `json:"is_client"`
	IsMaster            bool     `json:"is_master"`
	DecommissionAllowed bool     `json:"decommission_allowed"`
	CustomCommands      []string `json:"custom_commands"`
}

type dependencyInfo struct {
	StackName              string             `json:"stack_name"`
	StackVersion           string             `json:"stack_version"`
	ComponentName          string             `json:"component_name"`
	DependentComponentName string             `json:"dependent_component_name"`
	DependentServiceName   string             `json:"dependent_service_name"`
	Scope                  string             `json:"scope"`
	AutoDeploy             *ambari.AutoDeploy `json:"auto_deploy,omitempty"`
	Conditions             []ambari.Condition `json:"conditions"`
}

type dependencyItem struct {
	Href         string         `json:"href"`
	Dependencies dependencyInfo `json:"Dependencies"`
}

type stackComponentItem struct {
	Href         string             `json:"href"`
	Info         stackComponentInfo `json:"StackServiceComponents"`
	Dependencies []dependencyItem   `json:"dependencies"`
}

type stackServiceItem struct {
	Href       string               `json:"href"`
	Info       stackServiceInfo     `json:"StackServices"`
	Components []stackComponentItem `json:"components"`
}

type stackVersionItem struct {
	Href     string             `json:"href"`
	Versions stackVersionInfo   `json:"Versions"`
	Services []stackServiceItem `json:"services"`
}

type stackItem struct {
	Href     string             `json:"href"`
	Stacks   map[string]string  `json:"Stacks"`
	Versions []stackVersionItem `json:"versions"`
}

var (
	stackKeys          = []string{"Stacks/stack_name"}
	versionKeys        = []string{"Versions/stack_name", "Versions/stack_version"}
	stackServiceKeys   = []string{"StackServices/service_name", "StackServices/stack_name", "StackServices/stack_version"}
	stackComponentKeys = []string{"StackServiceComponents/component_name", "StackServiceComponents/service_name", "StackServiceComponents/stack_name", "StackServiceComponents/stack_version"}
	dependencyKeys     = []string{"Dependencies/component_name", "Dependencies/dependent_component_name", "Dependencies/dependent_service_name", "Dependencies/stack_name", "Dependencies/stack_version"}
)

func (e *Emulator) routeStacks(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/services", e.listRootServices)
	mux.HandleFunc("GET /api/v1/services/AMBARI/components/AMBARI_SERVER", e.ambariServer)
	mux.HandleFunc("GET /api/v1/stacks", e.listStacks)
	mux.HandleFunc("GET /api/v1/stacks/{s}", e.getStack)
	mux.HandleFunc("GET /api/v1/stacks/{s}/versions", e.listStackVersions)
	mux.HandleFunc("GET /api/v1/stacks/{s}/versions/{v}", e.getStackVersion)
	mux.HandleFunc("GET /api/v1/stacks/{s}/versions/{v}/services", e.listStackServices)
	mux.HandleFunc("GET /api/v1/stacks/{s}/versions/{v}/services/{svc}", e.getStackService)
	mux.HandleFunc("GET /api/v1/stacks/{s}/versions/{v}/services/{svc}/components", e.listStackComponents)
	mux.HandleFunc("GET /api/v1/stacks/{s}/versions/{v}/services/{svc}/components/{x}", e.getStackComponent)
}

func (e *Emulator) listRootServices(w http.ResponseWriter, r *http.Request) {
	items := []map[string]any{{"href": "/api/v1/services/AMBARI", "RootService": map[string]string{"service_name": "AMBARI"}}}
	respond(w, r, http.StatusOK, view{body: collection{Href: "/api/v1/services", Items: items}, keys: []string{"RootService/service_name"}, collection: true})
}

func (e *Emulator) ambariServer(w http.ResponseWriter, r *http.Request) {
	it := map[string]any{"href": "/api/v1/services/AMBARI/components/AMBARI_SERVER",
		"RootServiceComponents": map[string]any{"component_name": "AMBARI_SERVER", "service_name": "AMBARI",
			"component_version": ServerVersion, "server_clock": e.cfg.Now().Unix(), "properties": map[string]string{"emulator": "herd"}}}
	keys := []string{"RootServiceComponents/component_name", "RootServiceComponents/service_name"}
	respond(w, r, http.StatusOK, view{body: it, keys: keys, defaults: []string{"RootServiceComponents/*"}})
}

// stackNames lists the stack names (HDP, BIGTOP), sorted.
func stackNames() []string {
	seen := map[string]bool{}
	for _, st := range ambari.Stacks() {
		seen[st.Name] = true
	}
	return slices.Sorted(maps.Keys(seen))
}

func stackHref(name string) string { return "/api/v1/stacks/" + name }

func (e *Emulator) stackItem(name string) (stackItem, bool) {
	it := stackItem{Href: stackHref(name), Stacks: map[string]string{"stack_name": name}}
	var versions []string
	for _, st := range ambari.Stacks() {
		if st.Name == name {
			versions = append(versions, st.Version)
		}
	}
	sort.Strings(versions)
	for _, v := range versions {
		vi, _ := versionItem(name, v)
		it.Versions = append(it.Versions, vi)
	}
	return it, len(versions) > 0
}

func versionItem(name, version string) (stackVersionItem, bool) {
	st, ok := ambari.LookupStack(name, version)
	if !ok {
		return stackVersionItem{}, false
	}
	href := fmt.Sprintf("%s/versions/%s", stackHref(name), version)
	it := stackVersionItem{Href: href, Versions: stackVersionInfo{StackName: name, StackVersion: version, Active: true}}
	for _, s := range st.Services {
		it.Services = append(it.Services, serviceDefItem(st, s))
	}
	return it, true
}

func serviceDefItem(st ambari.Stack, s ambari.ServiceDef) stackServiceItem {
	href := fmt.Sprintf("%s/versions/%s/services/%s", stackHref(st.Name), st.Version, s.Name)
	it := stackServiceItem{Href: href, Info: stackServiceInfo{StackName: st.Name, StackVersion: st.Version, ServiceName: s.Name,
		ServiceVersion: s.Version, RequiredServices: orEmpty(s.RequiredServices), ConfigTypes: orEmpty(s.ConfigTypes)}}
	for _, c := range s.Components {
		ci := stackComponentItem{Href: href + "/components/" + c.Name, Info: stackComponentInfo{StackName: st.Name, StackVersion: st.Version,
			ServiceName: s.Name, ComponentName: c.Name, ComponentCategory: c.Category, Cardinality: c.Cardinality,
			IsClient: c.Category == "CLIENT", IsMaster: c.Category == "MASTER", DecommissionAllowed: c.DecommissionAllowed,
			CustomCommands: orEmpty(c.CustomCommands)}, Dependencies: []dependencyItem{}}
		for _, d := range c.Dependencies {
			_, comp, _ := strings.Cut(d.Name, "/")
			ci.Dependencies = append(ci.Dependencies, dependencyItem{Href: ci.Href + "/dependencies/" + comp,
				Dependencies: dependencyInfo{StackName: st.Name, StackVersion: st.Version, ComponentName: comp,
					DependentComponentName: c.Name, DependentServiceName: s.Name, Scope: d.Scope, AutoDeploy: d.AutoDeploy,
					Conditions: orEmpty(d.Conditions)}})
		}
		it.Components = append(it.Components, ci)
	}
	return it
}

// orEmpty is s, or an empty list where it is nil (JSON [] not null).
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (e *Emulator) listStacks(w http.ResponseWriter, r *http.Request) {
	items := []stackItem{}
	for _, n := range stackNames() {
		it, _ := e.stackItem(n)
		items = append(items, it)
	}
	respond(w, r, http.StatusOK, view{body: collection{Href: "/api/v1/stacks", Items: items}, keys: stackKeys, collection: true})
}

func (e *Emulator) getStack(w http.ResponseWriter, r *http.Request) {
	it, ok := e.stackItem(r.PathValue("s"))
	if !ok {
		notFound(w, "Stack", "Stack data, stackName="+r.PathValue("s"))
		return
	}
	respond(w, r, http.StatusOK, view{body: it, keys: stackKeys, defaults: under("versions", versionKeys)})
}

func (e *Emulator) listStackVersions(w http.ResponseWriter, r *http.Request) {
	it, ok := e.stackItem(r.PathValue("s"))
	if !ok {
		notFound(w, "Stack", "Stack data, stackName="+r.PathValue("s"))
		return
	}
	respond(w, r, http.StatusOK, view{body: collection{Href: it.Href + "/versions", Items: it.Versions}, keys: versionKeys, collection: true})
}

// stackVersion finds the path's stack version, or answers 404.
func stackVersion(w http.ResponseWriter, r *http.Request) (stackVersionItem, bool) {
	it, ok := versionItem(r.PathValue("s"), r.PathValue("v"))
	if !ok {
		notFound(w, "Stack", fmt.Sprintf("Stack data, stackName=%s, stackVersion=%s", r.PathValue("s"), r.PathValue("v")))
	}
	return it, ok
}

func (e *Emulator) getStackVersion(w http.ResponseWriter, r *http.Request) {
	if it, ok := stackVersion(w, r); ok {
		respond(w, r, http.StatusOK, view{body: it, keys: versionKeys, defaults: append([]string{"Versions/*"}, under("services", stackServiceKeys)...)})
	}
}

func (e *Emulator) listStackServices(w http.ResponseWriter, r *http.Request) {
	if it, ok := stackVersion(w, r); ok {
		respond(w, r, http.StatusOK, view{body: collection{Href: it.Href + "/services", Items: it.Services}, keys: stackServiceKeys, collection: true})
	}
}

// stackService finds the path's service, or answers 404.
func stackService(w http.ResponseWriter, r *http.Request) (stackServiceItem, bool) {
	v, ok := stackVersion(w, r)
	if !ok {
		return stackServiceItem{}, false
	}
	for _, s := range v.Services {
		if s.Info.ServiceName == r.PathValue("svc") {
			return s, true
		}
	}
	notFound(w, "Service", "Stack service, stackName="+r.PathValue("s")+", serviceName="+r.PathValue("svc"))
	return stackServiceItem{}, false
}

func (e *Emulator) getStackService(w http.ResponseWriter, r *http.Request) {
	if it, ok := stackService(w, r); ok {
		respond(w, r, http.StatusOK, view{body: it, keys: stackServiceKeys, defaults: append([]string{"StackServices/*"}, under("components", stackComponentKeys)...)})
	}
}

func (e *Emulator) listStackComponents(w http.ResponseWriter, r *http.Request) {
	if it, ok := stackService(w, r); ok {
		respond(w, r, http.StatusOK, view{body: collection{Href: it.Href + "/components", Items: it.Components}, keys: stackComponentKeys, collection: true})
	}
}

func (e *Emulator) getStackComponent(w http.ResponseWriter, r *http.Request) {
	it, ok := stackService(w, r)
	if !ok {
		return
	}
	for _, c := range it.Components {
		if c.Info.ComponentName == r.PathValue("x") {
			respond(w, r, http.StatusOK, view{body: c, keys: stackComponentKeys, defaults: append([]string{"StackServiceComponents/*"}, under("dependencies", dependencyKeys)...)})
			return
		}
	}
	notFound(w, "Component", "Stack component, componentName="+r.PathValue("x"))
}
