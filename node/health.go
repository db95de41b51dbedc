package node

import (
	"encoding/json"
	"net/http"

	"github.com/hashicorp/serf/serf"

	"github.com/herdhq/herd/contract"
)

// Health is what GET /health on a node reports.
type Health struct {
	Node    string        `json:"node"`
	Role    contract.Role `json:"role"`
	Healthy bool          `json:"healthy"`
	Serf    SerfHealth    `json:"serf"`
	DNS     DNSHealth     `json:"dns"`
	Ambari  AmbariHealth  `json:"ambari"`
}

// SerfHealth is the membership part of Health.
type SerfHealth struct {
	Joined  bool `json:"joined"`
	Alive   int  `json:"alive"`
	Members int  `json:"members"`
}

// DNSHealth is the DNS part of Health.
type DNSHealth struct {
	Addr    string `json:"addr"`
	Records int    `json:"records"`
}

// AmbariHealth is the Ambari-role part of Health.
type AmbariHealth struct {
	Emulator   bool   `json:"emulator"`
	Server     string `json:"server,omitempty"`
	Registered bool   `json:"registered"`
	Error      string `json:"error,omitempty"`
}

// Health gathers the node's state.
func (n *Node) Health() Health {
	h := Health{Node: n.cfg.NodeName, Role: n.cfg.Role}
	members := n.serf.Members()
	h.Serf = SerfHealth{Joined: n.serf.Joined(), Members: len(members)}
	for _, m := range members {
		if m.Status == serf.StatusAlive {
			h.Serf.Alive++
		}
	}
	h.DNS = DNSHealth{Addr: n.dns.Addr(), Records: len(n.records.Hosts())}
	server, registered, lastErr := n.agent.state()
	h.Ambari = AmbariHealth{Emulator: n.cfg.Role == contract.RoleServer, Server: server, Registered: registered, Error: lastErr}
	h.Healthy = h.Serf.Joined && h.DNS.Records > 0 && registered
	return h
}

func (n *Node) health(w http.ResponseWriter, _ *http.Request) {
	h := n.Health()
	w.Header().Set("Content-Type", "application/json")
	if !h.Healthy {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_ = json.NewEncoder(w).Encode(h)
}
