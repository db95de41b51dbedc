package blueprints

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/herdhq/herd/cluster"
)

func TestBuiltinsAreValid(t *testing.T) {
	names := Names()
	if len(names) < 2 {
		t.Fatalf("want a single-node and a multi-node blueprint, got %v", names)
	}
	for _, n := range names {
		if _, _, err := Load(n); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
}

func TestSpread(t *testing.T) {
	_, multi, _ := Load("multi-node-hdfs-yarn")
	got, err := Spread(multi, 5)
	if err != nil || len(got) != 2 || got[0] != (cluster.HostGroup{Name: "master", Count: 1}) || got[1] != (cluster.HostGroup{Name: "slaves", Count: 4}) {
		t.Fatalf("spread 5: %v %v", got, err)
	}
	if _, err := Spread(multi, 1); err == nil || !strings.Contains(err.Error(), "too few") {
		t.Fatalf("1 node for 2 groups: %v", err)
	}
	_, single, _ := Load("single-node-hdfs-yarn")
	if _, err := Spread(single, 3); err == nil || !strings.Contains(err.Error(), "--nodes 1") {
		t.Fatalf("3 nodes on single-node: %v", err)
	}
}

func TestLoadFileErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"host_groups":[{"name":"g","components":[{"name":"NAMENODE"}]}],"Blueprints":{"stack_name":"HDP","stack_version":"2.1"}}`), 0o644)
	if _, _, err := Load(bad); err == nil || !strings.Contains(err.Error(), "SECONDARY_NAMENODE(actual=0, required=1)") {
		t.Fatalf("topology: %v", err)
	}
	if _, _, err := Load(filepath.Join(dir, "missing.json")); err == nil || !strings.Contains(err.Error(), "neither built in") {
		t.Fatalf("missing: %v", err)
	}
	good := filepath.Join(dir, "mine.json")
	os.WriteFile(good, []byte(`{"host_groups":[{"name":"g","components":[{"name":"ZOOKEEPER_SERVER"},{"name":"ZOOKEEPER_CLIENT"}]}],"Blueprints":{"stack_name":"HDP","stack_version":"2.1"}}`), 0o644)
	if name, _, err := Load(good); err != nil || name != "mine" {
		t.Fatalf("file: %s %v", name, err)
	}
}
