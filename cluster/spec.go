// Package cluster holds the plain data that describes a herd cluster: the
// spec a user submits, the nodes derived from it, and what provisioning
// reports back. It has no I/O, so workflows use it freely.
package cluster

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/herdhq/herd/ambari"
)

// Spec is what a user asks for.
type Spec struct {
	Name            string            `json:"name"`
	BlueprintName   string            `json:"blueprint_name"`
	Blueprint       ambari.Blueprint  `json:"blueprint"`
	HostGroups      []HostGroup       `json:"host_groups"`
	Provider        string            `json:"provider"`
	ProviderOptions map[string]string `json:"provider_options,omitempty"`
	Image           string            `json:"image"`
	Domain          string            `json:"domain"`
	NodeEnv         map[string]string `json:"node_env,omitempty"` // extra container env, e.g. EMU_TASK_DURATION
	KeepOnFailure   bool              `json:"keep_on_failure,omitempty"`
	MaxGroupSize    int               `json:"max_group_size,omitempty"` // bound of open-ended host groups (100)
	QuorumTimeout   time.Duration     `json:"quorum_timeout,omitempty"`
	InstallTimeout  time.Duration     `json:"install_timeout,omitempty"`
}

// HostGroup says how many nodes a blueprint host group gets.
type HostGroup struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// Node roles.
const (
	RoleServer = "server"
	RoleAgent  = "agent"
)

// Node is one node to create, derived from a Spec.
type Node struct {
	Index     int    `json:"index"`
	Name      string `json:"name"` // short host name, NAME-N
	FQDN      string `json:"fqdn"`
	HostGroup string `json:"host_group"`
	Role      string `json:"role"`
}

// NodeInfo is a started node.
type NodeInfo struct {
	Node
	ContainerID string `json:"container_id"`
	IP          string `json:"ip"`
	AmbariURL   string `json:"ambari_url,omitempty"` // how the orchestrator reaches Ambari on it
	SerfRPC     string `json:"serf_rpc,omitempty"`   // how the orchestrator reaches its Serf RPC
}

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}[a-z0-9]$`)
var domainRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$`)

// Validate checks a spec before anything is created; errors say how to fix it.
func (s Spec) Validate() error {
	if !nameRE.MatchString(s.Name) {
		return fmt.Errorf("cluster name %q is not valid: use 2-32 lower-case letters, digits and dashes, starting with a letter", s.Name)
	}
	if !domainRE.MatchString(s.Domain) {
		return fmt.Errorf("domain %q is not valid: use a DNS domain with at least two labels, such as herd.local", s.Domain)
	}
	if s.Image == "" {
		return fmt.Errorf("no node image given: build one with `make image` and pass --image herd-node:dev")
	}
	if s.Provider == "" {
		return fmt.Errorf("no provider given: use --provider docker")
	}
	if err := ambari.ValidateBlueprint(s.Blueprint, true); err != nil {
		return fmt.Errorf("blueprint %q is not valid: %w", s.BlueprintName, err)
	}
	return s.validateGroups()
}

func (s Spec) validateGroups() error {
	if len(s.HostGroups) == 0 {
		return fmt.Errorf("no host groups: map each blueprint host group to a node count")
	}
	seen := map[string]bool{}
	for _, g := range s.HostGroups {
		bg, ok := s.Blueprint.Group(g.Name)
		if !ok {
			return fmt.Errorf("host group %q is not in blueprint %q (it has: %s)", g.Name, s.BlueprintName, strings.Join(s.blueprintGroups(), ", "))
		}
		if seen[g.Name] {
			return fmt.Errorf("host group %q is given twice", g.Name)
		}
		seen[g.Name] = true
		if g.Count < 1 {
			return fmt.Errorf("host group %q has %d nodes: give at least 1", g.Name, g.Count)
		}
		if bg.Cardinality != "" && !ambari.CardinalityAllows(bg.Cardinality, g.Count) {
			return fmt.Errorf("host group %q has %d nodes but the blueprint says its cardinality is %s", g.Name, g.Count, bg.Cardinality)
		}
	}
	for _, name := range s.blueprintGroups() {
		if !seen[name] {
			return fmt.Errorf("blueprint host group %q gets no nodes: add it with a count", name)
		}
	}
	return nil
}

func (s Spec) blueprintGroups() []string {
	var out []string
	for _, hg := range s.Blueprint.HostGroups {
		out = append(out, hg.Name)
	}
	sort.Strings(out)
	return out
}

// Size is the total number of nodes.
func (s Spec) Size() int {
	n := 0
	for _, g := range s.HostGroups {
		n += g.Count
	}
	return n
}

// Nodes lists the nodes in order: node 1 is the Ambari server, in the first
// host group; names are NAME-N.DOMAIN as in the 2014 design.
func (s Spec) Nodes() []Node {
	var nodes []Node
	for _, g := range s.HostGroups {
		for i := 0; i < g.Count; i++ {
			idx := len(nodes) + 1
			n := Node{Index: idx, Name: fmt.Sprintf("%s-%d", s.Name, idx), HostGroup: g.Name, Role: RoleAgent}
			n.FQDN = n.Name + "." + s.Domain
			if idx == 1 {
				n.Role = RoleServer
			}
			nodes = append(nodes, n)
		}
	}
	return nodes
}
