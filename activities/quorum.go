package activities

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	serfclient "github.com/hashicorp/serf/client"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/internal/poll"
)

// QuorumInput names the members a cluster must have.
type QuorumInput struct {
	Cluster string         `json:"cluster"`
	RPCAddr string         `json:"rpc_addr"` // the server node's Serf RPC
	Nodes   []cluster.Node `json:"nodes"`
	// Timeout bounds the wait (the activity's deadline bounds it too).
	Timeout time.Duration `json:"timeout,omitempty"`
}

// QuorumResult reports the alive members.
type QuorumResult struct {
	Alive   int      `json:"alive"`
	Members []string `json:"members"`
}

// WaitForSerfQuorum watches the server node's Serf agent over RPC until
// every expected member is alive with the right tags, heartbeating
// "n/N alive". It follows Serf's event stream, so it notices the last join
// at once, and looks again every poll interval in case a stream breaks. At
// its deadline it fails, naming the missing nodes.
func (a *Activities) WaitForSerfQuorum(ctx context.Context, in QuorumInput) (QuorumResult, error) {
	wctx, cancel := deadlineCtx(ctx, in.Timeout)
	defer cancel()
	w := &serfWatch{addr: in.RPCAddr, auth: a.Master.For(in.Cluster).SerfRPCAuth, changed: make(chan map[string]any, 256)}
	defer w.close()
	var res QuorumResult
	var missing []string
	err := poll.UntilChanged(wctx, a.interval(), w.changed, func(context.Context) (bool, error) {
		members, err := w.members()
		if err != nil {
			heartbeat(ctx, cluster.Progress{Text: fmt.Sprintf("0/%d alive (serf rpc: %v)", len(in.Nodes), err), Total: len(in.Nodes)})
			return false, nil
		}
		res, missing = checkQuorum(in, members)
		a.recordAlive(ctx, in.Cluster, res.Alive)
		heartbeat(ctx, cluster.Progress{Text: fmt.Sprintf("%d/%d alive", res.Alive, len(in.Nodes)), Done: res.Alive, Total: len(in.Nodes)})
		return len(missing) == 0 && res.Alive == len(in.Nodes), nil
	})
	if err == nil || ctx.Err() != nil {
		return res, err
	}
	msg := fmt.Sprintf("serf quorum not reached: %d/%d alive, missing %s", res.Alive, len(in.Nodes), strings.Join(missing, ", "))
	return res, temporal.NewNonRetryableApplicationError(msg, ErrQuorumTimeout, nil, missing)
}

func (a *Activities) recordAlive(ctx context.Context, clusterName string, alive int) {
	if activity.IsActivity(ctx) {
		activity.GetMetricsHandler(ctx).WithTags(map[string]string{"cluster": clusterName}).Gauge("herd_nodes_alive").Update(float64(alive))
	}
}

// serfWatch is one RPC connection to a Serf agent with a stream of its
// membership events into changed (made by the caller, never closed); it
// reconnects after an error.
type serfWatch struct {
	addr, auth string
	client     *serfclient.RPCClient
	changed    chan map[string]any
}

func (w *serfWatch) members() ([]serfclient.Member, error) {
	if w.client == nil || w.client.IsClosed() {
		if err := w.connect(); err != nil {
			return nil, err
		}
	}
	ms, err := w.client.Members()
	if err != nil {
		w.close()
	}
	return ms, err
}

func (w *serfWatch) connect() error {
	c, err := serfclient.ClientFromConfig(&serfclient.Config{Addr: w.addr, AuthKey: w.auth})
	if err != nil {
		return err
	}
	// Serf's client closes a stream's channel when the connection ends, so
	// each connection streams into its own, forwarded to changed (a wake-up
	// only: when changed is full, the next look sees the change anyway).
	stream := make(chan map[string]any, 64)
	if _, err := c.Stream("member-join,member-leave,member-failed,member-update,member-reap", stream); err != nil {
		c.Close()
		return err
	}
	go func() {
		for e := range stream {
			select {
			case w.changed <- e:
			default:
			}
		}
	}()
	w.client = c
	return nil
}

func (w *serfWatch) close() {
	if w.client != nil {
		w.client.Close()
		w.client = nil
	}
}

// checkQuorum matches members to the expected nodes: alive, tagged
// as agents, in this cluster, tagged as the server on the server. An
// alive member of the cluster that is not expected (a node being removed)
// is also reported, so a downscale waits until it has left.
func checkQuorum(in QuorumInput, members []serfclient.Member) (QuorumResult, []string) {
	byName := map[string]serfclient.Member{}
	expected := map[string]bool{}
	for _, n := range in.Nodes {
		expected[n.FQDN] = true
	}
	var extra []string
	for _, m := range members {
		byName[m.Name] = m
		if m.Status == "alive" && m.Tags[contract.TagCluster] == in.Cluster && !expected[m.Name] {
			extra = append(extra, m.Name+" (still alive)")
		}
	}
	var res QuorumResult
	var missing []string
	for _, n := range in.Nodes {
		m, ok := byName[n.FQDN]
		if ok && m.Status == "alive" && tagsOK(m.Tags, in.Cluster, n) {
			res.Alive++
			res.Members = append(res.Members, n.FQDN)
			continue
		}
		missing = append(missing, n.FQDN)
	}
	sort.Strings(missing)
	sort.Strings(extra)
	return res, append(missing, extra...)
}

func tagsOK(tags map[string]string, clusterName string, n cluster.Node) bool {
	if tags[contract.TagAgent] != "true" || tags[contract.TagCluster] != clusterName {
		return false
	}
	return (tags[contract.TagServer] == "true") == n.IsServer()
}
