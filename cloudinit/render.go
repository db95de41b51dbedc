// Package cloudinit renders the cloud-config that sets a host up for one
// herd node: the early initialisation the 2014 design did with CloudInit.
package cloudinit

import (
	"bytes"
	"embed"
	"fmt"
	"strconv"
	"strings"
	"text/template"
)

//go:embed node.yaml.tmpl host.yaml.tmpl
var files embed.FS

var tmpl = template.Must(template.New("node.yaml.tmpl").
	Funcs(template.FuncMap{"q": strconv.Quote, "indent": indent}).
	ParseFS(files, "node.yaml.tmpl", "host.yaml.tmpl"))

func indent(n int, s string) string {
	pad := strings.Repeat(" ", n)
	return pad + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+pad)
}

// Params are the facts one node's cloud-config is rendered from.
type Params struct {
	Cluster   string
	Node      string // short host name
	FQDN      string
	Role      string
	HostGroup string
	Domain    string
	Image     string
	Network   string
}

// Render returns the cloud-config document for one node's host on the
// local engine (it carries no secrets).
func Render(p Params) (string, error) {
	return render("node.yaml.tmpl", p.FQDN, p)
}

// HostParams are what a cloud instance needs on top of Params: its Docker
// engine's TLS material (the key is a secret: the document goes to the
// cloud as user data, never into workflow history) and where the node
// image comes from.
type HostParams struct {
	Params
	CACert, ServerCert, ServerKey string
	ImageTarURL                   string // empty: docker pull Image
}

// RenderHost returns the cloud-config of a cloud instance: Docker installed
// and listening on 2376 with TLS, the node image loaded.
func RenderHost(p HostParams) (string, error) {
	return render("host.yaml.tmpl", p.FQDN, p)
}

func render(name, fqdn string, data any) (string, error) {
	var b bytes.Buffer
	if err := tmpl.ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("render cloud-config for %s: %w", fqdn, err)
	}
	return b.String(), nil
}
