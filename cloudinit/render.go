// Package cloudinit renders the cloud-config that sets a host up for one
// herd node: the early initialisation the 2014 design did with CloudInit.
// It carries no secrets; credentials reach nodes as container environment.
package cloudinit

import (
	"bytes"
	"embed"
	"fmt"
	"strconv"
	"text/template"
)

//go:embed node.yaml.tmpl
var files embed.FS

var tmpl = template.Must(template.New("node.yaml.tmpl").
	Funcs(template.FuncMap{"q": strconv.Quote}).
	ParseFS(files, "node.yaml.tmpl"))

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

// Render returns the cloud-config document for one node's host.
func Render(p Params) (string, error) {
	var b bytes.Buffer
	if err := tmpl.Execute(&b, p); err != nil {
		return "", fmt.Errorf("render cloud-config for %s: %w", p.FQDN, err)
	}
	return b.String(), nil
}
