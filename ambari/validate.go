package ambari

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// ValidationError is a blueprint rejected the way Ambari rejects it (400),
// in Ambari's words.
type ValidationError struct{ Message string }

func (e *ValidationError) Error() string { return e.Message }

func invalid(format string, args ...any) error {
	return &ValidationError{fmt.Sprintf(format, args...)}
}

// ValidateBlueprint checks bp as Ambari's POST /blueprints does (see
// ResolveBlueprint).
func ValidateBlueprint(bp Blueprint, topology bool) error {
	_, err := ResolveBlueprint(bp, topology)
	return err
}

// ResolveBlueprint checks bp as Ambari's POST /blueprints does — a known
// stack, host groups with names and known components, no secret
// references in configurations, and (when topology is true, unless the
// caller passed validate_topology=false) dependencies and cardinality —
// and returns it as Ambari stores it: a component listed twice in a group
// once, and the components Ambari deploys itself (auto-deploy, host-scope
// dependencies) added to their host groups.
func ResolveBlueprint(bp Blueprint, topology bool) (Blueprint, error) {
	st, ok := bp.Stack()
	if !ok {
		return bp, invalid("Specified stack doesn't exist: org.apache.ambari.server.stack.NoSuchStackException: "+
			"The requested stack doesn't exist. Name='%s' Version='%s'", bp.Blueprints.StackName, bp.Blueprints.StackVersion)
	}
	if err := checkGroups(st, bp); err != nil {
		return bp, err
	}
	props := ConfigProperties(bp.Configurations)
	if err := checkProperties(st, bp, props); err != nil {
		return bp, &ValidationError{"Blueprint configuration validation failed: " + err.Error()}
	}
	t := newTopology(st, bp, props)
	if topology {
		if err := t.validate(); err != nil {
			return bp, err
		}
	}
	return t.blueprint(bp), nil
}

// checkGroups is Ambari's blueprint factory: every group named, with
// components the stack knows (AMBARI_SERVER too).
func checkGroups(st Stack, bp Blueprint) error {
	if len(bp.HostGroups) == 0 {
		return invalid("At least one host group must be specified in a blueprint")
	}
	for _, hg := range bp.HostGroups {
		if hg.Name == "" {
			return invalid("Every host group must include a non-null 'name' property")
		}
		if len(hg.Components) == 0 {
			return invalid("Host group '%s' must contain at least one component", hg.Name)
		}
		for _, c := range hg.Components {
			if c.Name == "" {
				return invalid("Host group '%s' contains a component with no 'name' property", hg.Name)
			}
			if _, ok := st.Components[c.Name]; !ok && c.Name != "AMBARI_SERVER" {
				return invalid("The component '%s' in host group '%s' is not valid for the specified stack", c.Name, hg.Name)
			}
		}
	}
	return nil
}

// checkProperties is Ambari's required-properties check: real passwords,
// not secret references, no MySQL server beside an existing Hive
// database, and SQL Anywhere databases only from HDP 2.3 on.
func checkProperties(st Stack, bp Blueprint, props map[string]map[string]string) error {
	var secrets []string
	for _, typ := range slices.Sorted(maps.Keys(props)) {
		for _, name := range slices.Sorted(maps.Keys(props[typ])) {
			if isSecretReference(props[typ][name]) {
				secrets = append(secrets, "  Config:"+typ+" Property:"+name+"\n")
			}
		}
	}
	if len(secrets) > 0 {
		return fmt.Errorf("Secret references are not allowed in blueprints, replace following properties with real passwords:\n%s", strings.Join(secrets, ""))
	}
	for _, hg := range bp.HostGroups {
		for _, c := range hg.Components {
			if err := checkDatabase(st, c.Name, props); err != nil {
				return err
			}
		}
	}
	return nil
}

// sqlAnywhere is the database choice Ambari accepts on HDP 2.3 and later.
const sqlAnywhere = "Existing SQL Anywhere Database"

// checkDatabase is Ambari's check of the database a component's service
// is configured with.
func checkDatabase(st Stack, component string, props map[string]map[string]string) error {
	hive, oozie := props["hive-env"]["hive_database"], props["oozie-env"]["oozie_database"]
	beforeHDP23 := st.Name == "HDP" && versionLess(st.Version, "2.3")
	switch {
	case component == "MYSQL_SERVER" && strings.HasPrefix(hive, "Existing"):
		return fmt.Errorf("Incorrect configuration: MYSQL_SERVER component is available but hive using existing db!")
	case component == "HIVE_METASTORE" && hive == sqlAnywhere && beforeHDP23,
		component == "OOZIE_SERVER" && oozie == sqlAnywhere && beforeHDP23:
		return fmt.Errorf("Incorrect configuration: SQL Anywhere db is available only for stack HDP-2.3+ and repo version 2.3.2+!")
	}
	return nil
}

// versionLess compares dotted versions number by number, as Ambari's
// VersionUtils does (missing parts count as 0).
func versionLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		x, y := part(as, i), part(bs, i)
		if x != y {
			return x < y
		}
	}
	return false
}

func part(xs []string, i int) int {
	if i >= len(xs) {
		return 0
	}
	n, _ := strconv.Atoi(xs[i])
	return n
}

// isSecretReference is Ambari's SECRET:type:version:property form.
func isSecretReference(v string) bool {
	parts := strings.Split(v, ":")
	return len(parts) == 4 && parts[0] == "SECRET"
}

// ConfigProperties reads a blueprint's (or template's) configurations, in
// either of Ambari's forms — {"TYPE": {"properties": {...}}} or
// {"TYPE": {"NAME": "VALUE"}} — as properties by configuration type.
func ConfigProperties(cfgs []map[string]any) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, item := range cfgs {
		for typ, body := range item {
			m, _ := body.(map[string]any)
			if p, ok := m["properties"].(map[string]any); ok {
				m = p
			}
			if out[typ] == nil {
				out[typ] = map[string]string{}
			}
			for k, v := range m {
				if k == "properties_attributes" {
					continue
				}
				out[typ][k] = fmt.Sprint(v)
			}
		}
	}
	return out
}
