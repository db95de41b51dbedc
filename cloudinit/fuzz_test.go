package cloudinit

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/herdhq/herd/contract"
)

// FuzzRenderHost renders host cloud-configs from arbitrary names, image
// and tarball URL: either a refusal, or a YAML document in which every
// value is exactly what was given — nothing injected into the document or
// into the shell commands it runs.
func FuzzRenderHost(f *testing.F) {
	f.Add("c1-2", "c1", "slaves", "herd-node:dev", "")
	f.Add("c1-2", "c1", "slaves", "registry.example/herd-node:1", "https://example.org/herd-node.tar")
	f.Add("c1-2\nruncmd: [reboot]", "c1", "slaves", "img", "https://x/a.tar; rm -rf /")
	f.Fuzz(func(t *testing.T, node, clusterName, group, image, tarURL string) {
		p := sample()
		p.Node, p.FQDN, p.Cluster, p.HostGroup, p.Image, p.ImageTarURL = node, node+".herd.local", clusterName, group, image, tarURL
		p.NodeEnv = NodeEnv(contract.Config{Role: contract.RoleAgent, NodeName: p.FQDN, Cluster: clusterName, HostGroup: group})
		out, err := RenderHost(p)
		if err != nil {
			return
		}
		var doc struct {
			Final      string `yaml:"final_message"`
			Hostname   string `yaml:"hostname"`
			FQDN       string `yaml:"fqdn"`
			WriteFiles []struct {
				Path, Content string
			} `yaml:"write_files"`
			Runcmd [][]string `yaml:"runcmd"`
		}
		if err := yaml.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("not YAML: %v\n%s", err, out)
		}
		if doc.Hostname != p.Node || doc.FQDN != p.FQDN || len(doc.Runcmd) != 6 || len(doc.WriteFiles) != 4 ||
			!strings.HasPrefix(doc.Final, "herd host for "+p.FQDN+" is ready") {
			t.Fatalf("the document is not what was given:\n%s", out)
		}
		if env := doc.WriteFiles[0].Content; env != strings.Join(p.NodeEnv, "\n")+"\n" {
			t.Fatalf("node.env is not the node's environment: %q", env)
		}
		last := doc.Runcmd[5]
		want := []string{"docker", "pull", image}
		if tarURL != "" {
			want = []string{"sh", "-c", "curl -fsSL " + shellQuote(tarURL) + " | docker load"}
		}
		if strings.Join(last, "\x00") != strings.Join(want, "\x00") {
			t.Fatalf("the image step is not what was given: %q, want %q", last, want)
		}
	})
}
