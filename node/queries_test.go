package node_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/herdhq/herd/ambari"
	"github.com/herdhq/herd/blueprints"
	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/internal/inproc"
	"github.com/herdhq/herd/membership"
	"github.com/herdhq/herd/providers"
)

// inprocCluster starts a 3-node cluster in this process: real Serf, DNS
// and emulator, no engine.
func inprocCluster(t *testing.T) []cluster.NodeInfo {
	p := inproc.New(t.TempDir())
	spec, err := blueprints.NewSpec("q", "multi-node-hdfs-yarn", 3)
	if err != nil {
		t.Fatal(err)
	}
	spec.Provider, spec.Domain = "inproc", "herd.test"
	t.Cleanup(func() { _, _ = p.Release(context.Background(), spec.Target()) })
	var nodes []cluster.NodeInfo
	for _, n := range spec.Nodes() {
		cfg := contract.DefaultConfig()
		cfg.Role, cfg.NodeName, cfg.Cluster, cfg.HostGroup = n.Role, n.FQDN, spec.Name, n.HostGroup
		cfg.RPCAuthKey, cfg.EncryptKey, cfg.Ambari.Password, cfg.RetryInterval = rpcAuth, gossipKey, password, 200*time.Millisecond
		cfg.Ambari.BeatInterval = 200 * time.Millisecond
		if !n.IsServer() {
			cfg.JoinAddr = "127.0.0.1:1" // inproc joins the server
		}
		info, err := p.StartNode(context.Background(), providers.StartRequest{Target: spec.Target(), Node: n, Config: cfg})
		if err != nil {
			t.Fatal(err)
		}
		nodes = append(nodes, info)
	}
	return nodes
}

// Every node answers herd-facts and herd-dns; once they all see one
// another, their DNS views agree; herd-reregister has each agent register
// again with Ambari.
func TestQueriesAndEvents(t *testing.T) {
	nodes := inprocCluster(t)
	server := nodes[0]
	eventually(t, 20*time.Second, "every node answers herd-dns alike", func() error {
		asked, err := membership.Ask(server.SerfRPC, rpcAuth, contract.QueryDNS, 2*time.Second)
		if err != nil {
			return err
		}
		if len(asked.Answers) != 3 || len(asked.Silent) != 0 {
			return fmt.Errorf("answers %d, silent %v", len(asked.Answers), asked.Silent)
		}
		var first contract.DNSView
		for i, a := range asked.Answers {
			var v contract.DNSView
			if err := json.Unmarshal(a.Payload, &v); err != nil {
				return err
			}
			if i == 0 {
				first = v
			}
			if v.Node != a.Node || v.Records != 3 || v.Digest != first.Digest {
				return fmt.Errorf("%s sees %d names (%s), %s sees %d (%s)", v.Node, v.Records, v.Digest, first.Node, first.Records, first.Digest)
			}
		}
		return nil
	})
	asked, err := membership.Ask(server.SerfRPC, rpcAuth, contract.QueryFacts, 2*time.Second)
	if err != nil || len(asked.Answers) != 3 {
		t.Fatalf("facts: %+v %v", asked, err)
	}
	for i, a := range asked.Answers {
		var f contract.Facts
		if err := json.Unmarshal(a.Payload, &f); err != nil {
			t.Fatal(err)
		}
		if f.Node != nodes[i].FQDN || f.Role != nodes[i].Role || f.MemTotal <= 0 || f.MemAvailable <= 0 || f.Version == "" {
			t.Errorf("facts of %s: %+v", nodes[i].FQDN, f)
		}
		if len(f.Disks) == 0 || f.Disks[0].Mount != "/" || f.Disks[0].Total <= 0 || f.Disks[0].Free > f.Disks[0].Total {
			t.Errorf("%s: disks %+v, want the root file system first", f.Node, f.Disks)
		}
		if len(a.Payload) > 1024 {
			t.Errorf("%s: %d bytes, over Serf's limit on a response", f.Node, len(a.Payload))
		}
	}
	if asked, err := membership.Ask(server.SerfRPC, rpcAuth, "rm-rf", time.Second); err != nil || len(asked.Answers) != 0 {
		t.Fatalf("a query herd does not know gets no answer: %+v %v", asked, err)
	}
	checkReregister(t, server, nodes[1:])
}

// checkReregister: after herd-reregister, Ambari records a newer
// registration of every agent.
func checkReregister(t *testing.T, server cluster.NodeInfo, agents []cluster.NodeInfo) {
	cl := ambari.NewClient(server.AmbariURL, "admin", password)
	registered := func() map[string]int64 {
		hosts, _ := cl.Hosts(context.Background())
		out := map[string]int64{}
		for _, h := range hosts {
			out[h.HostName] = h.LastRegistrationTime
		}
		return out
	}
	var before map[string]int64
	eventually(t, 20*time.Second, "every agent registered", func() error {
		if before = registered(); len(before) < len(agents) {
			return fmt.Errorf("registered: %v", before)
		}
		return nil
	})
	time.Sleep(10 * time.Millisecond) // registrations are timed to the millisecond
	if err := membership.Fire(server.SerfRPC, rpcAuth, contract.EventReregister, nil); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "agents registered again", func() error {
		now := registered()
		for _, a := range agents {
			if now[a.FQDN] <= before[a.FQDN] {
				return fmt.Errorf("%s last registered at %d, as before", a.FQDN, now[a.FQDN])
			}
		}
		return nil
	})
}
