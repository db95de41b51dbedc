// Package visibility is what Temporal's UI and visibility store show of a
// cluster: the search attributes herd keeps current, the workflow's summary
// and details, the table of steps and nodes.
package visibility

import (
	"fmt"
	"strings"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"

	"github.com/herdhq/herd/cluster"
)

// Search attribute keys herd keeps current on every cluster workflow, so the
// Temporal UI's filter box finds e.g. HerdPhase = "failed".
var (
	SACluster   = temporal.NewSearchAttributeKeyKeyword(cluster.SACluster)
	SAPhase     = temporal.NewSearchAttributeKeyKeyword(cluster.SAPhase)
	SAProvider  = temporal.NewSearchAttributeKeyKeyword(cluster.SAProvider)
	SABlueprint = temporal.NewSearchAttributeKeyKeyword(cluster.SABlueprint)
	SANodes     = temporal.NewSearchAttributeKeyInt64(cluster.SANodes)
	SAHealth    = temporal.NewSearchAttributeKeyKeyword(cluster.SAHealth)
)

// Types are the search attributes to register on a namespace
// (`herd dev` does it; `herd setup` does it on any Temporal cluster).
func Types() map[string]enumspb.IndexedValueType {
	return map[string]enumspb.IndexedValueType{
		SACluster.GetName():   enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		SAPhase.GetName():     enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		SAProvider.GetName():  enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		SABlueprint.GetName(): enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		SANodes.GetName():     enumspb.INDEXED_VALUE_TYPE_INT,
		SAHealth.GetName():    enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	}
}

// Initial are set when a cluster's workflow starts.
func Initial(spec cluster.Spec) temporal.SearchAttributes {
	return temporal.NewSearchAttributes(
		SACluster.ValueSet(spec.Name), SAPhase.ValueSet(string(cluster.PhaseProvisioning)), SAProvider.ValueSet(spec.Provider),
		SABlueprint.ValueSet(spec.BlueprintName), SANodes.ValueSet(int64(spec.Size())))
}

// Summary is the one line the Temporal UI shows for a cluster's workflow.
func Summary(spec cluster.Spec) string {
	return fmt.Sprintf("Hadoop cluster %s: blueprint %s, %d nodes on %s", spec.Name, spec.BlueprintName, spec.Size(), spec.Provider)
}

// Details is the fixed description of a cluster's workflow (markdown).
func Details(spec cluster.Spec) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** — image `%s`, domain `%s`, provider `%s`\n\n| host group | nodes |\n|---|---|\n", spec.Name, spec.Image, spec.Domain, spec.Provider)
	for _, g := range spec.HostGroups {
		fmt.Fprintf(&b, "| %s | %d |\n", g.Name, g.Count)
	}
	return b.String()
}

// CurrentDetails is the live table of an operation's steps and the nodes
// (markdown), shown as the workflow's current details.
func CurrentDetails(st *cluster.Status) string {
	var b strings.Builder
	if st.Health != "" {
		fmt.Fprintf(&b, "**%s**", st.Health)
		if down := st.Down(); down != "" {
			fmt.Fprintf(&b, ": %s", down)
		}
		fmt.Fprintf(&b, " (repair %s after %s)\n\n", st.Repair.Mode, st.Repair.After)
	}
	fmt.Fprintf(&b, "**%s**: %s — %s, %d nodes\n\n| step | state | detail |\n|---|---|---|\n", st.Cluster, st.Operation, st.Phase, len(st.Nodes))
	for _, s := range st.Steps {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", s.Name, s.State, s.Detail)
	}
	b.WriteString("\n| node | role | host group | IP | state | health |\n|---|---|---|---|---|---|\n")
	for _, n := range st.Nodes {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", n.FQDN, n.Role, n.HostGroup, n.IP, n.State, n.Health)
	}
	return b.String()
}
