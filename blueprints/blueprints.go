// Package blueprints holds herd's built-in Ambari blueprints and loads a
// blueprint by name or from a file, validated against its stack.
package blueprints

import (
	"embed"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/herdhq/herd/ambari"
	"github.com/herdhq/herd/cluster"
)

// maxBlueprintBytes bounds a blueprint file (1 MiB): it goes into every
// cluster's workflow history.
const maxBlueprintBytes = 1 << 20

//go:embed builtin/*.json
var builtin embed.FS

// Names lists the built-in blueprints, sorted.
func Names() []string {
	entries, _ := builtin.ReadDir("builtin")
	var out []string
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".json"))
	}
	sort.Strings(out)
	return out
}

// Load returns a built-in blueprint by name, or reads a JSON file; the
// blueprint's name is the built-in name or the file's base name.
func Load(nameOrFile string) (string, ambari.Blueprint, error) {
	if b, err := builtin.ReadFile("builtin/" + nameOrFile + ".json"); err == nil {
		bp, err := parse(b, nameOrFile)
		return nameOrFile, bp, err
	}
	if info, err := os.Stat(nameOrFile); err == nil && info.Size() > maxBlueprintBytes {
		return "", ambari.Blueprint{}, fmt.Errorf("blueprint %s is %d bytes: a blueprint is at most %d (is it the right file?)", nameOrFile, info.Size(), maxBlueprintBytes)
	}
	b, err := os.ReadFile(nameOrFile)
	if err != nil {
		return "", ambari.Blueprint{}, fmt.Errorf("blueprint %q is neither built in (%s) nor a readable file: %w",
			nameOrFile, strings.Join(Names(), ", "), err)
	}
	name := strings.TrimSuffix(path.Base(nameOrFile), path.Ext(nameOrFile))
	bp, err := parse(b, nameOrFile)
	return name, bp, err
}

func parse(b []byte, origin string) (ambari.Blueprint, error) {
	var bp ambari.Blueprint
	if err := json.Unmarshal(b, &bp); err != nil {
		return bp, fmt.Errorf("blueprint %s is not valid JSON: %w", origin, err)
	}
	if err := ambari.ValidateBlueprint(bp, true); err != nil {
		if _, ok := ambari.LookupStack(bp.Blueprints.StackName, bp.Blueprints.StackVersion); !ok {
			return bp, fmt.Errorf("blueprint %s: %w (stacks herd knows: %s)", origin, err, strings.Join(ambari.StackNames(), ", "))
		}
		return bp, fmt.Errorf("blueprint %s: %w", origin, err)
	}
	return bp, nil
}

// Spread maps n nodes onto a blueprint's host groups: groups whose
// cardinality is a fixed number get that many, others one, and the first
// open-ended group ("1+", "ALL", a range or none) gets the rest.
func Spread(bp ambari.Blueprint, n int) ([]cluster.HostGroup, error) {
	var groups []cluster.HostGroup
	open, fixed := -1, 0
	for _, hg := range bp.HostGroups {
		c := 1
		if isFixed(hg.Cardinality) {
			c, _ = strconv.Atoi(hg.Cardinality)
		} else if open < 0 {
			open = len(groups)
		}
		groups = append(groups, cluster.HostGroup{Name: hg.Name, Count: c})
		fixed += c
	}
	switch {
	case n == fixed:
		return groups, nil
	case n > fixed && open >= 0:
		groups[open].Count += n - fixed
		return groups, nil
	case n < fixed:
		return nil, fmt.Errorf("%d nodes are too few: the blueprint's host groups need at least %d", n, fixed)
	}
	return nil, fmt.Errorf("the blueprint has no host group that can take more nodes than %d: use --nodes %d or a multi-node blueprint", fixed, fixed)
}

// isFixed reports whether a cardinality is one number; an empty one is
// open-ended.
func isFixed(card string) bool {
	if card == "" {
		return false
	}
	for _, r := range card {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// NewSpec is a spec of a cluster of n nodes on a built-in or file
// blueprint, spread over its host groups, with herd's defaults for the rest
// (provider, image, domain, timeouts). It is not validated: set what
// differs, then call Validate.
func NewSpec(name, blueprint string, n int) (cluster.Spec, error) {
	bpName, bp, err := Load(blueprint)
	if err != nil {
		return cluster.Spec{}, err
	}
	groups, err := Spread(bp, n)
	if err != nil {
		return cluster.Spec{}, fmt.Errorf("--nodes %d with blueprint %s: %w", n, bpName, err)
	}
	return cluster.Spec{
		Name: name, BlueprintName: bpName, Blueprint: bp, HostGroups: groups, Provider: cluster.DefaultProvider,
		Image: cluster.DefaultImage, Domain: cluster.DefaultDomain,
		QuorumTimeout: cluster.DefaultQuorumTimeout, InstallTimeout: cluster.DefaultInstallTimeout,
	}, nil
}
