package ambari

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

// topology is a blueprint's host groups as Ambari's topology validator
// sees them: sets of components, to which it adds what it deploys itself.
type topology struct {
	st     Stack
	groups []*group
	props  map[string]map[string]string
}

type group struct {
	name  string
	comps []string
	has   map[string]bool
}

func (g *group) add(c string) {
	if !g.has[c] {
		g.has[c] = true
		g.comps = append(g.comps, c)
	}
}

func newTopology(st Stack, bp Blueprint, props map[string]map[string]string) *topology {
	t := &topology{st: st, props: props}
	for _, hg := range bp.HostGroups {
		g := &group{name: hg.Name, has: map[string]bool{}}
		for _, c := range hg.Components {
			g.add(c.Name)
		}
		t.groups = append(t.groups, g)
	}
	return t
}

// blueprint is bp with each group's components as the topology has them.
func (t *topology) blueprint(bp Blueprint) Blueprint {
	out := bp
	out.HostGroups = make([]HostGroup, len(bp.HostGroups))
	for i, hg := range bp.HostGroups {
		hg.Components = nil
		for _, c := range t.groups[i].comps {
			hg.Components = append(hg.Components, Component{Name: c})
		}
		out.HostGroups[i] = hg
	}
	return out
}

// services are those of the components the groups hold now.
func (t *topology) services() map[string]bool {
	out := map[string]bool{}
	for _, g := range t.groups {
		for _, c := range g.comps {
			if sc, ok := t.st.Components[c]; ok {
				out[sc.Service] = true
			}
		}
	}
	return out
}

func (t *topology) groupsWith(c string) []*group {
	var out []*group
	for _, g := range t.groups {
		if g.has[c] {
			out = append(out, g)
		}
	}
	return out
}

// missingDeps are a group's components' unresolved dependencies.
type missingDeps struct {
	group string
	comps map[string][]Dependency
}

// validate is Ambari's validateTopology: dependencies of every group's
// components first (host-scoped ones are deployed beside the component,
// cluster-scoped ones must exist once, or are deployed where they
// co-locate), then each service's components against their cardinality.
func (t *topology) validate() error {
	var missing []missingDeps
	for _, g := range t.groups {
		if m := t.groupDependencies(g); len(m) > 0 {
			missing = append(missing, missingDeps{g.name, m})
		}
	}
	var failures []string
	services := t.services()
	for _, svc := range slices.Sorted(maps.Keys(services)) {
		for _, c := range t.st.ServiceComponents(svc) {
			sc := t.st.Components[c]
			card := ParseCardinality(sc.Cardinality)
			if card.All {
				failures = append(failures, t.verifyAll(c, sc.AutoDeploy)...)
			} else {
				failures = append(failures, t.verifyCount(c, sc.Cardinality, sc.AutoDeploy)...)
			}
		}
	}
	if len(missing) == 0 && len(failures) == 0 {
		return nil
	}
	return topologyError(failures, missing)
}

func (t *topology) groupDependencies(g *group) map[string][]Dependency {
	missing := map[string][]Dependency{}
	for _, c := range append([]string(nil), g.comps...) {
		for _, dep := range t.st.Components[c].Dependencies {
			svc, name := splitComponent(dep.Name)
			dc, known := t.st.Components[name]
			if !known || (dc.IsClient() && !t.services()[svc]) {
				continue // Ambari adds a client only for services the blueprint has
			}
			if !t.conditionsHold(dep.Conditions) {
				continue
			}
			resolved := false
			switch dep.Scope {
			case "cluster":
				resolved = len(t.verifyCount(name, "1+", dep.AutoDeploy)) == 0
			case "host":
				// Ambari before 2.7 checked the component itself, so it
				// always deployed the dependency beside it.
				resolved = !t.st.since27() || g.has[name] || (dep.AutoDeploy != nil && dep.AutoDeploy.Enabled)
				if resolved {
					g.add(name)
				}
			}
			if !resolved {
				missing[c] = append(missing[c], dep)
			}
		}
	}
	return missing
}

// verifyCount checks the number of groups holding component against card;
// an auto-deployed component that may be on one host is added to the
// group of the component it co-locates with.
func (t *topology) verifyCount(component, card string, ad *AutoDeploy) []string {
	if component == "SECONDARY_NAMENODE" && t.nameNodeHA() {
		card = "0" // no secondary name node beside HA name nodes
	}
	c := ParseCardinality(card)
	n := len(t.groupsWith(component))
	if c.ValidCount(n) {
		return nil
	}
	if ad != nil && ad.Enabled && c.SupportsAutoDeploy() && strings.Contains(ad.CoLocate, "/") {
		_, co := splitComponent(ad.CoLocate)
		if gs := t.groupsWith(co); len(gs) > 0 {
			gs[0].add(component)
			return nil
		}
	}
	return []string{fmt.Sprintf("%s(actual=%d, required=%s)", component, n, card)}
}

// verifyAll checks that every group holds component, adding it to each
// when the stack auto-deploys it.
func (t *topology) verifyAll(component string, ad *AutoDeploy) []string {
	n := len(t.groupsWith(component))
	if n == len(t.groups) {
		return nil
	}
	if ad != nil && ad.Enabled {
		for _, g := range t.groups {
			g.add(component)
		}
		return nil
	}
	return []string{fmt.Sprintf("%s(actual=%d, required=ALL)", component, n)}
}

// conditionsHold: every "propertyExists" condition's property is in the
// blueprint's configuration.
func (t *topology) conditionsHold(cs []Condition) bool {
	for _, c := range cs {
		if _, ok := t.props[c.ConfigType][c.Property]; !ok {
			return false
		}
	}
	return true
}

func (t *topology) nameNodeHA() bool {
	hdfs, ok := t.props["hdfs-site"]
	if !ok {
		return false
	}
	_, a := hdfs["dfs.nameservices"]
	_, b := hdfs["dfs.internal.nameservices"]
	return a || b
}

func topologyError(failures []string, missing []missingDeps) error {
	msg := "Cluster Topology validation failed."
	if len(failures) > 0 {
		sort.Strings(failures)
		msg += "  Invalid service component count: [" + strings.Join(failures, ", ") + "]"
	}
	if len(missing) > 0 {
		var groups []string
		for _, m := range missing {
			var comps []string
			for _, c := range slices.Sorted(maps.Keys(m.comps)) {
				var deps []string
				for _, d := range m.comps[c] {
					deps = append(deps, fmt.Sprintf("DependencyInfo[name=%s, scope=%s, auto-deploy=%t]", d.Name, d.Scope, d.AutoDeploy != nil && d.AutoDeploy.Enabled))
				}
				comps = append(comps, c+"=["+strings.Join(deps, ", ")+"]")
			}
			groups = append(groups, m.group+"={"+strings.Join(comps, ", ")+"}")
		}
		msg += "  Unresolved component dependencies: {" + strings.Join(groups, ", ") + "}"
	}
	return &ValidationError{msg + ".  To disable topology validation and create the blueprint, " +
		"add the following to the end of the url: '?validate_topology=false'"}
}
