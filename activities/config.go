package activities

import (
	"context"
	"errors"
	"maps"
	"slices"

	"github.com/herdhq/herd/ambari"
)

// ConfigInput changes one configuration type of a cluster: keys set and
// keys removed, as a new version under Tag (unique to the operation, so a
// retry finds the version its first try made).
type ConfigInput struct {
	Cluster   string            `json:"cluster"`
	AmbariURL string            `json:"ambari_url"`
	Type      string            `json:"type"`
	Tag       string            `json:"tag"`
	Set       map[string]string `json:"set,omitempty"`
	Unset     []string          `json:"unset,omitempty"`
	Note      string            `json:"note,omitempty"`
}

// ConfigResult is the type's version after the change; Changed is false
// when the properties already were so (no version made).
type ConfigResult struct {
	Version int64 `json:"version"`
	Changed bool  `json:"changed"`
}

// ChangeConfig makes a new desired version of a configuration type in
// Ambari: the current properties with the keys set and removed.
func (a *Activities) ChangeConfig(ctx context.Context, in ConfigInput) (ConfigResult, error) {
	cl := a.ambariClient(in.Cluster, in.AmbariURL)
	cur, err := cl.DesiredConfig(ctx, in.Cluster, in.Type)
	if errors.Is(err, ambari.ErrNoSuchConfig) {
		cur, err = ambari.Config{Type: in.Type, Properties: map[string]string{}}, nil
	}
	if err != nil {
		return ConfigResult{}, ambariErr(err, "read configuration %s of %s", in.Type, in.Cluster)
	}
	if cur.Tag == in.Tag { // a retry: the first try made it
		return ConfigResult{Version: cur.Version, Changed: true}, nil
	}
	next := maps.Clone(cur.Properties)
	if next == nil {
		next = map[string]string{}
	}
	maps.Copy(next, in.Set)
	for _, k := range in.Unset {
		delete(next, k)
	}
	if maps.Equal(next, cur.Properties) {
		return ConfigResult{Version: cur.Version}, nil
	}
	if err := cl.PutDesiredConfig(ctx, in.Cluster, ambari.Config{Type: in.Type, Tag: in.Tag, Properties: next}, in.Note); err != nil {
		return ConfigResult{}, ambariErr(err, "write configuration %s of %s", in.Type, in.Cluster)
	}
	return ConfigResult{Version: cur.Version + 1, Changed: true}, nil
}

// CommandInput asks for an Ambari request on a cluster's service (empty:
// every component whose configuration is stale), under Context, unique to
// the operation so that a retry finds the request its first try made.
type CommandInput struct {
	Cluster   string `json:"cluster"`
	AmbariURL string `json:"ambari_url"`
	Service   string `json:"service,omitempty"`
	// Action is restart-stale, restart, start or stop.
	Action  string `json:"action"`
	Context string `json:"context"`
	// Stack is the cluster's stack ("HDP-2.6"): restarts leave its clients
	// out (they are installed, never started).
	Stack string `json:"stack"`
}

// Actions of CommandInput.
const (
	ActionRestartStale = "restart-stale"
	ActionRestart      = "restart"
	ActionStart        = "start"
	ActionStop         = "stop"
)

// ServiceCommand makes the Ambari request the input asks for and returns
// its id, 0 when there was nothing to do.
func (a *Activities) ServiceCommand(ctx context.Context, in CommandInput) (int64, error) {
	cl := a.ambariClient(in.Cluster, in.AmbariURL)
	if id, err := cl.RequestWithContext(ctx, in.Cluster, in.Context); err != nil || id != 0 {
		return id, ambariErr(err, "find request %q of %s", in.Context, in.Cluster)
	}
	var id int64
	var err error
	switch in.Action {
	case ActionStart, ActionStop:
		state := map[string]string{ActionStart: "STARTED", ActionStop: "INSTALLED"}[in.Action]
		id, err = cl.SetServiceState(ctx, in.Cluster, in.Service, state, in.Context)
	case ActionRestart, ActionRestartStale:
		id, err = a.restart(ctx, cl, in)
	default:
		return 0, permanent("BadAction", "unknown service action %q: use start, stop, restart or restart-stale", in.Action)
	}
	return id, ambariErr(err, "%s %s of %s", in.Action, in.Service, in.Cluster)
}

// restart restarts a service's components (not its clients), or every
// stale component.
func (a *Activities) restart(ctx context.Context, cl *ambari.Client, in CommandInput) (int64, error) {
	var comps []ambari.HostRoles
	var err error
	if in.Action == ActionRestartStale {
		comps, err = cl.StaleComponents(ctx, in.Cluster, in.Service)
	} else {
		comps, err = cl.ServiceComponents(ctx, in.Cluster, in.Service)
	}
	if err != nil {
		return 0, err
	}
	st := ambari.Stacks()[in.Stack]
	comps = slices.DeleteFunc(comps, func(hc ambari.HostRoles) bool { return st.Components[hc.ComponentName].IsClient() })
	return cl.Restart(ctx, in.Cluster, in.Context, comps)
}
