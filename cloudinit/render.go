// Package cloudinit renders the cloud-config that sets a cloud host up for
// one herd node: the early initialisation the 2014 design did with
// CloudInit (Docker listening with TLS, the node image in place).
package cloudinit

import (
	"bytes"
	"embed"
	"fmt"
	"strconv"
	"strings"
	"text/template"

	"github.com/herdhq/herd/contract"
)

//go:embed host.yaml.tmpl
var files embed.FS

var tmpl = template.Must(template.New("host.yaml.tmpl").
	Funcs(template.FuncMap{"q": strconv.Quote, "indent": indent}).
	ParseFS(files, "host.yaml.tmpl"))

func indent(n int, s string) string {
	pad := strings.Repeat(" ", n)
	return pad + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+pad)
}

// HostParams are the facts one cloud host's cloud-config is rendered from.
// The engine's key is a secret: the document goes to the cloud as user
// data, never into workflow history.
type HostParams struct {
	Node      string // short host name
	FQDN      string
	Role      contract.Role
	HostGroup string
	Cluster   string
	Image     string
	// NodeEnv is the node's non-secret environment, written to
	// /etc/herd/node.env for people logged in to the host.
	NodeEnv                       []string
	CACert, ServerCert, ServerKey string
	ImageTarURL                   string // empty: docker pull Image
}

// NodeEnv is the environment a host's node.env file shows: who the node is.
func NodeEnv(cfg contract.Config) []string {
	return contract.Config{Role: cfg.Role, NodeName: cfg.NodeName, Cluster: cfg.Cluster, HostGroup: cfg.HostGroup}.EnvList()
}

// RenderHost returns the cloud-config of a cloud instance: Docker installed
// and listening with TLS, the node image loaded.
func RenderHost(p HostParams) (string, error) {
	var b bytes.Buffer
	data := struct {
		HostParams
		DockerPort int
	}{p, contract.PortDockerTLS}
	if err := tmpl.ExecuteTemplate(&b, "host.yaml.tmpl", data); err != nil {
		return "", fmt.Errorf("render cloud-config for %s: %w", p.FQDN, err)
	}
	return b.String(), nil
}
