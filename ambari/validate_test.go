package ambari

import (
	"strings"
	"testing"
)

// blueprintOf builds a blueprint from "group:COMP,COMP" strings.
func blueprintOf(stack string, groups ...string) Blueprint {
	name, version, _ := strings.Cut(stack, "-")
	bp := Blueprint{Blueprints: BlueprintInfo{StackName: name, StackVersion: version}}
	for _, g := range groups {
		gname, comps, _ := strings.Cut(g, ":")
		hg := HostGroup{Name: gname}
		for _, c := range strings.Split(comps, ",") {
			if c != "" {
				hg.Components = append(hg.Components, Component{Name: c})
			}
		}
		bp.HostGroups = append(bp.HostGroups, hg)
	}
	return bp
}

func components(bp Blueprint, group string) map[string]int {
	out := map[string]int{}
	hg, _ := bp.Group(group)
	for _, c := range hg.Components {
		out[c.Name]++
	}
	return out
}

const hdfsYarn = "NAMENODE,SECONDARY_NAMENODE,RESOURCEMANAGER,APP_TIMELINE_SERVER,HDFS_CLIENT,YARN_CLIENT,ZOOKEEPER_SERVER,ZOOKEEPER_CLIENT"

// Ambari deploys what the stack marks auto-deploy instead of refusing: the
// history server beside the resource manager, metrics monitors on every
// group, host-scoped dependencies beside their component.
func TestAutoDeployAddsWhatAmbariAdds(t *testing.T) {
	bp := blueprintOf("HDP-2.6", "master:"+hdfsYarn+",MAPREDUCE2_CLIENT,METRICS_COLLECTOR", "workers:DATANODE,NODEMANAGER")
	got, err := ResolveBlueprint(bp, true)
	if err != nil {
		t.Fatal(err)
	}
	m, w := components(got, "master"), components(got, "workers")
	if m["HISTORYSERVER"] != 1 || w["HISTORYSERVER"] != 0 {
		t.Errorf("HISTORYSERVER co-locates with RESOURCEMANAGER: master %v", m)
	}
	if m["METRICS_MONITOR"] != 1 || w["METRICS_MONITOR"] != 1 {
		t.Errorf("METRICS_MONITOR (ALL, auto-deploy) goes on every group: %v %v", m, w)
	}
	if m["TEZ_CLIENT"] != 0 {
		t.Errorf("a client of a service the blueprint lacks is not added: %v", m)
	}
	if len(bp.HostGroups[0].Components) != 10 {
		t.Error("the input blueprint must not change")
	}
}

func TestDependenciesAreDeployedOrReported(t *testing.T) {
	bp := blueprintOf("HDP-2.6", "master:NAMENODE,SECONDARY_NAMENODE,HDFS_CLIENT,HBASE_MASTER,HBASE_CLIENT,ZOOKEEPER_CLIENT", "workers:DATANODE,HBASE_REGIONSERVER")
	got, err := ResolveBlueprint(bp, true)
	if err != nil {
		t.Fatal(err)
	}
	if m := components(got, "master"); m["ZOOKEEPER_SERVER"] != 1 {
		t.Errorf("HBASE_MASTER's cluster-scoped ZooKeeper co-locates with it: %v", m)
	}
	thrift := blueprintOf("HDP-2.6", "m:"+hdfsYarn+",MAPREDUCE2_CLIENT,SPARK2_JOBHISTORYSERVER,SPARK2_CLIENT,SPARK2_THRIFTSERVER", "w:DATANODE,NODEMANAGER")
	_, err = ResolveBlueprint(thrift, true)
	want := "Cluster Topology validation failed.  Unresolved component dependencies: {m={SPARK2_THRIFTSERVER=[DependencyInfo[name=HIVE/HIVE_METASTORE, scope=cluster, auto-deploy=true]]}}.  To disable topology validation"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("a cluster dependency with nowhere to go:\n got %v\nwant %s", err, want)
	}
}

func TestHostGroupsAreCounted(t *testing.T) {
	twice := blueprintOf("HDP-2.1", "m:"+hdfsYarn+",SECONDARY_NAMENODE", "w:DATANODE,NODEMANAGER")
	got, err := ResolveBlueprint(twice, true)
	if err != nil {
		t.Fatalf("a component twice in one group counts once: %v", err)
	}
	if c := components(got, "m"); c["SECONDARY_NAMENODE"] != 1 {
		t.Errorf("stored once: %v", c)
	}
	two := blueprintOf("HDP-2.1", "m:"+hdfsYarn, "w:DATANODE,NODEMANAGER,SECONDARY_NAMENODE")
	_, err = ResolveBlueprint(two, true)
	if err == nil || !strings.Contains(err.Error(), "Invalid service component count: [SECONDARY_NAMENODE(actual=2, required=1)]") {
		t.Errorf("in two groups: %v", err)
	}
	if _, err := ResolveBlueprint(two, false); err != nil {
		t.Errorf("validate_topology=false: %v", err)
	}
}

func TestClientsAreOneOrMore(t *testing.T) {
	_, err := ResolveBlueprint(blueprintOf("HDP-2.6", "m:NAMENODE,SECONDARY_NAMENODE", "w:DATANODE"), true)
	if err == nil || !strings.Contains(err.Error(), "[HDFS_CLIENT(actual=0, required=1+)]") {
		t.Errorf("HDFS_CLIENT is 1+: %v", err)
	}
}

// SQL Anywhere is refused before HDP 2.3 only, and only for the component
// whose service is configured with it.
func TestSQLAnywhereFromHDP23(t *testing.T) {
	for _, c := range []struct{ stack, service, component string }{
		{"HDP-2.3", "hive", "HIVE_METASTORE"},
		{"HDP-2.6", "oozie", "OOZIE_SERVER"},
		{"HDP-2.2", "oozie", "HIVE_METASTORE"},
	} {
		bp := blueprintOf(c.stack, "m:"+hdfsYarn+","+c.component, "w:DATANODE,NODEMANAGER")
		bp.Configurations = []map[string]any{{c.service + "-env": map[string]any{c.service + "_database": "Existing SQL Anywhere Database"}}}
		if _, err := ResolveBlueprint(bp, false); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
	if !versionLess("2.2", "2.3.0.0") || versionLess("2.3", "2.3.0.0") || !versionLess("2.0.6", "2.3") || versionLess("2.10", "2.3") {
		t.Error("versions compare number by number")
	}
}

func TestNameNodeHAHasNoSecondary(t *testing.T) {
	bp := blueprintOf("HDP-2.6", "m1:NAMENODE,ZKFC,JOURNALNODE,SECONDARY_NAMENODE,HDFS_CLIENT,ZOOKEEPER_SERVER,ZOOKEEPER_CLIENT", "m2:NAMENODE,ZKFC,JOURNALNODE", "w:DATANODE")
	bp.Configurations = []map[string]any{{"hdfs-site": map[string]any{"properties": map[string]any{"dfs.nameservices": "ha"}}}}
	_, err := ResolveBlueprint(bp, true)
	if err == nil || !strings.Contains(err.Error(), "SECONDARY_NAMENODE(actual=1, required=0)") {
		t.Errorf("HA: %v", err)
	}
}

func TestAmbariRefusalsInItsOwnWords(t *testing.T) {
	secret := blueprintOf("HDP-2.1", "m:"+hdfsYarn, "w:DATANODE,NODEMANAGER")
	secret.Configurations = []map[string]any{{"hive-site": map[string]any{"javax.jdo.option.ConnectionPassword": "SECRET:hive-site:1:javax.jdo.option.ConnectionPassword"}}}
	existing := blueprintOf("HDP-2.6", "m:"+hdfsYarn+",MYSQL_SERVER", "w:DATANODE,NODEMANAGER")
	existing.Configurations = []map[string]any{{"hive-env": map[string]any{"properties": map[string]any{"hive_database": "Existing MySQL / MariaDB Database"}}}}
	anywhere := func(stack, service, component string) Blueprint {
		bp := blueprintOf(stack, "m:"+hdfsYarn+","+component, "w:DATANODE,NODEMANAGER")
		bp.Configurations = []map[string]any{{service + "-env": map[string]any{service + "_database": "Existing SQL Anywhere Database"}}}
		return bp
	}
	const anywhereRefused = "Blueprint configuration validation failed: Incorrect configuration: SQL Anywhere db is available only for stack HDP-2.3+ and repo version 2.3.2+!"
	for _, c := range []struct {
		bp   Blueprint
		want string
	}{
		{anywhere("HDP-2.2", "hive", "HIVE_METASTORE"), anywhereRefused},
		{anywhere("HDP-2.1", "oozie", "OOZIE_SERVER"), anywhereRefused},
		{blueprintOf("HDP-9.9", "m:NAMENODE"), "Specified stack doesn't exist: org.apache.ambari.server.stack.NoSuchStackException: The requested stack doesn't exist. Name='HDP' Version='9.9'"},
		{blueprintOf("HDP-2.6"), "At least one host group must be specified in a blueprint"},
		{blueprintOf("HDP-2.6", ":NAMENODE"), "Every host group must include a non-null 'name' property"},
		{blueprintOf("HDP-2.6", "m:"), "Host group 'm' must contain at least one component"},
		{blueprintOf("HDP-2.6", "m:SPARK2_CLIENT,SPARK_CLIENT,FLINK_CLIENT"), "The component 'FLINK_CLIENT' in host group 'm' is not valid for the specified stack"},
		{blueprintOf("HDP-2.1", "m:SPARK2_CLIENT"), "The component 'SPARK2_CLIENT' in host group 'm' is not valid for the specified stack"},
		{secret, "Blueprint configuration validation failed: Secret references are not allowed in blueprints, replace following properties with real passwords:\n  Config:hive-site Property:javax.jdo.option.ConnectionPassword\n"},
		{existing, "Blueprint configuration validation failed: Incorrect configuration: MYSQL_SERVER component is available but hive using existing db!"},
	} {
		_, err := ResolveBlueprint(c.bp, true)
		if err == nil || err.Error() != c.want {
			t.Errorf("got  %v\nwant %s", err, c.want)
		}
	}
}

// Each stack herd embeds knows the components of its release: BIGTOP 3.3
// has Flink and the YARN timeline reader, HDP 2.6 Spark 2, HDP 2.1 neither;
// HDP 3.x (Hortonworks' released package) has Spark 2 only.
func TestStacksAreAmbarisOwn(t *testing.T) {
	for stack, comps := range map[string][]string{
		"HDP-2.1":      {"NAMENODE", "FALCON_SERVER", "STORM_UI_SERVER", "METRICS_COLLECTOR"},
		"HDP-2.6":      {"SPARK2_JOBHISTORYSERVER", "HIVE_SERVER_INTERACTIVE", "ZEPPELIN_MASTER", "INFRA_SOLR"},
		"HDP-3.0":      {"SPARK2_JOBHISTORYSERVER", "HIVE_SERVER_INTERACTIVE", "TIMELINE_READER", "METRICS_COLLECTOR", "SUPERSET"},
		"HDP-3.1":      {"SPARK2_JOBHISTORYSERVER", "LIVY2_SERVER", "TIMELINE_READER", "YARN_REGISTRY_DNS", "INFRA_SOLR"},
		"BIGTOP-3.3.0": {"FLINK_HISTORYSERVER", "TIMELINE_READER", "YARN_REGISTRY_DNS", "SOLR_SERVER", "LIVY_SERVER"},
	} {
		st, ok := Stacks()[stack]
		if !ok {
			t.Fatalf("no stack %s in %v", stack, StackNames())
		}
		for _, c := range comps {
			if _, ok := st.Components[c]; !ok {
				t.Errorf("%s lacks %s", stack, c)
			}
		}
		if st.Ambari == "" || !strings.HasPrefix(st.Source, "apache/ambari") && !strings.HasPrefix(st.Source, "clemlabprojects/ambari") {
			t.Errorf("%s does not say where it comes from: %q %q", stack, st.Ambari, st.Source)
		}
	}
	if _, ok := Stacks()["HDP-2.1"].Components["SPARK2_CLIENT"]; ok {
		t.Error("HDP 2.1 has no Spark 2")
	}
	if _, ok := Stacks()["HDP-3.1"].Components["SPARK_CLIENT"]; ok {
		t.Error("HDP 3.1 has no Spark 1")
	}
}

// Ambari 2.7's conditional dependencies: a NameNode needs ZKFC and journal
// nodes only when the blueprint configures HA.
func TestConditionalDependencies(t *testing.T) {
	bp := blueprintOf("BIGTOP-3.3.0", "m1:NAMENODE,SECONDARY_NAMENODE,HDFS_CLIENT,ZOOKEEPER_SERVER,ZOOKEEPER_CLIENT", "w:DATANODE")
	if _, err := ResolveBlueprint(bp, true); err != nil {
		t.Fatalf("without HA: %v", err)
	}
	bp.Configurations = []map[string]any{{"hdfs-site": map[string]any{"properties": map[string]any{"dfs.nameservices": "ha"}}}}
	_, err := ResolveBlueprint(bp, true)
	if err == nil || !strings.Contains(err.Error(), "NAMENODE=[DependencyInfo[name=HDFS/JOURNALNODE, scope=cluster, auto-deploy=false], DependencyInfo[name=HDFS/ZKFC, scope=cluster, auto-deploy=false]]") {
		t.Errorf("with HA: %v", err)
	}
}
