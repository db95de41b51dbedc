package workflows

import (
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/herdhq/herd/cluster"
)

// alert records an alert in the cluster's status and has it delivered by a
// workflow of its own, which outlives this run and retries until the
// targets have it, so that a receiver that is down never holds up the
// cluster. Runs recorded before herd raised alerts replay without them.
func (c *clusterRun) alert(ctx workflow.Context, node string, kind cluster.AlertKind, sev cluster.Severity, text string) {
	if !c.alertsOn {
		return
	}
	al := cluster.NewAlert(workflow.Now(ctx), c.state.Spec.Name, node, kind, sev, text)
	st := &c.state.Status
	st.Alerts = append(st.Alerts, al)
	if len(st.Alerts) > cluster.AlertLogSize {
		st.Alerts = st.Alerts[len(st.Alerts)-cluster.AlertLogSize:]
	}
	workflow.GetMetricsHandler(ctx).WithTags(map[string]string{"cluster": al.Cluster, "kind": string(kind)}).Counter("herd_alerts_total").Inc(1)
	c.deliveries++
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer func() { c.deliveries-- }()
		startDelivery(ctx, cluster.DeliverInput{Alert: al, Place: c.state.Spec.Place})
	})
}

// startDelivery starts the alert's delivery workflow and waits until it
// has started (not until it ends).
func startDelivery(ctx workflow.Context, in cluster.DeliverInput) {
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:        cluster.DeliveryWorkflowID(in.Alert.ID),
		TaskQueue:         cluster.TaskQueue,
		ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_ABANDON,
		StaticSummary:     "deliver alert: " + in.Alert.Text,
	})
	f := workflow.ExecuteChildWorkflow(cctx, cluster.WorkflowDeliverAlert, in)
	_ = f.GetChildWorkflowExecution().Get(ctx, nil)
}

// followAlerts says whether this run raises alerts: histories recorded
// before herd did replay without them.
func (c *clusterRun) followAlerts(ctx workflow.Context) {
	c.alertsOn = workflow.GetVersion(ctx, "alerts", workflow.DefaultVersion, 1) == 1
}

// DeliverAlertWorkflow delivers one alert to the notification targets,
// retrying with backoff for up to a day (or in.Attempts tries).
func DeliverAlertWorkflow(ctx workflow.Context, in cluster.DeliverInput) (cluster.Delivered, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		TaskQueue:              cluster.ActivityQueue(in.Place),
		StartToCloseTimeout:    2 * time.Minute,
		ScheduleToCloseTimeout: 24 * time.Hour,
		HeartbeatTimeout:       time.Minute,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: 2 * time.Second, BackoffCoefficient: 2,
			MaximumInterval: 5 * time.Minute, MaximumAttempts: in.Attempts},
		Summary: "send " + string(in.Alert.Kind) + " to the notification targets",
	})
	var out cluster.Delivered
	err := workflow.ExecuteActivity(ctx, a.DeliverAlert, in).Get(ctx, &out)
	return out, err
}
