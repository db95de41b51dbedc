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
	"unicode"
	"unicode/utf8"

	"github.com/herdhq/herd/contract"
)

//go:embed host.yaml.tmpl
var files embed.FS

var tmpl = template.Must(template.New("host.yaml.tmpl").
	Funcs(template.FuncMap{"q": strconv.Quote, "indent": indent, "shq": shellQuote}).
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

// shellQuote quotes s for sh: one word, whatever it holds.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// check refuses values that could change the document's shape: not
// UTF-8, or holding control characters (a newline would start a key).
func (p HostParams) check() error {
	values := append([]string{p.Node, p.FQDN, string(p.Role), p.HostGroup, p.Cluster, p.Image, p.ImageTarURL}, p.NodeEnv...)
	for _, v := range values {
		if !utf8.ValidString(v) || strings.IndexFunc(v, unicode.IsControl) >= 0 {
			return fmt.Errorf("render cloud-config for %s: %q holds a control character or is not UTF-8", p.FQDN, v)
		}
	}
	return nil
}

// RenderHost returns the cloud-config of a cloud instance: Docker installed
// and listening with TLS, the node image loaded.
func RenderHost(p HostParams) (string, error) {
	if err := p.check(); err != nil {
		return "", err
	}
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
