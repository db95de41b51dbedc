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

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/workflows"
)

// follower prints a line each time a step, the phase or a running
// activity's live progress ("2/3 alive", "IN_PROGRESS 45%") changes.
type follower struct {
	c    client.Client
	name string
	w    io.Writer
	seen map[string]string
	live *live // set on a terminal: redraw in place instead of lines
}

func newFollower(c client.Client, name string, w io.Writer) *follower {
	f := &follower{c: c, name: name, w: w, seen: map[string]string{}}
	if isTerminal(w) {
		f.live = &live{w: w}
	}
	return f
}

// until prints progress until done reports true on the status or the
// workflow closes, and returns the last status.
func (f *follower) until(ctx context.Context, done func(workflows.Status) bool) (workflows.Status, error) {
	for {
		st, closed, err := f.step(ctx)
		if (err == nil && done(st)) || closed {
			return QueryStatus(ctx, f.c, f.name)
		}
		if err := pause(ctx); err != nil {
			return st, err
		}
	}
}

// step looks once: status and live progress, showing what changed.
func (f *follower) step(ctx context.Context) (workflows.Status, bool, error) {
	st, err := QueryStatus(ctx, f.c, f.name)
	closed, progress := describe(ctx, f.c, cluster.WorkflowID(f.name))
	switch {
	case err != nil:
	case f.live != nil:
		f.live.draw(st, progress)
	default:
		f.print(st)
		f.printLive(progress)
	}
	return st, closed, err
}

func pause(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(500 * time.Millisecond):
		return nil
	}
}

func (f *follower) print(st workflows.Status) {
	if st.Operation != f.seen["op"] {
		f.seen = map[string]string{"op": st.Operation}
		fmt.Fprintf(f.w, "%s: %s\n", st.Cluster, st.Operation)
	}
	for i, s := range st.Steps {
		key := s.State + " " + s.Detail
		if s.State == workflows.StatePending || f.seen[s.Name] == key {
			continue
		}
		f.seen[s.Name] = key
		fmt.Fprintf(f.w, "[%d/%d] %-22s %-8s %s\n", i+1, len(st.Steps), s.Name, s.State, s.Detail)
	}
	if st.Phase != f.seen["phase"] {
		f.seen["phase"] = st.Phase
		fmt.Fprintf(f.w, "cluster %s: %s\n", st.Cluster, st.Phase)
	}
}

func (f *follower) printLive(live map[string]string) {
	for step, detail := range live {
		if f.seen["live:"+step] != detail {
			f.seen["live:"+step] = detail
			fmt.Fprintf(f.w, "      %-22s %s\n", step, detail)
		}
	}
}

// describe reports whether the workflow is closed and the heartbeat detail
// of each running activity.
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

// QueryStatus asks a cluster's workflow for its status.
func QueryStatus(ctx context.Context, c client.Client, name string) (workflows.Status, error) {
	var st workflows.Status
	v, err := c.QueryWorkflow(ctx, cluster.WorkflowID(name), "", workflows.StatusQuery)
	if err != nil {
		return st, fmt.Errorf("query cluster %s: %w (does it exist? see `herd cluster list`)", name, err)
	}
	return st, v.Get(&st)
}

func printNodes(w io.Writer, st workflows.Status) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tFQDN\tROLE\tHOST GROUP\tIP\tSTATE")
	for _, n := range st.Nodes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", n.Name, n.FQDN, n.Role, n.HostGroup, n.IP, n.State)
	}
	tw.Flush()
}

func printReady(w io.Writer, st workflows.Status) {
	fmt.Fprintf(w, "\ncluster %s is %s: %d nodes, Ambari request %d\nAmbari (emulator unless you run a real Ambari image): %s\n\n",
		st.Cluster, st.Phase, len(st.Nodes), st.RequestID, st.AmbariURL)
	printNodes(w, st)
}

func printStatus(w io.Writer, st workflows.Status) {
	fmt.Fprintf(w, "cluster %s (%s): %s; last operation: %s\n", st.Cluster, st.Provider, st.Phase, st.Operation)
	if st.AmbariURL != "" {
		fmt.Fprintf(w, "ambari: %s\n", st.AmbariURL)
	}
	if st.Error != "" {
		fmt.Fprintf(w, "error: %s\n", st.Error)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nSTEP\tSTATE\tDETAIL")
	for _, s := range st.Steps {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Name, s.State, s.Detail)
	}
	tw.Flush()
	fmt.Fprintln(w)
	printNodes(w, st)
}

func isFailed(st workflows.Status) error {
	if st.Phase == workflows.PhaseFailed {
		return fmt.Errorf("cluster %s failed: %s", st.Cluster, strings.TrimSpace(st.Error))
	}
	return nil
}
