package ambari

import (
	"fmt"
	"sort"
	"strings"
)

// StackComponent is what a stack says about one component.
type StackComponent struct {
	Service     string
	Cardinality string // "1", "1+", "0-1", "1-2", "ALL"
}

// Stack is a stack definition: which components exist and how many host
// groups may hold each.
type Stack struct {
	Name, Version string
	Components    map[string]StackComponent
}

// HDP21 is the HDP 2.1 stack (the 2014 Cloudbreak default).
var HDP21 = Stack{Name: "HDP", Version: "2.1", Components: map[string]StackComponent{
	"NAMENODE": {"HDFS", "1-2"}, "SECONDARY_NAMENODE": {"HDFS", "1"},
	"DATANODE": {"HDFS", "1+"}, "HDFS_CLIENT": {"HDFS", "0+"},
	"RESOURCEMANAGER": {"YARN", "1-2"}, "NODEMANAGER": {"YARN", "1+"},
	"APP_TIMELINE_SERVER": {"YARN", "1"}, "YARN_CLIENT": {"YARN", "0+"},
	"HISTORYSERVER": {"MAPREDUCE2", "1"}, "MAPREDUCE2_CLIENT": {"MAPREDUCE2", "0+"},
	"ZOOKEEPER_SERVER": {"ZOOKEEPER", "1+"}, "ZOOKEEPER_CLIENT": {"ZOOKEEPER", "0+"},
	"HIVE_SERVER": {"HIVE", "1"}, "HIVE_METASTORE": {"HIVE", "1"},
	"HIVE_CLIENT": {"HIVE", "0+"}, "MYSQL_SERVER": {"HIVE", "0-1"},
	"WEBHCAT_SERVER": {"WEBHCAT", "1"}, "HCAT": {"HCATALOG", "0+"},
	"HBASE_MASTER": {"HBASE", "1+"}, "HBASE_REGIONSERVER": {"HBASE", "1+"},
	"HBASE_CLIENT": {"HBASE", "0+"}, "OOZIE_SERVER": {"OOZIE", "1"},
	"OOZIE_CLIENT": {"OOZIE", "0+"}, "PIG": {"PIG", "0+"}, "SQOOP": {"SQOOP", "0+"},
	"TEZ_CLIENT": {"TEZ", "0+"}, "GANGLIA_SERVER": {"GANGLIA", "1"},
	"GANGLIA_MONITOR": {"GANGLIA", "ALL"}, "NAGIOS_SERVER": {"NAGIOS", "1"},
	"AMBARI_SERVER": {"AMBARI", "0-1"},
}}

// Stacks are the stack definitions herd knows, by "NAME-VERSION".
var Stacks = map[string]Stack{"HDP-2.1": HDP21}

// StackNames lists the stacks herd knows, sorted.
func StackNames() []string {
	out := make([]string, 0, len(Stacks))
	for k := range Stacks {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// LookupStack finds a stack definition by name and version.
func LookupStack(name, version string) (Stack, bool) {
	s, ok := Stacks[name+"-"+version]
	return s, ok
}

// ValidationError is a blueprint rejected the way Ambari rejects it (400).
type ValidationError struct{ Message string }

func (e *ValidationError) Error() string { return e.Message }

// ValidateBlueprint checks bp the way Ambari's POST /blueprints does: a known
// stack, known components, and (when topology is true) the number of host
// groups holding each component against the stack's cardinality.
func ValidateBlueprint(bp Blueprint, topology bool) error {
	st, ok := LookupStack(bp.Blueprints.StackName, bp.Blueprints.StackVersion)
	if !ok {
		return &ValidationError{fmt.Sprintf("Unable to retrieve stack info for stack %s-%s",
			bp.Blueprints.StackName, bp.Blueprints.StackVersion)}
	}
	if len(bp.HostGroups) == 0 {
		return &ValidationError{"Blueprint must contain at least one host group"}
	}
	counts := map[string]int{}
	services := map[string]bool{}
	for _, hg := range bp.HostGroups {
		if hg.Name == "" {
			return &ValidationError{"Every host group must include a name"}
		}
		for _, c := range hg.Components {
			sc, ok := st.Components[c.Name]
			if !ok {
				return &ValidationError{fmt.Sprintf(
					"The component '%s' in host group '%s' is not valid for the specified stack", c.Name, hg.Name)}
			}
			counts[c.Name]++
			services[sc.Service] = true
		}
	}
	if !topology {
		return nil
	}
	return checkTopology(st, counts, services, len(bp.HostGroups))
}

func checkTopology(st Stack, counts map[string]int, services map[string]bool, groups int) error {
	var bad []string
	for name, sc := range st.Components {
		if !services[sc.Service] {
			continue
		}
		if !ParseCardinality(sc.Cardinality).Allows(counts[name], groups) {
			bad = append(bad, fmt.Sprintf("%s(actual=%d, required=%s)", name, counts[name], sc.Cardinality))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	return &ValidationError{"Cluster Topology validation failed.  Invalid service component count: [" +
		strings.Join(bad, ", ") + "].  To disable topology validation and create the blueprint, " +
		"add the following to the end of the url: '?validate_topology=false'"}
}

// Services returns the services a blueprint installs, sorted.
func (bp Blueprint) Services() []string {
	st, _ := LookupStack(bp.Blueprints.StackName, bp.Blueprints.StackVersion)
	seen := map[string]bool{}
	for _, hg := range bp.HostGroups {
		for _, c := range hg.Components {
			if sc, ok := st.Components[c.Name]; ok {
				seen[sc.Service] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// Group returns the host group called name.
func (bp Blueprint) Group(name string) (HostGroup, bool) {
	for _, hg := range bp.HostGroups {
		if hg.Name == name {
			return hg, true
		}
	}
	return HostGroup{}, false
}
