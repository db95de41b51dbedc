package ambari

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// StackComponent is what a stack says about one component, with the
// service it belongs to.
type StackComponent struct {
	ComponentDef
	Service string
}

// IsClient reports whether the component is a client (installed, never
// started).
func (c StackComponent) IsClient() bool { return c.Category == "CLIENT" }

// Stack is a stack definition with its components by name.
type Stack struct {
	StackDef
	Components map[string]StackComponent
}

// ServiceComponents lists the components of a service, sorted.
func (st Stack) ServiceComponents(service string) []string {
	var out []string
	for _, s := range st.Services {
		if s.Name == service {
			for _, c := range s.Components {
				out = append(out, c.Name)
			}
		}
	}
	return out
}

// since27 reports whether the stack follows Ambari 2.7 or later, whose
// validator changed its host-scope dependency rule.
func (st Stack) since27() bool { return st.Ambari != "2.6.2" }

// Key is the stack's "NAME-VERSION".
func (st Stack) Key() string { return st.Name + "-" + st.Version }

//go:embed stacks/*.json
var stackFiles embed.FS

// Stacks are the stack definitions herd knows, by "NAME-VERSION":
// generated from Ambari's own definitions by tools/stackgen, and parsed on
// first use (a node that is only an agent never parses them).
var Stacks = sync.OnceValue(loadStacks)

func loadStacks() map[string]Stack {
	entries, err := stackFiles.ReadDir("stacks")
	if err != nil {
		panic(err)
	}
	out := map[string]Stack{}
	for _, e := range entries {
		b, err := stackFiles.ReadFile("stacks/" + e.Name())
		if err != nil {
			panic(err)
		}
		var def StackDef
		if err := json.Unmarshal(b, &def); err != nil {
			panic(fmt.Sprintf("stack %s: %v", e.Name(), err))
		}
		st := Stack{StackDef: def, Components: map[string]StackComponent{}}
		for _, s := range def.Services {
			for _, c := range s.Components {
				st.Components[c.Name] = StackComponent{ComponentDef: c, Service: s.Name}
			}
		}
		out[st.Key()] = st
	}
	return out
}

// StackNames lists the stacks herd knows, sorted.
func StackNames() []string {
	out := make([]string, 0, len(Stacks()))
	for k := range Stacks() {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// LookupStack finds a stack definition by name and version.
func LookupStack(name, version string) (Stack, bool) {
	s, ok := Stacks()[name+"-"+version]
	return s, ok
}

// Stack is the definition of the blueprint's stack, if herd knows it.
func (bp Blueprint) Stack() (Stack, bool) {
	return LookupStack(bp.Blueprints.StackName, bp.Blueprints.StackVersion)
}

// Services returns the services a blueprint installs, sorted.
func (bp Blueprint) Services() []string {
	st, _ := bp.Stack()
	seen := map[string]bool{}
	for _, hg := range bp.HostGroups {
		for _, c := range hg.Components {
			if sc, ok := st.Components[c.Name]; ok {
				seen[sc.Service] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// Group returns the host group called name.
func (bp Blueprint) Group(name string) (HostGroup, bool) {
	for _, hg := range bp.HostGroups {
		if hg.Name == name {
			return hg, true
		}
	}
	return HostGroup{}, false
}

// splitComponent reads "SERVICE/COMPONENT".
func splitComponent(ref string) (service, component string) {
	service, component, ok := strings.Cut(ref, "/")
	if !ok {
		return "", ref
	}
	return service, component
}
