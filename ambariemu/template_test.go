package ambariemu

import (
	"strings"
	"testing"

	"github.com/herdhq/herd/ambari"
	"github.com/herdhq/herd/blueprints"
)

// Ambari's required passwords: a cluster of a blueprint with Hive needs
// the metastore's database password — in a configuration, or as the
// template's default_password.
func TestRequiredPasswords(t *testing.T) {
	f := newFixture(t, Config{})
	_, bp, err := blueprints.Load("multi-node-hdp-2.6")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.cl.PostBlueprint(ctx, "hdp", bp); err != nil {
		t.Fatal(err)
	}
	tmpl := ambari.ClusterTemplate{Blueprint: "hdp", HostGroups: []ambari.TemplateHostGroup{
		{Name: "master", Hosts: []ambari.TemplateHost{{FQDN: "m.d"}}}, {Name: "slaves", HostCount: 1}}}
	_, err = f.cl.CreateCluster(ctx, "c1", tmpl)
	want := "Topology validation failed: org.apache.ambari.server.topology.InvalidTopologyException: Missing required password properties.  " +
		"Specify a value for these properties in the cluster or host group configurations or include 'default_password' field in request. " +
		"{master={hive-site=[javax.jdo.option.ConnectionPassword]}, slaves={hive-site=[javax.jdo.option.ConnectionPassword]}}"
	if !ambari.HasStatus(err, 400) || !strings.Contains(err.Error(), want) {
		t.Fatalf("no password:\n got %v\nwant %s", err, want)
	}
	given := tmpl
	given.Configurations = []map[string]any{{"hive-site": map[string]any{"properties": map[string]any{"javax.jdo.option.ConnectionPassword": "pw"}}}}
	if _, err := f.cl.CreateCluster(ctx, "c1", given); err != nil {
		t.Fatalf("password in the template's configuration: %v", err)
	}
	tmpl.DefaultPassword = "pw"
	tmpl.HostGroups[0].Hosts[0].FQDN = "n.d"
	if _, err := f.cl.CreateCluster(ctx, "c2", tmpl); err != nil {
		t.Fatalf("default_password: %v", err)
	}
}
