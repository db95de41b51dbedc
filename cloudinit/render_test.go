package cloudinit

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func sample() Params {
	return Params{Cluster: "c1", Node: "c1-2", FQDN: "c1-2.herd.local", Role: "agent",
		HostGroup: "slaves", Domain: "herd.local", Image: "herd-node:dev", Network: "herd-c1"}
}

func TestRenderIsCloudConfigYAML(t *testing.T) {
	out, err := Render(sample())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "#cloud-config\n") {
		t.Fatalf("must start with #cloud-config:\n%s", out)
	}
	var doc struct {
		FQDN       string `yaml:"fqdn"`
		WriteFiles []struct {
			Path, Content string
		} `yaml:"write_files"`
		Runcmd [][]string `yaml:"runcmd"`
	}
	if err := yaml.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not YAML: %v\n%s", err, out)
	}
	if doc.FQDN != "c1-2.herd.local" || len(doc.WriteFiles) != 1 || !strings.Contains(doc.WriteFiles[0].Content, "AMBARI_ROLE=agent\n") {
		t.Fatalf("content: %+v", doc)
	}
	if last := doc.Runcmd[len(doc.Runcmd)-1]; !strings.Contains(last[2], "docker network create --label io.herd.cluster=c1 herd-c1") {
		t.Fatalf("network step: %v", last)
	}
}

// TestRenderPassesCloudInitSchema runs Debian's `cloud-init schema` on the
// rendered document (required in CI, where .ci/run installs cloud-init).
func TestRenderPassesCloudInitSchema(t *testing.T) {
	bin, err := exec.LookPath("cloud-init")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("cloud-init is not installed; .ci/run installs it with apt-get")
		}
		t.Skip("cloud-init not installed (apt-get install cloud-init)")
	}
	out, _ := Render(sample())
	path := filepath.Join(t.TempDir(), "user-data")
	if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := exec.Command(bin, "schema", "--config-file", path).CombinedOutput()
	if err != nil || !strings.Contains(string(res), "Valid cloud-config") {
		t.Fatalf("cloud-init schema: %v\n%s\n%s", err, res, out)
	}
}
