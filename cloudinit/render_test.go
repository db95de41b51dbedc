package cloudinit

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/herdhq/herd/contract"
)

func sample() HostParams {
	cfg := contract.Config{Role: contract.RoleAgent, NodeName: "c1-2.herd.local", Cluster: "c1", HostGroup: "slaves"}
	return HostParams{Cluster: "c1", Node: "c1-2", FQDN: "c1-2.herd.local", Role: contract.RoleAgent,
		HostGroup: "slaves", Image: "herd-node:dev", NodeEnv: NodeEnv(cfg),
		CACert: "-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n"}
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
	p := sample()
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
	if !strings.HasPrefix(out, "#cloud-config\n") {
		t.Fatalf("must start with #cloud-config:\n%s", out)
	}
	files := map[string]string{}
	for _, f := range doc.WriteFiles {
		files[f.Path] = f.Content
	}
	if strings.Contains(out, "PRIVATE KEY") || files[engineKey] != "" {
		t.Fatalf("no key may travel in user data:\n%s", out)
	}
	if !strings.Contains(files["/etc/docker/daemon.json"], `"tlsverify": true`) || !strings.Contains(files["/etc/docker/daemon.json"], engineKey) ||
		!strings.Contains(files["/etc/herd/node.env"], contract.EnvRole+"=agent\n") {
		t.Fatalf("files: %v", files)
	}
	if gen, tell := strings.Join(doc.Runcmd[0], " "), strings.Join(doc.Runcmd[1], " "); !strings.Contains(gen, "openssl req -x509 -newkey ec") ||
		!strings.Contains(tell, "echo "+PinPrefix+"$(openssl x509 -in "+engineCert+" -outform DER | sha256sum") {
		t.Fatalf("the host must make its engine's key and tell the certificate's fingerprint: %v", doc.Runcmd[:2])
	}
	if last := doc.Runcmd[len(doc.Runcmd)-1]; strings.Join(last, " ") != "docker pull herd-node:dev" {
		t.Fatalf("image step: %v", last)
	}
	p.ImageTarURL = "https://example.org/herd-node.tar"
	out, _ = RenderHost(p)
	if !strings.Contains(out, `curl -fsSL 'https://example.org/herd-node.tar' | docker load`) {
		t.Fatalf("tarball step missing:\n%s", out)
	}
	schema(t, out)
}

// node.env shows who the node is and only what differs from the defaults:
// every line is a value herd-node would read as given.
func TestNodeEnvIsWhatDiffersFromTheDefaults(t *testing.T) {
	env := NodeEnv(contract.Config{Role: contract.RoleAgent, NodeName: "c1-2.herd.local", Cluster: "c1", HostGroup: "slaves",
		SpotNotice: "http://169.254.169.254", Ambari: contract.AmbariConfig{Password: "secret"}})
	want := []string{"AMBARI_ROLE=agent", "HERD_CLUSTER=c1", "HERD_HOST_GROUP=slaves", "HERD_NODE_NAME=c1-2.herd.local",
		"HERD_SPOT_NOTICE_URL=http://169.254.169.254"}
	if strings.Join(env, "\n") != strings.Join(want, "\n") {
		t.Fatalf("node.env:\n%s\nwant:\n%s", strings.Join(env, "\n"), strings.Join(want, "\n"))
	}
}
