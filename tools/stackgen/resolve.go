package main

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/herdhq/herd/ambari"
)

// resources is a checkout of Ambari's ambari-server/src/main/resources:
// its stacks/ and common-services/ folders.
type resources struct {
	dir    string
	common map[string]serviceXML // by "NAME/VERSION"
	done   map[string]*ambari.ServiceDef
}

func load(dir string) (*resources, error) {
	r := &resources{dir: dir, common: map[string]serviceXML{}, done: map[string]*ambari.ServiceDef{}}
	files, err := filepath.Glob(filepath.Join(dir, "common-services", "*", "*", "metainfo.xml"))
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		services, err := readServices(f)
		if err != nil {
			return nil, err
		}
		dirVersion := filepath.Base(filepath.Dir(f))
		for _, s := range services {
			v := dirVersion
			if s.Version != nil {
				v = strings.TrimSpace(*s.Version)
			}
			r.common[s.Name+"/"+v] = s
		}
	}
	return r, nil
}

// readServices reads a metainfo.xml's services, each with the
// configuration types its configuration folder beside the file defines.
func readServices(path string) ([]serviceXML, error) {
	var m metainfoXML
	if err := readXML(path, &m); err != nil {
		return nil, err
	}
	for i, s := range m.Services {
		dir := strings.TrimSpace(s.ConfigDir)
		if dir == "" {
			dir = "configuration"
		}
		files, _ := filepath.Glob(filepath.Join(filepath.Dir(path), dir, "*.xml"))
		for _, f := range files {
			typ := strings.TrimSuffix(filepath.Base(f), ".xml")
			m.Services[i].ownedTypes = append(m.Services[i].ownedTypes, typ)
			pw, err := requiredPasswords(f, typ)
			if err != nil {
				return nil, err
			}
			m.Services[i].passwords = append(m.Services[i].passwords, pw...)
		}
	}
	return m.Services, nil
}

// commonService resolves "common-services/NAME/VERSION".
func (r *resources) commonService(ref string) (*ambari.ServiceDef, error) {
	key := strings.TrimPrefix(strings.TrimSpace(ref), "common-services/")
	if d, ok := r.done[key]; ok {
		return d, nil
	}
	s, ok := r.common[key]
	if !ok {
		return nil, fmt.Errorf("no common service %s", ref)
	}
	var parent *ambari.ServiceDef
	if s.Extends != "" {
		p, err := r.commonService(s.Extends)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		parent = p
	}
	d := mergeService(parent, s)
	r.done[key] = d
	return d, nil
}

// stack resolves a stack version with its parents: services it defines
// override (and extend) those it inherits.
func (r *resources) stack(name, version string) (map[string]*ambari.ServiceDef, error) {
	base := filepath.Join(r.dir, "stacks", name, version)
	var meta stackXML
	if err := readXML(filepath.Join(base, "metainfo.xml"), &meta); err != nil {
		return nil, err
	}
	out := map[string]*ambari.ServiceDef{}
	inherited := map[string]*ambari.ServiceDef{}
	if v := strings.TrimSpace(meta.Extends); v != "" {
		p, err := r.stack(name, v)
		if err != nil {
			return nil, fmt.Errorf("%s-%s extends %s: %w", name, version, v, err)
		}
		inherited = p
		for k, s := range p {
			out[k] = s
		}
	}
	files, _ := filepath.Glob(filepath.Join(base, "services", "*", "metainfo.xml"))
	for _, f := range files {
		services, err := readServices(f)
		if err != nil {
			return nil, err
		}
		for _, s := range services {
			if s.Deleted {
				delete(out, s.Name)
				continue
			}
			parent := inherited[s.Name]
			if s.Extends != "" {
				p, err := r.commonService(s.Extends)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", f, err)
				}
				parent = p
			}
			out[s.Name] = mergeService(parent, s)
		}
	}
	return out, nil
}

// mergeService is Ambari's inheritance: what the child gives wins, what it
// leaves out comes from the parent; components merge by name.
func mergeService(parent *ambari.ServiceDef, s serviceXML) *ambari.ServiceDef {
	d := &ambari.ServiceDef{Name: s.Name}
	if parent != nil {
		d.Version, d.RequiredServices, d.ConfigTypes, d.ConfigDeps = parent.Version, parent.RequiredServices, parent.ConfigTypes, parent.ConfigDeps
		d.CustomCommands, d.RequiredPasswords = parent.CustomCommands, parent.RequiredPasswords
	}
	if s.Version != nil {
		d.Version = strings.TrimSpace(*s.Version)
	}
	if s.RequiredSvcs != nil && len(*s.RequiredSvcs) > 0 {
		d.RequiredServices = trimAll(*s.RequiredSvcs)
	}
	if s.ConfigDeps != nil {
		d.ConfigDeps = union(d.ConfigDeps, trimAll(*s.ConfigDeps))
	}
	d.ConfigTypes = union(d.ConfigTypes, s.ownedTypes)
	d.RequiredPasswords = unionProps(d.RequiredPasswords, s.passwords)
	d.CustomCommands = union(d.CustomCommands, names(s.CustomCommands))
	byName := map[string]componentXML{}
	for _, c := range s.Components {
		byName[c.Name] = c
	}
	seen := map[string]bool{}
	if parent != nil {
		for _, pc := range parent.Components {
			seen[pc.Name] = true
			c, ok := byName[pc.Name]
			switch {
			case !ok:
				d.Components = append(d.Components, pc)
			case !c.Deleted:
				d.Components = append(d.Components, mergeComponent(&pc, c))
			}
		}
	}
	for _, c := range s.Components {
		if !seen[c.Name] && !c.Deleted {
			d.Components = append(d.Components, mergeComponent(nil, c))
		}
	}
	sort.Slice(d.Components, func(i, j int) bool { return d.Components[i].Name < d.Components[j].Name })
	return d
}

func mergeComponent(parent *ambari.ComponentDef, c componentXML) ambari.ComponentDef {
	var d ambari.ComponentDef
	if parent != nil {
		d = *parent
	} else {
		d.Cardinality = "0+" // Ambari's default for a component with no parent
	}
	d.Name = c.Name
	if c.Category != nil {
		d.Category = strings.TrimSpace(*c.Category)
	}
	if c.Cardinality != nil {
		d.Cardinality = strings.TrimSpace(*c.Cardinality)
	}
	if c.Decommission != nil {
		d.DecommissionAllowed = strings.TrimSpace(*c.Decommission) == "true"
	}
	if c.AutoDeploy != nil {
		d.AutoDeploy = autoDeploy(c.AutoDeploy)
	}
	var deps []ambari.Dependency
	given := map[string]bool{}
	for _, x := range c.Dependencies {
		given[strings.TrimSpace(x.Name)] = true
		dep := ambari.Dependency{Name: strings.TrimSpace(x.Name), Scope: strings.TrimSpace(x.Scope), AutoDeploy: autoDeploy(x.AutoDeploy)}
		for _, c := range x.Conditions {
			dep.Conditions = append(dep.Conditions, ambari.Condition{Type: c.Type, ConfigType: strings.TrimSpace(c.ConfigType), Property: strings.TrimSpace(c.Property)})
		}
		deps = append(deps, dep)
	}
	for _, x := range d.Dependencies {
		if !given[x.Name] {
			deps = append(deps, x)
		}
	}
	sort.Slice(deps, func(i, j int) bool { return deps[i].Name < deps[j].Name })
	d.Dependencies = deps
	d.CustomCommands = union(d.CustomCommands, names(c.CustomCommands))
	return d
}

func autoDeploy(a *autoDeployXML) *ambari.AutoDeploy {
	if a == nil {
		return nil
	}
	return &ambari.AutoDeploy{Enabled: a.Enabled, CoLocate: strings.TrimSpace(a.CoLocate)}
}

func names(xs []nameXML) []string {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		out = append(out, strings.TrimSpace(x.Name))
	}
	return out
}

func trimAll(xs []string) []string {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		out = append(out, strings.TrimSpace(x))
	}
	return out
}

// union is a then what of b is not in a, sorted; nil when empty.
func union(a, b []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range append(append([]string{}, a...), b...) {
		if x != "" && !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}

// unionProps is a then what of b is not in a, sorted by type and name.
func unionProps(a, b []ambari.ConfigProperty) []ambari.ConfigProperty {
	seen := map[ambari.ConfigProperty]bool{}
	var out []ambari.ConfigProperty
	for _, p := range append(append([]ambari.ConfigProperty{}, a...), b...) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Type != out[j].Type {
			return out[i].Type < out[j].Type
		}
		return out[i].Name < out[j].Name
	})
	return out
}
