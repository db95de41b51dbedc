package ambariemu

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/herdhq/herd/ambari"
)

// desiredConfig is one element of PUT /clusters/C's Clusters/desired_config:
// a new version of a configuration type under a new tag.
type desiredConfigChange struct {
	Type       string            `json:"type"`
	Tag        string            `json:"tag"`
	Properties map[string]string `json:"properties"`
}

// putCluster is PUT /clusters/C with Clusters/desired_config (an object or
// a list): each becomes the type's next version; the services owning the
// type get a new service config version, and their components show
// stale_configs until they restart.
func (e *Emulator) putCluster(w http.ResponseWriter, r *http.Request, c *cluster) {
	var body struct {
		Clusters struct {
			DesiredConfig json.RawMessage `json:"desired_config"`
		} `json:"Clusters"`
	}
	if !decode(w, r, &body) {
		return
	}
	changes, err := readChanges(body.Clusters.DesiredConfig)
	if err != nil {
		writeError(w, http.StatusBadRequest, "Invalid Request: "+err.Error())
		return
	}
	for _, ch := range changes {
		for _, cv := range c.configs {
			if cv.Type == ch.Type && cv.Tag == ch.Tag {
				writeError(w, http.StatusBadRequest, fmt.Sprintf("Configuration with tag '%s' exists for '%s'", ch.Tag, ch.Type))
				return
			}
		}
	}
	st, _ := e.blueprints[c.blueprint].Stack()
	now := e.cfg.Now()
	var items []map[string]any
	for _, ch := range changes {
		cv := configVersion{Type: ch.Type, Tag: ch.Tag, Version: e.nextConfigVersion(c, ch.Type), Properties: ch.Properties}
		c.configs = append(c.configs, cv)
		svc := serviceOfConfigType(st, ch.Type)
		if c.configChanged == nil {
			c.configChanged = map[string]time.Time{}
		}
		c.configChanged[svc] = now
		items = append(items, map[string]any{"clusterName": c.name, "type": cv.Type, "tag": cv.Tag, "version": cv.Version, "serviceName": svc})
	}
	writeJSON(w, http.StatusOK, map[string]any{"resources": []map[string]any{{"href": clusterHref(c.name), "configurations": items}}})
}

func readChanges(raw json.RawMessage) ([]desiredConfigChange, error) {
	var list []desiredConfigChange
	if err := json.Unmarshal(raw, &list); err != nil {
		var one desiredConfigChange
		if err := json.Unmarshal(raw, &one); err != nil {
			return nil, fmt.Errorf("Clusters/desired_config must be an object or a list of {type, tag, properties}")
		}
		list = []desiredConfigChange{one}
	}
	for _, ch := range list {
		if ch.Type == "" || ch.Tag == "" {
			return nil, fmt.Errorf("a desired_config needs a type and a tag")
		}
	}
	return list, nil
}

// nextConfigVersion is one more than the type's latest version.
func (e *Emulator) nextConfigVersion(c *cluster, typ string) int64 {
	var v int64
	for _, cv := range c.configs {
		if cv.Type == typ && cv.Version > v {
			v = cv.Version
		}
	}
	return v + 1
}

// currentConfigs is the latest version of each type, in first-seen order.
func currentConfigs(c *cluster) []configVersion {
	idx := map[string]int{}
	var out []configVersion
	for _, cv := range c.configs {
		if i, ok := idx[cv.Type]; ok {
			out[i] = cv
			continue
		}
		idx[cv.Type] = len(out)
		out = append(out, cv)
	}
	return out
}

// stale reports whether a host component has not started since its
// service's configuration changed.
func (e *Emulator) stale(c *cluster, started map[string]time.Time, hc hostComponent) bool {
	changed, ok := c.configChanged[hc.service]
	return ok && !hc.client && !started[hc.host+"/"+hc.component].After(changed)
}

// lastStarts is when each host component last finished a START or a
// RESTART.
func (e *Emulator) lastStarts(c *cluster) map[string]time.Time {
	out := map[string]time.Time{}
	for _, r := range e.requests {
		if r.cluster != c.name {
			continue
		}
		for _, t := range r.tasks {
			restart := t.command == "CUSTOM_COMMAND" && t.detail == "RESTART "+t.role
			if t.status == ambari.StatusCompleted && (t.command == "START" || restart) {
				out[t.host+"/"+t.role] = t.end
			}
		}
	}
	return out
}
