package bench

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/docker/docker/api/types/container"
	serfclient "github.com/hashicorp/serf/client"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/proto"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/starter"
	"github.com/herdhq/herd/workflows"
)

// Run is one provisioning, measured.
type Run struct {
	Nodes        int                `json:"nodes"`
	Wall         float64            `json:"wall_s"`
	Steps        map[string]float64 `json:"steps_s"`
	QuorumNotice float64            `json:"quorum_notice_ms"` // last member alive -> workflow notices
	NodeRSSMiB   float64            `json:"node_rss_mib_max"`
	Events       int                `json:"history_events"`
	HistoryBytes int                `json:"history_bytes"`
}

// Spec is a multi-node HDFS+YARN cluster with instant Ambari tasks.
func Spec(name, image string, nodes int) (cluster.Spec, error) {
	f := starter.CreateFlags{Blueprint: "multi-node-hdfs-yarn", Nodes: nodes, Provider: "docker", Image: image,
		Domain: "herd.local", TaskDuration: "0s", QuorumTimeout: 5 * time.Minute, InstallTimeout: 10 * time.Minute}
	spec, err := f.Spec(name)
	spec.MaxGroupSize = 1000
	return spec, err
}

// Provision creates a cluster, waits until it is ready, measures, and
// terminates it.
func (s *Stack) Provision(name, image string, nodes int) (Run, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	spec, err := Spec(name, image, nodes)
	if err != nil {
		return Run{}, err
	}
	joins := &joinWatch{}
	start := time.Now()
	if _, err := starter.Create(ctx, s.Client, spec); err != nil {
		return Run{}, err
	}
	go joins.follow(ctx, s, name)
	st, err := starter.WaitProvisioned(ctx, s.Client, name, io.Discard)
	run := Run{Nodes: nodes, Wall: time.Since(start).Seconds()}
	defer func() { _, _ = starter.Terminate(context.Background(), s.Client, name) }()
	if err != nil {
		return run, err
	}
	run.NodeRSSMiB = s.nodeRSS(ctx, st)
	h, err := s.history(ctx, cluster.WorkflowID(name), "")
	if err != nil {
		return run, err
	}
	run.Steps, run.Events, run.HistoryBytes = stepTimes(h), len(h.Events), proto.Size(h)
	if last := joins.last(); !last.IsZero() {
		run.QuorumNotice = float64(completed(h, "WaitForSerfQuorum").Sub(last).Milliseconds())
	}
	return run, nil
}

func (s *Stack) history(ctx context.Context, id, runID string) (*historypb.History, error) {
	it := s.Client.GetWorkflowHistory(ctx, id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	h := &historypb.History{}
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("history of %s: %w", id, err)
		}
		h.Events = append(h.Events, e)
	}
	return h, nil
}

// stepTimes is, per activity type, first scheduled to last completed.
func stepTimes(h *historypb.History) map[string]float64 {
	types := map[int64]string{}
	first, last := map[string]time.Time{}, map[string]time.Time{}
	for _, e := range h.Events {
		if a := e.GetActivityTaskScheduledEventAttributes(); a != nil {
			t := a.GetActivityType().GetName()
			types[e.GetEventId()] = t
			if _, ok := first[t]; !ok {
				first[t] = e.GetEventTime().AsTime()
			}
		}
		if a := e.GetActivityTaskCompletedEventAttributes(); a != nil {
			last[types[a.GetScheduledEventId()]] = e.GetEventTime().AsTime()
		}
	}
	out := map[string]float64{}
	for t, f := range first {
		out[t] = last[t].Sub(f).Seconds()
	}
	return out
}

func completed(h *historypb.History, activityType string) time.Time {
	var sched int64
	for _, e := range h.Events {
		if a := e.GetActivityTaskScheduledEventAttributes(); a != nil && a.GetActivityType().GetName() == activityType {
			sched = e.GetEventId()
		}
		if a := e.GetActivityTaskCompletedEventAttributes(); a != nil && a.GetScheduledEventId() == sched && sched != 0 {
			return e.GetEventTime().AsTime()
		}
	}
	return time.Time{}
}

// nodeRSS is the largest memory use among the cluster's containers (MiB).
func (s *Stack) nodeRSS(ctx context.Context, st workflows.Status) float64 {
	max := 0.0
	for _, n := range st.Nodes {
		stats, err := s.Docker.Client.ContainerStatsOneShot(ctx, "herd-"+n.Name)
		if err != nil {
			continue
		}
		var v container.StatsResponse
		err = decodeJSON(stats.Body, &v)
		stats.Body.Close()
		if err == nil {
			if mib := float64(v.MemoryStats.Usage-v.MemoryStats.Stats["cache"]) / (1 << 20); mib > max {
				max = mib
			}
		}
	}
	return max
}

// joinWatch times member-join events on the server's Serf agent, as an
// observer beside the workflow.
type joinWatch struct {
	mu   sync.Mutex
	when time.Time
}

func (j *joinWatch) follow(ctx context.Context, s *Stack, name string) {
	var rpc string
	for rpc == "" && ctx.Err() == nil {
		if st, err := starter.QueryStatus(ctx, s.Client, name); err == nil {
			rpc = st.SerfRPC
		}
		time.Sleep(20 * time.Millisecond)
	}
	var c *serfclient.RPCClient
	for c == nil && ctx.Err() == nil {
		c, _ = serfclient.ClientFromConfig(&serfclient.Config{Addr: rpc, AuthKey: s.Master.For(name).SerfRPCAuth})
		time.Sleep(20 * time.Millisecond)
	}
	if c == nil {
		return
	}
	defer c.Close()
	ch := make(chan map[string]any, 1024)
	if _, err := c.Stream("member-join", ch); err != nil {
		return
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-ch:
			j.mu.Lock()
			j.when = time.Now()
			j.mu.Unlock()
		case <-time.After(2 * time.Minute):
			return
		}
	}
}

func (j *joinWatch) last() time.Time {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.when
}
