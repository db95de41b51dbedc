// Package aws is the EC2 provider: one instance per node, launched with the
// node's cloud-config as user data, found again by tags, terminated on
// release. Credentials come from the SDK's default chain.
package aws

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/providers"
)

// Schema describes the aws provider, for checks where no worker runs.
var Schema = providers.Schema{
	Name:    "aws",
	Summary: "one EC2 instance per node, Docker on it with TLS, the node in the host's network",
	Options: []providers.Option{
		{Name: "region", Usage: "AWS region, e.g. eu-central-1 (required)"},
		{Name: "ami", Usage: "an image with cloud-init: an AMI id, or resolve:ssm:PARAMETER (required)"},
		{Name: "instance-type", Usage: "EC2 instance type (m5.xlarge)"},
		{Name: "subnet", Usage: "subnet id"},
		{Name: "subnets", Usage: "comma-separated subnet ids, tried in turn when one has no capacity (several zones)"},
		{Name: "capacity-wait", Usage: "how long to go round the subnets for capacity (5m)"},
		{Name: "public-ip", Usage: "true: give instances a public address (default: none)"},
		{Name: "instance-profile", Usage: "IAM instance profile of the instances"},
		{Name: "spot-host-groups", Usage: "comma-separated host groups whose nodes run on spot"},
		{Name: "tags", Usage: "cost tags KEY=VALUE,... on instances, volumes and interfaces"},
		{Name: "security-groups", Usage: "comma-separated security group ids"},
		{Name: "key-name", Usage: "EC2 key pair for ssh"},
		{Name: "root-volume-gib", Usage: "root volume size, 8 to 16384"},
		{Name: "spot", Usage: "true: every node on spot"},
		{Name: "image-tar-url", Usage: "a `docker save` tarball to load instead of pulling the image"},
		{Name: "endpoint", Usage: "EC2 endpoint URL (EC2-compatible clouds, tests)"},
	},
	Check: func(opts map[string]string) error { _, err := ParseOptions(opts); return err },
}

// Options are the provider options of a cluster spec (--provider-opt k=v).
type Options struct {
	Region          string
	Endpoint        string // override, for tests and EC2-compatible clouds
	AMI             string
	InstanceType    string
	Subnets         []string // tried in turn when one has no capacity
	SecurityGroups  []string
	KeyName         string
	RootVolumeGiB   int32
	Spot            bool     // every node on spot
	SpotGroups      []string // or the nodes of these host groups
	PublicIP        bool
	InstanceProfile string
	Tags            map[string]string // cost tags on instances, volumes, interfaces
	CapacityWait    time.Duration     // how long to go round the subnets for capacity
}

// ParseOptions reads and checks the options; errors say what to fix.
func ParseOptions(m map[string]string) (Options, error) {
	o := Options{
		Region: m["region"], Endpoint: m["endpoint"], AMI: m["ami"], InstanceType: m["instance-type"],
		KeyName: m["key-name"], Spot: m["spot"] == "true", PublicIP: m["public-ip"] == "true",
		InstanceProfile: m["instance-profile"], Subnets: list(m["subnets"]), SecurityGroups: list(m["security-groups"]),
		SpotGroups: list(m["spot-host-groups"]), CapacityWait: 5 * time.Minute,
	}
	if o.InstanceType == "" {
		o.InstanceType = "m5.xlarge"
	}
	if v := m["subnet"]; v != "" {
		o.Subnets = append([]string{v}, o.Subnets...)
	}
	if err := o.parseRest(m); err != nil {
		return o, err
	}
	switch {
	case o.Region == "":
		return o, fmt.Errorf("provider option region is missing: e.g. --provider-opt region=eu-central-1")
	case !strings.HasPrefix(o.AMI, "ami-") && !strings.HasPrefix(o.AMI, ssmPrefix+"/"):
		return o, fmt.Errorf("provider option ami=%q is not an AMI id (ami-...) or an SSM parameter (%s/...): give an image with cloud-init, e.g. ami=ami-0123456789abcdef0 or ami=%s/aws/service/debian/release/12/latest/amd64", o.AMI, ssmPrefix, ssmPrefix)
	}
	return o, nil
}

func (o *Options) parseRest(m map[string]string) error {
	if v := m["root-volume-gib"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 8 || n > 16384 {
			return fmt.Errorf("provider option root-volume-gib=%q: give a size from 8 to 16384", v)
		}
		o.RootVolumeGiB = int32(n)
	}
	if v := m["image-tar-url"]; v != "" {
		if u, err := url.Parse(v); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.ContainsAny(v, " \t\n'\"") {
			return fmt.Errorf("provider option image-tar-url=%q: give an http(s) URL of a `docker save` tarball", v)
		}
	}
	if v := m["capacity-wait"]; v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return fmt.Errorf("provider option capacity-wait=%q: give a duration such as 5m", v)
		}
		o.CapacityWait = d
	}
	tags, err := tagList(m["tags"])
	o.Tags = tags
	return err
}

// tagList reads "k=v,k2=v2"; herd's own tags are not the user's to set.
func tagList(v string) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range list(v) {
		k, val, ok := strings.Cut(kv, "=")
		if !ok || k == "" || strings.HasPrefix(k, "io.herd.") || strings.HasPrefix(k, "aws:") || k == "Name" {
			return nil, fmt.Errorf("provider option tags=%q: give KEY=VALUE pairs separated by commas (not io.herd.*, aws:* or Name)", v)
		}
		out[k] = val
	}
	return out, nil
}

func list(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// spot reports whether a node runs on spot: every node, or its host
// group's, unless it was interrupted once and is on-demand since.
func (o Options) spot(n cluster.Node) bool {
	return (o.Spot || slices.Contains(o.SpotGroups, n.HostGroup)) && !n.OnDemand
}
