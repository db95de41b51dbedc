package ambariemu

import (
	"fmt"
	"maps"
	"slices"
	"sort"

	"github.com/herdhq/herd/ambari"
)

// A cluster's configuration as Ambari keeps it: a version of each
// configuration type (from the blueprint's configurations overridden by
// the creation template's), and a config group for each host group that
// carries configuration of its own.

type configVersion struct {
	Type       string            `json:"type"`
	Tag        string            `json:"tag"`
	Version    int64             `json:"version"`
	Properties map[string]string `json:"properties"`
}

type configGroup struct {
	ID        int64           `json:"id"`
	Name      string          `json:"group_name"`
	Tag       string          `json:"tag"`
	HostGroup string          `json:"host_group"`
	Configs   []configVersion `json:"configs"`
}

// initialConfigs merges the blueprint's and the template's cluster
// configurations into the INITIAL version of each type.
func initialConfigs(bp ambari.Blueprint, t ambari.ClusterTemplate) []configVersion {
	merged := ambari.ConfigProperties(bp.Configurations)
	for typ, props := range ambari.ConfigProperties(t.Configurations) {
		if merged[typ] == nil {
			merged[typ] = map[string]string{}
		}
		for k, v := range props {
			merged[typ][k] = v
		}
	}
	out := []configVersion{}
	for _, typ := range slices.Sorted(maps.Keys(merged)) {
		out = append(out, configVersion{Type: typ, Tag: "INITIAL", Version: 1, Properties: merged[typ]})
	}
	return out
}

// configGroups are Ambari's config groups for host groups with
// configurations of their own (the blueprint's, then the template's), one
// per service those configuration types belong to.
func configGroups(bp ambari.Blueprint, t ambari.ClusterTemplate, firstID int64) []configGroup {
	st, _ := bp.Stack()
	var out []configGroup
	for _, hg := range bp.HostGroups {
		props := ambari.ConfigProperties(hg.Configurations)
		for _, tg := range t.HostGroups {
			if tg.Name == hg.Name {
				for typ, p := range ambari.ConfigProperties(tg.Configurations) {
					props[typ] = p
				}
			}
		}
		byService := map[string][]configVersion{}
		for _, typ := range slices.Sorted(maps.Keys(props)) {
			svc := serviceOfConfigType(st, typ)
			byService[svc] = append(byService[svc], configVersion{Type: typ, Tag: fmt.Sprintf("%s_%s", hg.Name, typ), Version: 1, Properties: props[typ]})
		}
		for _, svc := range slices.Sorted(maps.Keys(byService)) {
			out = append(out, configGroup{ID: firstID + int64(len(out)), Name: bp.Blueprints.BlueprintName + ":" + hg.Name, Tag: svc, HostGroup: hg.Name, Configs: byService[svc]})
		}
	}
	return out
}

// serviceOfConfigType is the service whose configuration types include
// typ; cluster-env and unknown types belong to the cluster.
func serviceOfConfigType(st ambari.Stack, typ string) string {
	for _, s := range st.Services {
		for _, ct := range s.ConfigTypes {
			if ct == typ {
				return s.Name
			}
		}
	}
	return "CLUSTER"
}

// serviceConfigTypes is the configuration types of a service in the
// cluster's configuration, sorted.
func serviceConfigTypes(st ambari.Stack, service string, configs []configVersion) []configVersion {
	var out []configVersion
	for _, c := range configs {
		if serviceOfConfigType(st, c.Type) == service {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Type < out[j].Type })
	return out
}
