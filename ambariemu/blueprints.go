package ambariemu

import (
	"fmt"
	"net/http"
	"sort"

	"github.com/herdhq/herd/ambari"
)

func (e *Emulator) routeBlueprints(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/blueprints", e.listBlueprints)
	mux.HandleFunc("GET /api/v1/blueprints/{name}", e.getBlueprint)
	mux.HandleFunc("POST /api/v1/blueprints/{name}", e.postBlueprint)
	mux.HandleFunc("DELETE /api/v1/blueprints/{name}", e.deleteBlueprint)
}

func (e *Emulator) listBlueprints(w http.ResponseWriter, _ *http.Request) {
	e.mu.Lock()
	names := make([]string, 0, len(e.blueprints))
	for n := range e.blueprints {
		names = append(names, n)
	}
	e.mu.Unlock()
	sort.Strings(names)
	items := make([]map[string]any, len(names))
	for i, n := range names {
		items[i] = map[string]any{
			"href":       "/api/v1/blueprints/" + n,
			"Blueprints": map[string]string{"blueprint_name": n},
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"href": "/api/v1/blueprints", "items": items})
}

func (e *Emulator) getBlueprint(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	e.mu.Lock()
	bp, ok := e.blueprints[name]
	e.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "The requested resource doesn't exist: Blueprint not found, blueprint_name="+name)
		return
	}
	bp.Href = "/api/v1/blueprints/" + name
	bp.Blueprints.BlueprintName = name
	writeJSON(w, http.StatusOK, bp)
}

func (e *Emulator) postBlueprint(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	var bp ambari.Blueprint
	if !decode(w, r, &bp) {
		return
	}
	topology := r.URL.Query().Get("validate_topology") != "false"
	bp, err := ambari.ResolveBlueprint(bp, topology)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, exists := e.blueprints[name]; exists {
		writeError(w, http.StatusConflict, "Attempted to create a Blueprint which already exists, blueprint_name="+name)
		return
	}
	bp.Href, bp.Blueprints.BlueprintName = "", name
	e.blueprints[name] = bp
	w.WriteHeader(http.StatusCreated)
}

func (e *Emulator) deleteBlueprint(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.blueprints[name]; !ok {
		writeError(w, http.StatusNotFound, "The requested resource doesn't exist: Blueprint not found, blueprint_name="+name)
		return
	}
	for _, c := range e.clusters {
		if c.blueprint == name {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("Blueprint %s is in use by cluster %s", name, c.name))
			return
		}
	}
	delete(e.blueprints, name)
	w.WriteHeader(http.StatusOK)
}
