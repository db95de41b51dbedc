package activities

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/herdhq/herd/ambari"
	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
)

// WatchInput names the cluster to watch and how to reach its server.
type WatchInput struct {
	Cluster   string `json:"cluster"`
	RPCAddr   string `json:"rpc_addr"`
	AmbariURL string `json:"ambari_url"`
	// Settle is how long a change waits for more before it is reported:
	// an event storm is one report (2 s by default).
	Settle time.Duration `json:"settle,omitempty"`
	// DiskAlertPercent is how full a node's file system gets before the
	// watch reports it (0: disks are not watched).
	DiskAlertPercent int `json:"disk_alert_percent,omitempty"`
}

func (in WatchInput) settle() time.Duration {
	if in.Settle > 0 {
		return in.Settle
	}
	return 2 * time.Second
}

// WatchHealth follows the server node's Serf event stream (joins, leaves,
// failures, reaps) and Ambari's host states until it is cancelled, and
// reports each settled change to the cluster's workflow as one whole
// Observation (a signal). It heartbeats; if its worker dies Temporal runs
// it again elsewhere, and its first report there makes good anything lost.
func (a *Activities) WatchHealth(ctx context.Context, in WatchInput) error {
	w := &serfWatch{addr: in.RPCAddr, auth: a.Master.For(in.Cluster).SerfRPCAuth, changed: make(chan map[string]any, 1024)}
	defer w.close()
	disks := &diskWatch{addr: in.RPCAddr, auth: w.auth, percent: in.DiskAlertPercent}
	cl := a.ambariClient(in.Cluster, in.AmbariURL)
	r := &reporter{settle: in.settle(), send: func(obs cluster.Observation) error { return a.report(ctx, obs) }}
	look := time.NewTimer(0)
	defer look.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-w.changed:
		case <-look.C:
		}
		disks.refresh(time.Now())
		obs := a.observe(ctx, w, cl, in.Cluster)
		for i := range obs.Members {
			obs.Members[i].DiskFull = disks.full[obs.Members[i].Name]
		}
		heartbeat(ctx, cluster.Progress{Text: summarize(obs)})
		wait := r.offer(obs, time.Now())
		look.Reset(min(wait, a.interval()*2, disksEvery))
	}
}

// report signals the cluster's workflow (its latest run) with an
// observation.
func (a *Activities) report(ctx context.Context, obs cluster.Observation) error {
	if a.Temporal == nil {
		return permanent("NoClient", "this worker has no Temporal client to report health with")
	}
	id := activity.GetInfo(ctx).WorkflowExecution.ID
	if err := a.Temporal.SignalWorkflow(ctx, id, "", cluster.SignalHealth, obs); err != nil {
		return fmt.Errorf("report health to %s: %w", id, err)
	}
	return nil
}

// observe looks once: every member of the server's Serf agent that belongs
// to the cluster, with its host's state in Ambari.
func (a *Activities) observe(ctx context.Context, w *serfWatch, cl *ambari.Client, clusterName string) cluster.Observation {
	members, err := w.members()
	if err != nil {
		return cluster.Observation{Reachable: false, Error: "serf rpc: " + err.Error()}
	}
	hctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	states := map[string]string{}
	if hosts, err := cl.Hosts(hctx); err == nil {
		for _, h := range hosts {
			states[strings.ToLower(h.HostName)] = h.HostState
		}
	}
	obs := cluster.Observation{Reachable: true}
	for _, m := range members {
		if m.Tags[contract.TagCluster] == clusterName {
			obs.Members = append(obs.Members, cluster.MemberObs{Name: m.Name, Serf: m.Status, Ambari: states[m.Name],
				Interruption: m.Tags[contract.TagInterruption]})
		}
	}
	sort.Slice(obs.Members, func(i, j int) bool { return obs.Members[i].Name < obs.Members[j].Name })
	return obs
}

func summarize(obs cluster.Observation) string {
	if !obs.Reachable {
		return "server unreachable: " + obs.Error
	}
	alive := 0
	for _, m := range obs.Members {
		if m.Serf == "alive" {
			alive++
		}
	}
	return fmt.Sprintf("%d/%d members alive", alive, len(obs.Members))
}

// reporter sends an observation once it has settled: when nothing changed
// for settle, or at most 4×settle after the first change, so that a storm
// of failures is one report. What could not be sent is sent again. A
// change that goes back before it settles is still reported: meanwhile
// the workflow may have acted on its own (a node it replaced, killed again
// within the settle time, looks as failed as the node before it). For the
// same reason, an unchanged observation with a member down is sent again
// every resendDown: a replaced node that joined and failed again between
// two looks, its events lost, would look unchanged forever (the workflow
// ignores what it already knows).
type reporter struct {
	settle  time.Duration
	send    func(cluster.Observation) error
	sent    *cluster.Observation
	sentAt  time.Time
	pending *cluster.Observation
	first   time.Time // first change not yet sent
	last    time.Time // latest change
}

// resendDown is how often an unchanged observation with a member down is
// sent again.
const resendDown = time.Minute

// offer takes the latest observation at now and says how soon to look again.
func (r *reporter) offer(obs cluster.Observation, now time.Time) time.Duration {
	if r.pending == nil {
		if r.sent != nil && sameObservation(*r.sent, obs) && !r.resendDue(obs, now) {
			return r.settle * 2
		}
		r.first, r.last = now, now
	} else if !sameObservation(*r.pending, obs) {
		r.last = now
	}
	r.pending = &obs
	due := minTime(r.last.Add(r.settle), r.first.Add(4*r.settle))
	if now.Before(due) {
		return due.Sub(now)
	}
	if err := r.send(obs); err != nil {
		return r.settle
	}
	r.sent, r.sentAt, r.pending = &obs, now, nil
	return r.settle * 2
}

// resendDue reports whether an unchanged observation is due to be sent
// again: a member is down and resendDown passed since the last send.
func (r *reporter) resendDue(obs cluster.Observation, now time.Time) bool {
	down := slices.ContainsFunc(obs.Members, func(m cluster.MemberObs) bool { return m.Serf != "alive" })
	return down && !now.Before(r.sentAt.Add(resendDown))
}

func sameObservation(a, b cluster.Observation) bool {
	return a.Reachable == b.Reachable && slices.Equal(a.Members, b.Members)
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
