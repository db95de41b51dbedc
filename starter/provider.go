package starter

import (
	"fmt"
	"os"
	"strings"

	"github.com/herdhq/herd/providers/aws"
)

// providerOptions reads --provider-config, then --region/--ami/
// --instance-type, then --provider-opt (each overriding the one before),
// and checks them for the chosen provider before anything starts.
func (f CreateFlags) providerOptions() (map[string]string, error) {
	opts := map[string]string{}
	if f.ProviderConfig != "" {
		b, err := os.ReadFile(f.ProviderConfig)
		if err != nil {
			return nil, fmt.Errorf("--provider-config: %w", err)
		}
		for n, line := range strings.Split(string(b), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				return nil, fmt.Errorf("%s line %d: use KEY=VALUE", f.ProviderConfig, n+1)
			}
			opts[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	for k, v := range map[string]string{"region": f.Region, "ami": f.AMI, "instance-type": f.InstanceType} {
		if v != "" {
			opts[k] = v
		}
	}
	for _, kv := range f.ProviderOpts {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--provider-opt %q: use KEY=VALUE", kv)
		}
		opts[k] = v
	}
	switch f.Provider {
	case "aws":
		if _, err := aws.ParseOptions(opts); err != nil {
			return nil, err
		}
	case "docker":
	default:
		return nil, fmt.Errorf("--provider %q: use docker or aws", f.Provider)
	}
	return opts, nil
}
