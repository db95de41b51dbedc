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
// None is a secret: the host makes its engine's key at boot and tells the
// certificate's fingerprint on its console (PinPrefix), which herd pins.
type HostParams struct {
	Node      string // short host name
	FQDN      string
	Role      contract.Role
	HostGroup string
	Cluster   string
	Image     string
	// NodeEnv is the node's non-secret environment, written to
	// /etc/herd/node.env for people logged in to the host.
	NodeEnv     []string
	CACert      string // the cluster's CA: the engine trusts herd's client by it
	ImageTarURL string // empty: docker pull Image
}

// PinPrefix starts the console line in which a host tells the SHA-256 of
// its engine's certificate (in hex).
const PinPrefix = "herd-docker-tls sha256:"

// Where a host keeps its engine's key and certificate.
const (
	engineKey  = "/etc/docker/herd/key.pem"
	engineCert = "/etc/docker/herd/cert.pem"
)

// NodeEnv is the environment a host's node.env file shows: who the node is
// and what differs from the defaults, no secret.
func NodeEnv(cfg contract.Config) []string {
	c := contract.DefaultConfig()
	c.Role, c.NodeName, c.Cluster, c.HostGroup, c.SpotNotice = cfg.Role, cfg.NodeName, cfg.Cluster, cfg.HostGroup, cfg.SpotNotice
	return c.EnvList()
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
		DockerPort                       int
		PinPrefix, EngineKey, EngineCert string
	}{p, contract.PortDockerTLS, PinPrefix, engineKey, engineCert}
	if err := tmpl.ExecuteTemplate(&b, "host.yaml.tmpl", data); err != nil {
		return "", fmt.Errorf("render cloud-config for %s: %w", p.FQDN, err)
	}
	return b.String(), nil
}
