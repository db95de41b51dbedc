// Package aws is the EC2 provider: one instance per node, launched with the
// node's cloud-config as user data, found again by tags, terminated on
// release. Credentials come from the SDK's default chain.
package aws

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/herdhq/herd/providers"
)

// Schema describes the aws provider, for checks where no worker runs.
var Schema = providers.Schema{
	Name:    "aws",
	Summary: "one EC2 instance per node, Docker on it with TLS, the node in the host's network",
	Options: []providers.Option{
		{Name: "region", Usage: "AWS region, e.g. eu-central-1 (required)"},
		{Name: "ami", Usage: "an image with cloud-init, e.g. Debian or Ubuntu (required)"},
		{Name: "instance-type", Usage: "EC2 instance type (m5.xlarge)"},
		{Name: "subnet", Usage: "subnet id"},
		{Name: "security-groups", Usage: "comma-separated security group ids"},
		{Name: "key-name", Usage: "EC2 key pair for ssh"},
		{Name: "root-volume-gib", Usage: "root volume size, 8 to 16384"},
		{Name: "spot", Usage: "true: spot instances"},
		{Name: "image-tar-url", Usage: "a `docker save` tarball to load instead of pulling the image"},
		{Name: "endpoint", Usage: "EC2 endpoint URL (EC2-compatible clouds, tests)"},
	},
	Check: func(opts map[string]string) error { _, err := ParseOptions(opts); return err },
}

// Options are the provider options of a cluster spec (--provider-opt k=v).
type Options struct {
	Region         string
	Endpoint       string // override, for tests and EC2-compatible clouds
	AMI            string
	InstanceType   string
	SubnetID       string
	SecurityGroups []string
	KeyName        string
	RootVolumeGiB  int32
	Spot           bool
}

// ParseOptions reads and checks the options; errors say what to fix.
func ParseOptions(m map[string]string) (Options, error) {
	o := Options{
		Region: m["region"], Endpoint: m["endpoint"], AMI: m["ami"], InstanceType: m["instance-type"],
		SubnetID: m["subnet"], KeyName: m["key-name"], Spot: m["spot"] == "true",
	}
	if o.InstanceType == "" {
		o.InstanceType = "m5.xlarge"
	}
	if v := m["security-groups"]; v != "" {
		o.SecurityGroups = strings.Split(v, ",")
	}
	if v := m["root-volume-gib"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 8 || n > 16384 {
			return o, fmt.Errorf("provider option root-volume-gib=%q: give a size from 8 to 16384", v)
		}
		o.RootVolumeGiB = int32(n)
	}
	if v := m["image-tar-url"]; v != "" {
		if u, err := url.Parse(v); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.ContainsAny(v, " \t\n'\"") {
			return o, fmt.Errorf("provider option image-tar-url=%q: give an http(s) URL of a `docker save` tarball", v)
		}
	}
	switch {
	case o.Region == "":
		return o, fmt.Errorf("provider option region is missing: e.g. --provider-opt region=eu-central-1")
	case !strings.HasPrefix(o.AMI, "ami-"):
		return o, fmt.Errorf("provider option ami=%q is not an AMI id (ami-...): give an image with Docker, e.g. --provider-opt ami=ami-0123456789abcdef0", o.AMI)
	}
	return o, nil
}
