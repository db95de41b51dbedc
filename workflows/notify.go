package workflows

import (
	"slices"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/herdhq/herd/cluster"
)

// notifyContinueAfter is how many changes of the targets a run of the
// notification workflow takes before it continues as new.
const notifyContinueAfter = 200

// NotifyWorkflow holds herd's notification targets (workflow id
// cluster.NotifyWorkflowID): they are added and removed by validated
// updates and read by a query. It runs until it is terminated.
func NotifyWorkflow(ctx workflow.Context, targets []cluster.NotifyTarget) error {
	n := &notifyRun{targets: targets}
	if err := workflow.SetQueryHandler(ctx, cluster.QueryTargets, func() ([]cluster.NotifyTarget, error) { return n.targets, nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, cluster.UpdateAddTarget, n.add,
		workflow.UpdateHandlerOptions{Validator: n.validateAdd}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, cluster.UpdateRemoveTarget, n.remove,
		workflow.UpdateHandlerOptions{Validator: n.validateRemove}); err != nil {
		return err
	}
	_ = workflow.Await(ctx, func() bool {
		return n.changes >= notifyContinueAfter || workflow.GetInfo(ctx).GetContinueAsNewSuggested()
	})
	_ = workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
	return workflow.NewContinueAsNewError(ctx, NotifyWorkflow, n.targets)
}

type notifyRun struct {
	targets []cluster.NotifyTarget
	changes int
}

func (n *notifyRun) validateAdd(_ workflow.Context, t cluster.NotifyTarget) error {
	if err := t.Validate(); err != nil {
		return refused("%v", err)
	}
	if slices.ContainsFunc(n.targets, func(o cluster.NotifyTarget) bool { return o.Name == t.Name }) {
		return refused("there is a notification target %s already: remove it first (herd notify remove %s)", t.Name, t.Name)
	}
	return nil
}

func (n *notifyRun) add(_ workflow.Context, t cluster.NotifyTarget) ([]cluster.NotifyTarget, error) {
	n.targets = append(n.targets, t)
	slices.SortFunc(n.targets, func(a, b cluster.NotifyTarget) int { return strings.Compare(a.Name, b.Name) })
	n.changes++
	return n.targets, nil
}

func (n *notifyRun) validateRemove(_ workflow.Context, name string) error {
	if !slices.ContainsFunc(n.targets, func(o cluster.NotifyTarget) bool { return o.Name == name }) {
		return refused("there is no notification target %s (see herd notify list)", name)
	}
	return nil
}

func (n *notifyRun) remove(_ workflow.Context, name string) ([]cluster.NotifyTarget, error) {
	n.targets = slices.DeleteFunc(n.targets, func(o cluster.NotifyTarget) bool { return o.Name == name })
	n.changes++
	return n.targets, nil
}
