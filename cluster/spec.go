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
	"github.com/herdhq/herd/contract"
)

// Spec is what a user asks for.
type Spec struct {
	Name          string           `json:"name"`
	BlueprintName string           `json:"blueprint_name"`
	Blueprint     ambari.Blueprint `json:"blueprint"`
	HostGroups    []HostGroup      `json:"host_groups"`
	Provider      string           `json:"provider"`
	// Place is where the cluster's activities run (see ActivityQueue);
	// empty for any worker without a place.
	Place           string            `json:"place,omitempty"`
	ProviderOptions map[string]string `json:"provider_options,omitempty"`
	Image           string            `json:"image"`
	Domain          string            `json:"domain"`
	NodeEnv         map[string]string `json:"node_env,omitempty"` // extra node environment (--node-env), e.g. the emulator's task duration
	KeepOnFailure   bool              `json:"keep_on_failure,omitempty"`
	MaxGroupSize    int               `json:"max_group_size,omitempty"` // bound of open-ended host groups (DefaultMaxGroupSize)
	QuorumTimeout   time.Duration     `json:"quorum_timeout,omitempty"`
	// Repair is the repair policy the cluster starts with.
	Repair RepairPolicy `json:"repair,omitempty"`
	// MinNodes lets provisioning go on when some agents never come up: with
	// at least this many nodes alive and every host group's cardinality
	// held, the cluster is created degraded and repair adds the rest.
	MinNodes       int           `json:"min_nodes,omitempty"`
	InstallTimeout time.Duration `json:"install_timeout,omitempty"`
	// DiskAlertPercent is how full a node's file system gets before herd
	// raises a disk_usage alert (DefaultDiskAlertPercent when 0).
	DiskAlertPercent int `json:"disk_alert_percent,omitempty"`
}

// HostGroup says how many nodes a blueprint host group gets.
type HostGroup struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// Node is one node to create, derived from a Spec.
type Node struct {
	Index     int           `json:"index"`
	Name      string        `json:"name"` // short host name, NAME-N
	FQDN      string        `json:"fqdn"`
	HostGroup string        `json:"host_group"`
	Role      contract.Role `json:"role"`
	// OnDemand keeps a node off spot instances: set when a spot node was
	// interrupted and replaced.
	OnDemand bool `json:"on_demand,omitempty"`
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
		return fmt.Errorf("no node image given: build one with `make image` and pass --image %s", DefaultImage)
	}
	if s.Provider == "" {
		return fmt.Errorf("no provider given: use --provider %s", DefaultProvider)
	}
	if err := ValidatePlace(s.Place); err != nil {
		return err
	}
	if err := ambari.ValidateBlueprint(s.Blueprint, true); err != nil {
		return fmt.Errorf("blueprint %q is not valid: %w", s.BlueprintName, err)
	}
	if err := s.Repair.WithDefaults().Validate(); err != nil {
		return err
	}
	if s.DiskAlertPercent < 0 || s.DiskAlertPercent > 100 {
		return fmt.Errorf("disk alert at %d%%: give a percentage from 1 to 100", s.DiskAlertPercent)
	}
	if s.QuorumTimeout < 0 || s.InstallTimeout < 0 {
		return fmt.Errorf("--quorum-timeout %s, --install-timeout %s: give positive durations, e.g. 2m and 30m", s.QuorumTimeout, s.InstallTimeout)
	}
	if s.MinNodes < 0 || s.MinNodes > s.Size() {
		return fmt.Errorf("--min-nodes %d: give 1 to %d (the cluster's size), or 0 to need every node", s.MinNodes, s.Size())
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
		if _, max, _ := s.GroupLimits(g.Name); g.Count > max {
			return fmt.Errorf("host group %q has %d nodes: at most %d for an open-ended host group (the spec's max_group_size)", g.Name, g.Count, max)
		}
	}
	for _, name := range s.blueprintGroups() {
		if !seen[name] {
			return fmt.Errorf("blueprint host group %q gets no nodes: add it with a count", name)
		}
	}
	if n := s.Size(); n > MaxNodes {
		return fmt.Errorf("cluster %s would have %d nodes: herd supports at most %d in one cluster; split it into clusters of at most %d", s.Name, n, MaxNodes, MaxNodes)
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
			nodes = append(nodes, s.NewNode(len(nodes)+1, g.Name))
		}
	}
	return nodes
}

// NewNode is the node with the given index in a host group: NAME-INDEX in
// the cluster's domain, the server when it is the first.
func (s Spec) NewNode(index int, group string) Node {
	n := Node{Index: index, Name: NodeName(s.Name, index), HostGroup: group, Role: contract.RoleAgent}
	n.FQDN = n.Name + "." + s.Domain
	if index == 1 {
		n.Role = contract.RoleServer
	}
	return n
}

// NodeName is the short host name of a cluster's node.
func NodeName(clusterName string, index int) string { return fmt.Sprintf("%s-%d", clusterName, index) }

// GroupLimits is how many nodes a host group may have: its blueprint
// cardinality, open-ended ones bounded by MaxGroupSize; at least one.
func (s Spec) GroupLimits(group string) (min, max int, err error) {
	hg, ok := s.Blueprint.Group(group)
	if !ok {
		return 0, 0, fmt.Errorf("cluster %s has no host group %q (it has: %s)", s.Name, group, strings.Join(s.blueprintGroups(), ", "))
	}
	card := ambari.ParseCardinality(hg.Cardinality)
	min, max = max1(card.Min), card.Max
	if max < 0 || card.All {
		max = s.MaxGroupSize
		if max <= 0 {
			max = DefaultMaxGroupSize
		}
	}
	return min, max, nil
}

func max1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}

// Target is what a provider is told about the cluster.
func (s Spec) Target() Target {
	return Target{Provider: s.Provider, Cluster: s.Name, Domain: s.Domain, Image: s.Image, Options: s.ProviderOptions}
}
