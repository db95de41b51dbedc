package ambariemu

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/herdhq/herd/ambari"
)

const corpus = "../blueprints/testdata/corpus"

// corpusRefusals are the corpus blueprints Ambari refuses, with the
// message it gives; every other one it accepts. The reasons, from Ambari's
// own stack definitions at the release each stack follows:
//   - Ambari's BIGTOP 3.2/3.3 sample blueprints name components those
//     stacks do not define (POSTGRESQL_SERVER, SUPERVISOR);
//   - HDP 2.2 blueprints written for Ambari 1.7 carry NAGIOS_SERVER, which
//     Ambari 2.x's stacks no longer have;
//   - BGTP is a stack from Bigtop's own management pack, and BEACON_SERVER
//     comes from the DLM pack: an Ambari without them knows neither;
//   - Cloudbreak's shared-services data lake holds a Hive metastore without
//     Hive's servers and YARN without node managers: Cloudbreak posted it
//     with validate_topology=false, which the emulator honours too.
var corpusRefusals = map[string]string{
	"ambari--bigtop-3.2.0-multinode-default.json":                     "The component 'POSTGRESQL_SERVER' in host group 'master_2' is not valid for the specified stack",
	"ambari--bigtop-3.3.0-multinode-default.json":                     "The component 'POSTGRESQL_SERVER' in host group 'master_2' is not valid for the specified stack",
	"ambari--bigtop-3.2.0-singlenode-default.json":                    "The component 'SUPERVISOR' in host group 'host_group_1' is not valid for the specified stack",
	"ambari--bigtop-3.3.0-singlenode-default.json":                    "The component 'SUPERVISOR' in host group 'host_group_1' is not valid for the specified stack",
	"ambari-bootstrap--blueprint_hdp22-single-node-all-services.json": "The component 'NAGIOS_SERVER' in host group 'host-group-1' is not valid for the specified stack",
	"ambari-bootstrap--blueprint_hdp22-single-node-simple.json":       "The component 'NAGIOS_SERVER' in host group 'host-group-1' is not valid for the specified stack",
	"ambari-bootstrap--blueprint_hdp22_multinode-simple.json":         "The component 'NAGIOS_SERVER' in host group 'master' is not valid for the specified stack",
	"ambari-bootstrap--hdp-201503_blueprint.json":                     "The component 'NAGIOS_SERVER' in host group 'utility' is not valid for the specified stack",
	"bigtop--bgtp-1.0-multinode-default.json":                         "Specified stack doesn't exist: org.apache.ambari.server.stack.NoSuchStackException: The requested stack doesn't exist. Name='BGTP' Version='1.0'",
	"bigtop--bgtp-1.0-singlenode-default.json":                        "Specified stack doesn't exist: org.apache.ambari.server.stack.NoSuchStackException: The requested stack doesn't exist. Name='BGTP' Version='1.0'",
	"cloudbreak--hdp26-dlm.json":                                      "The component 'BEACON_SERVER' in host group 'master' is not valid for the specified stack",
	"cloudbreak--hdp26-shared-services.json":                          "Cluster Topology validation failed.  Invalid service component count: [HIVE_SERVER(actual=0, required=1+), NODEMANAGER(actual=0, required=1+), WEBHCAT_SERVER(actual=0, required=1+)]",
}

// TestCorpusOfRealBlueprints posts every blueprint of the corpus (real
// blueprints from public repositories, sources in SOURCES.tsv) to the
// emulator: Ambari's refusals are refused in Ambari's words, the others
// are stored with what Ambari deploys itself.
func TestCorpusOfRealBlueprints(t *testing.T) {
	f := newFixture(t, Config{})
	sources := corpusSources(t)
	files, _ := filepath.Glob(filepath.Join(corpus, "*.json"))
	projects, accepted, added := map[string]bool{}, 0, 0
	for _, file := range files {
		name := filepath.Base(file)
		if sources[name] == "" {
			t.Errorf("%s: not in SOURCES.tsv", name)
		}
		projects[sources[name]] = true
		body, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		bpName := strings.TrimSuffix(name, ".json")
		status, m := f.raw("POST", "/api/v1/blueprints/"+bpName, string(body), map[string]string{"X-Requested-By": "t"})
		want, refused := corpusRefusals[name]
		switch {
		case refused && (status != 400 || !strings.HasPrefix(m["message"].(string), want)):
			t.Errorf("%s: want 400 %q, got %d %v", name, want, status, m["message"])
		case !refused && status != 201:
			t.Errorf("%s: want 201, got %d %v", name, status, m["message"])
		case !refused:
			accepted++
			var posted ambari.Blueprint
			_ = json.Unmarshal(body, &posted)
			added += checkStored(t, f, bpName, posted)
		}
	}
	if len(files) < 25 || len(projects) < 5 || accepted < 20 || added == 0 {
		t.Fatalf("the corpus needs 25 blueprints from 5 projects: %d from %d, %d accepted, %d components added", len(files), len(projects), accepted, added)
	}
	status, _ := f.raw("POST", "/api/v1/blueprints/datalake?validate_topology=false", mustRead(t, "cloudbreak--hdp26-shared-services.json"), map[string]string{"X-Requested-By": "t"})
	if status != 201 {
		t.Errorf("validate_topology=false must accept the data lake: %d", status)
	}
}

// checkStored: the stored blueprint is the posted one with what Ambari
// deploys itself: each posted component's host-scoped dependencies (of
// services the blueprint has) beside it — Ambari goes over the components
// a group had, not those it adds. It returns how many components were
// added.
func checkStored(t *testing.T, f *fixture, name string, posted ambari.Blueprint) int {
	bp, err := f.cl.GetBlueprint(ctx, name)
	if err != nil {
		t.Fatalf("GET %s: %v", name, err)
	}
	st, _ := bp.Stack()
	services := map[string]bool{}
	for _, s := range bp.Services() {
		services[s] = true
	}
	added := 0
	for i, g := range bp.HostGroups {
		in := ambari.Blueprint{HostGroups: []ambari.HostGroup{g}}
		added += len(g.Components) - len(posted.HostGroups[i].Components)
		for _, c := range posted.HostGroups[i].Components {
			for _, d := range st.Components[c.Name].Dependencies {
				svc, comp, _ := strings.Cut(d.Name, "/")
				if d.Scope == "host" && services[svc] && !has(in, comp) {
					t.Errorf("%s: group %s has %s without its dependency %s", name, g.Name, c.Name, comp)
				}
			}
		}
	}
	return added
}

func has(bp ambari.Blueprint, component string) bool {
	for _, g := range bp.HostGroups {
		for _, c := range g.Components {
			if c.Name == component {
				return true
			}
		}
	}
	return false
}

func mustRead(t *testing.T, name string) string {
	b, err := os.ReadFile(filepath.Join(corpus, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// corpusSources maps each corpus file to its project.
func corpusSources(t *testing.T) map[string]string {
	fh, err := os.Open(filepath.Join(corpus, "SOURCES.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	r := csv.NewReader(fh)
	r.Comma = '\t'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, row := range rows[1:] {
		out[row[0]] = row[1]
	}
	return out
}
