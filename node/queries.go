package node

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hashicorp/serf/serf"

	"github.com/herdhq/herd/contract"
)

// onQuery answers the Serf queries of contract.Queries; others get no
// answer (their senders see this node acknowledge, and not respond).
func (n *Node) onQuery(q *serf.Query) {
	var answer any
	switch q.Name {
	case contract.QueryFacts:
		answer = n.facts()
	case contract.QueryDNS:
		answer = n.dnsView()
	default:
		return
	}
	b, err := json.Marshal(answer)
	if err == nil {
		err = q.Respond(b)
	}
	if err != nil {
		n.log.Warn("answer serf query", "query", q.Name, "err", err)
	}
}

// onUserEvent reacts to the user events of contract.Events; others are
// logged and ignored.
func (n *Node) onUserEvent(e serf.UserEvent) {
	switch e.Name {
	case contract.EventDNSRefresh:
		n.rebuildDNS()
	case contract.EventReregister:
		n.agent.reregister()
	default:
		n.log.Info("serf user event ignored: herd-node reacts to herd-dns-refresh and herd-reregister only", "event", e.Name)
		return
	}
	n.log.Info("serf user event", "event", e.Name)
}

// facts are this node's answer to contract.QueryFacts.
func (n *Node) facts() contract.Facts {
	f := contract.Facts{Node: n.cfg.NodeName, Role: n.cfg.Role, Version: nodeVersion(), Uptime: int64(time.Since(n.started).Seconds())}
	f.Load = loadAverage()
	f.MemTotal, f.MemAvailable = memInfoMiB()
	f.Disks = disks(maxDisks)
	return f
}

// dnsView is this node's answer to contract.QueryDNS.
func (n *Node) dnsView() contract.DNSView {
	h := sha256.New()
	hosts := n.records.Hosts()
	for _, host := range hosts {
		fmt.Fprintf(h, "%s %s\n", host.FQDN, host.IP)
	}
	return contract.DNSView{Node: n.cfg.NodeName, Records: len(hosts), Digest: hex.EncodeToString(h.Sum(nil))[:16]}
}
