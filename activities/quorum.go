package activities

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	serfclient "github.com/hashicorp/serf/client"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/membership"
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

// WaitForSerfQuorum asks the server node's Serf agent over RPC until every
// expected member is alive with the right tags, heartbeating "n/N alive".
// At its deadline it fails, naming the missing nodes.
func (a *Activities) WaitForSerfQuorum(ctx context.Context, in QuorumInput) (QuorumResult, error) {
	wctx, cancel := deadlineCtx(ctx, in.Timeout)
	defer cancel()
	auth := a.Master.For(in.Cluster).SerfRPCAuth
	var res QuorumResult
	var missing []string
	_, err := a.waitUntil(wctx, func() (bool, string, error) {
		members, err := serfMembers(in.RPCAddr, auth)
		if err != nil {
			a.logger().Debug("serf rpc", "addr", in.RPCAddr, "err", err)
			return false, fmt.Sprintf("0/%d alive (serf rpc: %v)", len(in.Nodes), err), nil
		}
		res, missing = checkQuorum(in, members)
		if activity.IsActivity(ctx) {
			activity.GetMetricsHandler(ctx).WithTags(map[string]string{"cluster": in.Cluster}).Gauge("herd_nodes_alive").Update(float64(res.Alive))
		}
		return len(missing) == 0 && res.Alive == len(in.Nodes), fmt.Sprintf("%d/%d alive", res.Alive, len(in.Nodes)), nil
	})
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		msg := fmt.Sprintf("serf quorum not reached: %d/%d alive, missing %s", res.Alive, len(in.Nodes), strings.Join(missing, ", "))
		return res, temporal.NewNonRetryableApplicationError(msg, ErrQuorumTimeout, nil, missing)
	}
	return res, err
}

func serfMembers(addr, auth string) ([]serfclient.Member, error) {
	c, err := serfclient.ClientFromConfig(&serfclient.Config{Addr: addr, AuthKey: auth})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	return c.Members()
}

// checkQuorum matches members to the expected nodes: alive, tagged
// ambari-agent=true, in this cluster, ambari-server=true on the server. An
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
		if m.Status == "alive" && m.Tags[membership.TagCluster] == in.Cluster && !expected[m.Name] {
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
	if tags[membership.TagAgent] != "true" || tags[membership.TagCluster] != clusterName {
		return false
	}
	return (tags[membership.TagServer] == "true") == (n.Role == cluster.RoleServer)
}
