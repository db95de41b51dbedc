package starter

import (
	"fmt"
	"os"
	"strings"

	"github.com/herdhq/herd/providers/builtin"
)

// providerOptions reads --provider-config, then --region/--ami/
// --instance-type, then --provider-opt (each overriding the one before),
// and has the chosen provider check them before anything starts.
func (f CreateFlags) providerOptions() (map[string]string, error) {
	opts := map[string]string{}
	if f.ProviderConfig != "" {
		if err := readOptions(f.ProviderConfig, opts); err != nil {
			return nil, err
		}
	}
	for k, v := range map[string]string{"region": f.Region, "ami": f.AMI, "instance-type": f.InstanceType} {
		if v != "" {
			opts[k] = v
		}
	}
	given, err := keyValues("--provider-opt", f.ProviderOpts)
	if err != nil {
		return nil, err
	}
	for k, v := range given {
		opts[k] = v
	}
	if err := builtin.Schemas().Validate(f.Provider, opts); err != nil {
		return nil, err
	}
	return opts, nil
}

// readOptions reads a file of KEY = VALUE lines (# starts a comment line).
func readOptions(path string, opts map[string]string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("--provider-config: %w", err)
	}
	for n, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return fmt.Errorf("%s line %d: use KEY=VALUE", path, n+1)
		}
		v, _, _ = strings.Cut(v, " #") // a trailing comment
		opts[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return nil
}
