package ambariemu

import (
	"net/http"
	"strings"
)

func (e *Emulator) routeResources(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/clusters/{c}/hosts/{h}", e.withCluster(e.getClusterHost))
	mux.HandleFunc("GET /api/v1/clusters/{c}/hosts/{h}/host_components", e.withCluster(e.listHostComponents))
	mux.HandleFunc("GET /api/v1/clusters/{c}/hosts/{h}/host_components/{x}", e.withCluster(e.getHostComponent))
	mux.HandleFunc("GET /api/v1/clusters/{c}/host_components", e.withCluster(e.listHostComponents))
	mux.HandleFunc("GET /api/v1/clusters/{c}/services/{s}", e.withCluster(e.getService))
	mux.HandleFunc("GET /api/v1/clusters/{c}/services/{s}/components", e.withCluster(e.listComponents))
	mux.HandleFunc("GET /api/v1/clusters/{c}/services/{s}/components/{x}", e.withCluster(e.getComponent))
	mux.HandleFunc("GET /api/v1/clusters/{c}/components", e.withCluster(e.listComponents))
}

func notFound(w http.ResponseWriter, what, key string) {
	writeError(w, http.StatusNotFound, "The requested resource doesn't exist: "+what+" not found, "+key)
}

// clusterHost finds a host of the cluster, or answers 404.
func (e *Emulator) clusterHost(w http.ResponseWriter, r *http.Request, c *cluster) *host {
	name := strings.ToLower(r.PathValue("h"))
	h, ok := e.hosts[name]
	if !ok || h.cluster != c.name {
		notFound(w, "Host", "Host_name="+name)
		return nil
	}
	return h
}

func (e *Emulator) getClusterHost(w http.ResponseWriter, r *http.Request, c *cluster) {
	h := e.clusterHost(w, r, c)
	if h == nil {
		return
	}
	it := hostItem{Href: clusterHref(c.name) + "/hosts/" + h.name, Hosts: e.hostView(h, e.cfg.Now()),
		HostComponents: e.hostComponentItems(c, h.name)}
	respond(w, r, http.StatusOK, view{body: it, keys: []string{"Hosts/cluster_name", "Hosts/host_name"},
		defaults: append([]string{"Hosts/*"}, under("host_components", hostRolesKeys)...)})
}

func (e *Emulator) listHostComponents(w http.ResponseWriter, r *http.Request, c *cluster) {
	href, host := clusterHref(c.name)+"/host_components", ""
	if r.PathValue("h") != "" {
		h := e.clusterHost(w, r, c)
		if h == nil {
			return
		}
		href, host = clusterHref(c.name)+"/hosts/"+h.name+"/host_components", h.name
	}
	respond(w, r, http.StatusOK, view{body: collection{Href: href, Items: e.hostComponentItems(c, host)}, keys: hostRolesKeys, collection: true})
}

func (e *Emulator) getHostComponent(w http.ResponseWriter, r *http.Request, c *cluster) {
	h := e.clusterHost(w, r, c)
	if h == nil {
		return
	}
	for _, it := range e.hostComponentItems(c, h.name) {
		if it.HostRoles.ComponentName == r.PathValue("x") {
			respond(w, r, http.StatusOK, view{body: it, keys: hostRolesKeys, defaults: []string{"HostRoles/*"}})
			return
		}
	}
	notFound(w, "ServiceComponentHost", "serviceComponentName="+r.PathValue("x")+", hostName="+h.name)
}

func (e *Emulator) getService(w http.ResponseWriter, r *http.Request, c *cluster) {
	for _, it := range e.serviceItems(c) {
		if it.Info.ServiceName == r.PathValue("s") {
			respond(w, r, http.StatusOK, view{body: it, keys: serviceKeys,
				defaults: append([]string{"ServiceInfo/*"}, under("components", componentKeys)...)})
			return
		}
	}
	notFound(w, "Service", "clusterName="+c.name+", serviceName="+r.PathValue("s"))
}

func (e *Emulator) listComponents(w http.ResponseWriter, r *http.Request, c *cluster) {
	href, service := clusterHref(c.name)+"/components", r.PathValue("s")
	if service != "" {
		if _, ok := c.services[service]; !ok {
			notFound(w, "Service", "clusterName="+c.name+", serviceName="+service)
			return
		}
		href = clusterHref(c.name) + "/services/" + service + "/components"
	}
	respond(w, r, http.StatusOK, view{body: collection{Href: href, Items: e.componentItems(c, service)}, keys: componentKeys, collection: true})
}

func (e *Emulator) getComponent(w http.ResponseWriter, r *http.Request, c *cluster) {
	for _, it := range e.componentItems(c, r.PathValue("s")) {
		if it.Info.ComponentName == r.PathValue("x") {
			respond(w, r, http.StatusOK, view{body: it, keys: componentKeys,
				defaults: append([]string{"ServiceComponentInfo/*"}, under("host_components", hostRolesKeys)...)})
			return
		}
	}
	notFound(w, "ServiceComponent", "serviceName="+r.PathValue("s")+", serviceComponentName="+r.PathValue("x"))
}
