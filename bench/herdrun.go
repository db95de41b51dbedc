package bench

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/docker/docker/api/types/container"
	serfclient "github.com/hashicorp/serf/client"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/proto"

	"github.com/herdhq/herd/blueprints"
	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/internal/poll"
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
	spec, err := blueprints.NewSpec(name, cluster.DefaultBlueprint, nodes)
	if err != nil {
		return spec, err
	}
	spec.Image, spec.NodeEnv = image, map[string]string{contract.EnvTaskDuration: "0s"}
	spec.QuorumTimeout, spec.InstallTimeout, spec.MaxGroupSize = 5*time.Minute, 10*time.Minute, max(1000, nodes)
	return spec, spec.Validate()
}

// Provision creates a cluster, waits until it is ready, measures, and
// terminates it.
func (s *Stack) Provision(name, image string, nodes int) (Run, error) {
	defer s.Terminate(name)
	return s.ProvisionKept(name, image, nodes)
}

// Terminate releases a cluster the bench provisioned; a release that
// fails is logged, and the bench goes on (each run has its own names).
func (s *Stack) Terminate(name string) {
	if _, err := s.Herd.Terminate(context.Background(), name, cluster.ReleaseInput{}); err != nil {
		slog.Warn("the bench could not release a cluster", "cluster", name, "err", err)
	}
}

// ProvisionKept creates a cluster, waits until it is ready and measures
// it in detail (node RSS, steps, the quorum notice); the cluster is left
// running (Terminate releases it), so that tearing it down does not weigh
// on clusters still being measured.
func (s *Stack) ProvisionKept(name, image string, nodes int) (Run, error) {
	return s.provisionKept(name, image, nodes, true)
}

// provisionKept is ProvisionKept; without detail it measures the wall
// alone. The detail costs the engine and the Temporal server work (the
// join watch asks for the cluster's status every 20 ms until its server
// is up, and the node RSS is one stats call per container): with many
// clusters at once, it weighed on the others still provisioning.
func (s *Stack) provisionKept(name, image string, nodes int, detail bool) (Run, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	spec, err := Spec(name, image, nodes)
	if err != nil {
		return Run{}, err
	}
	joins := &joinWatch{}
	start := time.Now()
	if err := s.Herd.Create(ctx, spec); err != nil {
		return Run{}, err
	}
	if detail {
		go joins.follow(ctx, s, name)
	}
	st, err := s.Herd.WaitProvisioned(ctx, name, nil)
	run := Run{Nodes: nodes, Wall: time.Since(start).Seconds()}
	if err != nil || !detail {
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

// stepTimes is, per step, its activities' first scheduled to last
// completed.
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
		if l, ok := last[t]; ok { // a step still running (the health watch) has no time
			out[stepName(t)] = l.Sub(f).Seconds()
		}
	}
	return out
}

// stepName is the step an activity type does: a large cluster's agents
// are started in batches (StartAgentContainers), a small one's one by one.
func stepName(activityType string) string {
	if activityType == "StartAgentContainers" {
		return "StartAgentContainer"
	}
	return activityType
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
func (s *Stack) nodeRSS(ctx context.Context, st cluster.Status) float64 {
	most := 0.0
	for _, v := range s.containerStats(ctx, st) {
		most = max(most, rssMiB(v))
	}
	return most
}

// rssMiB is a container's memory less its page cache, as `docker stats`
// counts it (inactive_file on cgroup v2, cache on v1).
func rssMiB(v container.StatsResponse) float64 {
	cache, ok := v.MemoryStats.Stats["inactive_file"]
	if !ok {
		cache = v.MemoryStats.Stats["cache"]
	}
	return float64(v.MemoryStats.Usage-cache) / (1 << 20)
}

// joinWatch times member-join events on the server's Serf agent, as an
// observer beside the workflow.
type joinWatch struct {
	mu   sync.Mutex
	when time.Time
}

func (j *joinWatch) follow(ctx context.Context, s *Stack, name string) {
	var rpc string
	_ = poll.Until(ctx, 20*time.Millisecond, func(ctx context.Context) (bool, error) {
		st, err := s.Herd.Status(ctx, name)
		rpc = st.SerfRPC
		return err == nil && rpc != "", nil
	})
	var c *serfclient.RPCClient
	err := poll.Until(ctx, 20*time.Millisecond, func(context.Context) (bool, error) {
		var err error
		c, err = serfclient.ClientFromConfig(&serfclient.Config{Addr: rpc, AuthKey: s.Master.For(name).SerfRPCAuth})
		return err == nil, nil
	})
	if err != nil {
		return
	}
	defer c.Close()
	ch := make(chan map[string]any, 1024)
	if _, err := c.Stream("member-join", ch); err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for {
		select {
		case <-ctx.Done():
			return
		case _, ok := <-ch:
			if !ok { // the stream ended (the cluster went away): spinning on it stole the CPU being measured
				return
			}
			j.mu.Lock()
			j.when = time.Now()
			j.mu.Unlock()
		}
	}
}

func (j *joinWatch) last() time.Time {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.when
}
