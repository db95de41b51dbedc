package starter

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/herdhq/herd/workflows"
)

// Follow prints a line each time a step or its live progress changes, until
// the provisioning workflow of name ends, and returns its result.
func Follow(ctx context.Context, c client.Client, name string, w io.Writer) (*workflows.Result, error) {
	id := workflows.WorkflowID(name)
	seen := map[string]string{}
	for {
		st, err := QueryStatus(ctx, c, name)
		if err == nil {
			printChanges(w, st, seen)
		}
		closed, live := describe(ctx, c, id)
		for step, detail := range live {
			if seen["live:"+step] != detail {
				seen["live:"+step] = detail
				fmt.Fprintf(w, "      %-22s %s\n", step, detail)
			}
		}
		if closed {
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
	if st, err := QueryStatus(ctx, c, name); err == nil {
		printChanges(w, st, seen)
	}
	var res workflows.Result
	if err := c.GetWorkflow(ctx, id, "").Get(ctx, &res); err != nil {
		return nil, fmt.Errorf("cluster %s failed: %s", name, workflows.FailureMessage(err))
	}
	return &res, nil
}

func printChanges(w io.Writer, st workflows.Status, seen map[string]string) {
	for i, s := range st.Steps {
		key := s.State + " " + s.Detail
		if s.State == workflows.StatePending || seen[s.Name] == key {
			continue
		}
		seen[s.Name] = key
		fmt.Fprintf(w, "[%d/%d] %-22s %-8s %s\n", i+1, len(st.Steps), s.Name, s.State, s.Detail)
	}
	if st.Phase != seen["phase"] && st.Phase != workflows.PhaseProvisioning {
		seen["phase"] = st.Phase
		fmt.Fprintf(w, "cluster %s: %s\n", st.Cluster, st.Phase)
	}
}

// describe reports whether the workflow is closed and the heartbeat detail
// of each running activity ("2/3 alive", "IN_PROGRESS 45%").
func describe(ctx context.Context, c client.Client, id string) (bool, map[string]string) {
	d, err := c.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		return false, nil
	}
	closed := d.WorkflowExecutionInfo.Status != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
	live := map[string]string{}
	for _, pa := range d.PendingActivities {
		if pa.HeartbeatDetails == nil {
			continue
		}
		var v any
		if err := converter.GetDefaultDataConverter().FromPayloads(pa.HeartbeatDetails, &v); err == nil {
			live[pa.ActivityType.GetName()] = heartbeatText(v)
		}
	}
	return closed, live
}

func heartbeatText(v any) string {
	if m, ok := v.(map[string]any); ok {
		return fmt.Sprintf("%v %.0f%% (%v/%v tasks)", m["status"], m["progress_percent"], m["completed"], m["tasks"])
	}
	return fmt.Sprint(v)
}

// QueryStatus asks a provisioning workflow for its status.
func QueryStatus(ctx context.Context, c client.Client, name string) (workflows.Status, error) {
	var st workflows.Status
	v, err := c.QueryWorkflow(ctx, workflows.WorkflowID(name), "", workflows.StatusQuery)
	if err != nil {
		return st, fmt.Errorf("query cluster %s: %w (does it exist? see `herd cluster list`)", name, err)
	}
	return st, v.Get(&st)
}

func printResult(w io.Writer, res *workflows.Result) {
	fmt.Fprintf(w, "\ncluster %s is ready: Ambari request %d %s\nAmbari (emulator unless you run a real Ambari image): %s\n\n", res.Cluster, res.RequestID, res.RequestStatus, res.AmbariURL)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tFQDN\tROLE\tHOST GROUP\tIP\tCONTAINER")
	for _, n := range res.Nodes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", n.Name, n.FQDN, n.Role, n.HostGroup, n.IP, short(n.ContainerID))
	}
	tw.Flush()
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return strings.TrimSpace(id)
}
