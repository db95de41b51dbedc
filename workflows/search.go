package workflows

import (
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/herdhq/herd/visibility"
)

// publish keeps the search attributes (when they changed) and the current
// details shown in the UI in step with the status.
func (r *runner) publish(ctx workflow.Context) {
	st := &r.st.Status
	workflow.SetCurrentDetails(ctx, visibility.CurrentDetails(st))
	nodes := int64(len(st.Nodes))
	if st.Phase == r.published.phase && nodes == r.published.nodes && st.Health == r.published.health {
		return
	}
	r.published.phase, r.published.nodes, r.published.health = st.Phase, nodes, st.Health
	attrs := []temporal.SearchAttributeUpdate{visibility.SAPhase.ValueSet(string(st.Phase)), visibility.SANodes.ValueSet(nodes)}
	if st.Health != "" { // herd follows this cluster's health
		attrs = append(attrs, visibility.SAHealth.ValueSet(string(st.Health)))
	}
	_ = workflow.UpsertTypedSearchAttributes(ctx, attrs...)
}
