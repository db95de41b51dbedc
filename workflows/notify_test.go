package workflows

import (
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/herdhq/herd/cluster"
)

// Targets are added and removed by validated updates and read by a query.
func TestNotifyWorkflowHoldsTargets(t *testing.T) {
	var ts testsuite.WorkflowTestSuite
	env := ts.NewTestWorkflowEnvironment()
	hook := cluster.NotifyTarget{Name: "hook", Kind: cluster.TargetWebhook, URL: "https://hooks.example/herd"}
	errs := map[string]error{}
	update := func(at time.Duration, id, name string, arg any) {
		env.RegisterDelayedCallback(func() {
			env.UpdateWorkflow(name, id, &testsuite.TestUpdateCallback{
				OnAccept: func() {}, OnReject: func(err error) { errs[id] = err }, OnComplete: func(_ any, err error) {
					if err != nil {
						errs[id] = err
					}
				}}, arg)
		}, at)
	}
	update(0, "add", cluster.UpdateAddTarget, hook)
	update(time.Second, "again", cluster.UpdateAddTarget, hook)
	update(2*time.Second, "bad", cluster.UpdateAddTarget, cluster.NotifyTarget{Name: "x", Kind: cluster.TargetWebhook, URL: "ftp://x"})
	var listed []cluster.NotifyTarget
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(cluster.QueryTargets)
		if err == nil {
			err = v.Get(&listed)
		}
		errs["query"] = err
	}, 3*time.Second)
	update(4*time.Second, "remove", cluster.UpdateRemoveTarget, "hook")
	update(5*time.Second, "remove-again", cluster.UpdateRemoveTarget, "hook")
	env.RegisterDelayedCallback(env.CancelWorkflow, time.Minute)
	env.ExecuteWorkflow(NotifyWorkflow, []cluster.NotifyTarget(nil))
	if errs["add"] != nil || errs["remove"] != nil || errs["query"] != nil || len(listed) != 1 || listed[0].Name != "hook" {
		t.Fatalf("add, list, remove: %v, listed %+v", errs, listed)
	}
	for id, want := range map[string]string{"again": "there is a notification target hook already", "bad": "webhook URL \"ftp://x\" is not valid",
		"remove-again": "there is no notification target hook"} {
		if errs[id] == nil || !strings.Contains(errs[id].Error(), want) {
			t.Errorf("%s: want %q, got %v", id, want, errs[id])
		}
	}
}
