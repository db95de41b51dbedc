package cluster

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// ConfigRequest changes one configuration type of a cluster's Ambari: the
// keys of Set set, those of Unset removed; the components it makes stale
// are restarted.
type ConfigRequest struct {
	Type  string            `json:"type"`
	Set   map[string]string `json:"set,omitempty"`
	Unset []string          `json:"unset,omitempty"`
}

var configTypeRE = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,99}$`)

// Validate checks a configuration change; errors say how to fix it.
func (r ConfigRequest) Validate() error {
	if !configTypeRE.MatchString(r.Type) {
		return fmt.Errorf("configuration type %q is not valid: give one such as hdfs-site or core-site", r.Type)
	}
	if len(r.Set) == 0 && len(r.Unset) == 0 {
		return fmt.Errorf("nothing to change in %s: give key=value to set, or -key to remove", r.Type)
	}
	for k := range r.Set {
		if strings.TrimSpace(k) == "" || strings.ContainsAny(k, "= \t\n") {
			return fmt.Errorf("property name %q is not valid: give key=value", k)
		}
		if slices.Contains(r.Unset, k) {
			return fmt.Errorf("property %s is both set and removed: give it once", k)
		}
	}
	return nil
}

// Service actions of a ServiceRequest.
const (
	ServiceStart   = "start"
	ServiceStop    = "stop"
	ServiceRestart = "restart"
)

// ServiceRequest starts, stops or restarts one of a cluster's services
// through Ambari.
type ServiceRequest struct {
	Service string `json:"service"`
	Action  string `json:"action"`
}

// Validate checks a service request against the services the cluster has.
func (r ServiceRequest) Validate(services []string) error {
	if !slices.Contains([]string{ServiceStart, ServiceStop, ServiceRestart}, r.Action) {
		return fmt.Errorf("service action %q is not one of start, stop, restart", r.Action)
	}
	if !slices.Contains(services, r.Service) {
		return fmt.Errorf("the cluster has no service %q (it has: %s)", r.Service, strings.Join(services, ", "))
	}
	return nil
}
