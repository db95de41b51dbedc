package ambariemu

import (
	"sort"

	"github.com/herdhq/herd/ambari"
)

// hostComponent is one component placed on one host of a cluster.
type hostComponent struct {
	host, component, service string
	client                   bool
}

// hostComponents lists a cluster's host components from its hosts' host
// groups in the stored blueprint (with what Ambari deployed itself),
// sorted by host then component.
func (e *Emulator) hostComponents(c *cluster) []hostComponent {
	bp := e.blueprints[c.blueprint]
	st, _ := bp.Stack()
	var out []hostComponent
	for _, name := range c.hosts {
		hg, _ := bp.Group(e.hosts[name].group)
		for _, comp := range hg.Components {
			sc := st.Components[comp.Name]
			out = append(out, hostComponent{host: name, component: comp.Name, service: sc.Service, client: sc.IsClient()})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].host != out[j].host {
			return out[i].host < out[j].host
		}
		return out[i].component < out[j].component
	})
	return out
}

// componentStates derives each host component's state from the last task
// that ran for it, as Ambari's state machine moves it: INIT before any,
// INSTALLING/STARTING/STOPPING while one runs, INSTALLED or STARTED after.
func (e *Emulator) componentStates(c *cluster) map[string]string {
	out := map[string]string{}
	for _, r := range e.requests {
		if r.cluster != c.name {
			continue
		}
		for _, t := range r.tasks {
			if s := taskState(t); s != "" {
				out[t.host+"/"+t.role] = s
			}
		}
	}
	return out
}

func taskState(t *task) string {
	running := map[string]string{"INSTALL": "INSTALLING", "START": "STARTING", "STOP": "STOPPING"}
	done := map[string]string{"INSTALL": "INSTALLED", "START": "STARTED", "STOP": "INSTALLED"}
	switch t.status {
	case ambari.StatusQueued, ambari.StatusInProgress:
		return running[t.command]
	case ambari.StatusCompleted:
		return done[t.command]
	case ambari.StatusFailed, ambari.StatusTimedOut:
		if t.command == "INSTALL" {
			return "INSTALL_FAILED"
		}
	}
	return ""
}

func stateOr(states map[string]string, key string) string {
	if s, ok := states[key]; ok {
		return s
	}
	return "INIT"
}
