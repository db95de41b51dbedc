package docker

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"os"
	"strconv"
	"strings"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"

	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/providers"
)

// NeighbourLimitFile holds the kernel's hard limit on neighbour (ARP)
// entries. The table is shared by every network namespace of the host.
const NeighbourLimitFile = "/proc/sys/net/ipv4/neigh/default/gc_thresh3"

// neighboursNeeded is how many neighbour entries clusters of these sizes
// hold at once: Serf's gossip has every node of a cluster talk to every
// other, so each container's namespace learns each peer's address, and the
// gateway's.
func neighboursNeeded(sizes map[string]int) int {
	n := 0
	for _, k := range sizes {
		n += k * k
	}
	return n
}

// checkNeighbours refuses, before anything is created, a cluster that
// would grow to adding more nodes when the engine's host cannot hold the
// neighbour entries of its containers and those of the clusters running
// beside it: past the limit, the kernel drops them ("neighbor table
// overflow"), nodes cannot reach the server, and quorum never comes.
// It applies to a local engine on a bridge network only; the limit is read
// from NeighbourLimit (NeighbourLimitFile unless set).
func (p *Provider) checkNeighbours(ctx context.Context, clusterName string, adding int) error {
	if p.HostNetwork || !strings.HasPrefix(p.Client.DaemonHost(), "unix://") {
		return nil
	}
	limit, err := readLimit(cmp.Or(p.NeighbourLimit, NeighbourLimitFile))
	if err != nil {
		return nil // no such file (not Linux): nothing to check against
	}
	sizes, err := p.runningSizes(ctx)
	if err != nil {
		return err
	}
	return neighbourRoom(sizes, clusterName, adding, limit)
}

// neighbourRoom refuses adding nodes to a cluster when the clusters' sizes
// (running containers) would then need more neighbour entries than limit.
func neighbourRoom(sizes map[string]int, clusterName string, adding, limit int) error {
	sizes = maps.Clone(sizes)
	sizes[clusterName] += adding
	need := neighboursNeeded(sizes)
	if need <= limit {
		return nil
	}
	return providers.Permanent("NeighbourTableTooSmall", fmt.Errorf(
		"cluster %s would have %d nodes on this Docker host, which with the %d other containers of herd running here need about %d neighbour (ARP) entries; the kernel holds at most %d (net.ipv4.neigh.default.gc_thresh3), and past it nodes cannot reach one another: raise the limit, e.g. `sudo sysctl -w net.ipv4.neigh.default.gc_thresh1=%d net.ipv4.neigh.default.gc_thresh2=%d net.ipv4.neigh.default.gc_thresh3=%d`, or make the cluster smaller",
		clusterName, sizes[clusterName], others(sizes, clusterName), need, limit, roundUp(need)/4, roundUp(need)/2, roundUp(need)))
}

// runningSizes counts the running containers of herd's clusters on the engine.
func (p *Provider) runningSizes(ctx context.Context) (map[string]int, error) {
	cs, err := p.Client.ContainerList(ctx, container.ListOptions{Filters: filters.NewArgs(filters.Arg("label", contract.LabelCluster))})
	if err != nil {
		return nil, fmt.Errorf("list herd's containers: %w", err)
	}
	sizes := map[string]int{}
	for _, c := range cs {
		sizes[c.Labels[contract.LabelCluster]]++
	}
	return sizes, nil
}

func others(sizes map[string]int, clusterName string) int {
	n := 0
	for name, k := range sizes {
		if name != clusterName {
			n += k
		}
	}
	return n
}

// roundUp is a limit with room to spare: twice the need, to a power of two.
func roundUp(need int) int {
	n := 1024
	for n < 2*need {
		n *= 2
	}
	return n
}

func readLimit(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}
