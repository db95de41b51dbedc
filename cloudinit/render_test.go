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
	out, _ := Render(sample())
	schema(t, out)
}

// schema runs `cloud-init schema` on a document (skipped without cloud-init
// unless CI=true).
func schema(t *testing.T, doc string) {
	t.Helper()
	bin, err := exec.LookPath("cloud-init")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("cloud-init is not installed; .ci/run installs it with apt-get")
		}
		t.Skip("cloud-init not installed (apt-get install cloud-init)")
	}
	path := filepath.Join(t.TempDir(), "user-data")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := exec.Command(bin, "schema", "--config-file", path).CombinedOutput()
	if err != nil || !strings.Contains(string(res), "Valid cloud-config") {
		t.Fatalf("cloud-init schema: %v\n%s\n%s", err, res, doc)
	}
}

func TestRenderHostPassesCloudInitSchema(t *testing.T) {
	p := HostParams{Params: sample(), CACert: "-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n",
		ServerCert: "-----BEGIN CERTIFICATE-----\nBBB\n-----END CERTIFICATE-----\n", ServerKey: "-----BEGIN PRIVATE KEY-----\nCCC\n-----END PRIVATE KEY-----\n"}
	out, err := RenderHost(p)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		WriteFiles []struct{ Path, Content, Permissions string } `yaml:"write_files"`
		Runcmd     [][]string                                    `yaml:"runcmd"`
	}
	if err := yaml.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not YAML: %v\n%s", err, out)
	}
	files := map[string]string{}
	for _, f := range doc.WriteFiles {
		files[f.Path] = f.Content
		if f.Path == "/etc/docker/herd/key.pem" && f.Permissions != "0600" {
			t.Errorf("the engine's key must be 0600, is %s", f.Permissions)
		}
	}
	if files["/etc/docker/herd/key.pem"] != p.ServerKey || !strings.Contains(files["/etc/docker/daemon.json"], `"tlsverify": true`) {
		t.Fatalf("files: %v", files)
	}
	if last := doc.Runcmd[len(doc.Runcmd)-1]; strings.Join(last, " ") != "docker pull herd-node:dev" {
		t.Fatalf("image step: %v", last)
	}
	p.ImageTarURL = "https://example.org/herd-node.tar"
	out, _ = RenderHost(p)
	if !strings.Contains(out, `curl -fsSL https://example.org/herd-node.tar | docker load`) {
		t.Fatalf("tarball step missing:\n%s", out)
	}
	schema(t, out)
}
