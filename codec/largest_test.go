package codec

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/secrets"
)

// payloadMargin is half of Temporal's limit on one payload (2 MiB).
const payloadMargin = 1 << 20

// The workflow carries every node's state in one payload: its status
// query's answer, its input when it continues as new. For the largest
// cluster herd accepts, with names as long as allowed and random container
// IDs, it stays under half of Temporal's limit.
func TestTheLargestClustersStateFitsOnePayload(t *testing.T) {
	st := largestState(t)
	c, _ := New(secrets.KeyFile{Master: master(t)})
	for what, v := range map[string]any{"continue-as-new input": cluster.ClusterInput{Spec: st.Spec, State: &st}, "status": st.Status} {
		p, err := c.DataConverter().ToPayload(v)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Data) > payloadMargin {
			t.Errorf("the %s of a %d-node cluster takes %d bytes: over %d", what, cluster.MaxNodes, len(p.Data), payloadMargin)
		}
		t.Logf("%s of %d nodes: %d bytes", what, cluster.MaxNodes, len(p.Data))
	}
}

func largestState(t *testing.T) cluster.State {
	name := strings.Repeat("c", 28) + "-big"
	spec := cluster.Spec{Name: name, Domain: "analytics.production.example.com", Provider: "docker", Image: "herd-node:dev",
		HostGroups: []cluster.HostGroup{{Name: "master", Count: 1}, {Name: "workers", Count: cluster.MaxNodes - 1}}}
	st := cluster.State{Spec: spec, NextIndex: cluster.MaxNodes + 1, Status: cluster.Status{Cluster: name, Phase: cluster.PhaseReady}}
	since := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	for i, n := range spec.Nodes() {
		id := make([]byte, 32)
		_, _ = rand.Read(id)
		ip := fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
		st.Nodes = append(st.Nodes, cluster.NodeInfo{Node: n, ContainerID: hex.EncodeToString(id), IP: ip,
			AmbariURL: "http://" + ip + ":" + contract.Port(contract.PortAmbariAPI), SerfRPC: ip + ":" + contract.Port(contract.PortSerfRPC)})
		st.Instances = append(st.Instances, cluster.Instance{ID: "i-" + hex.EncodeToString(id[:9])[:17], Index: n.Index, Address: ip})
		st.Status.Nodes = append(st.Status.Nodes, cluster.NodeStatus{Node: n, IP: ip, State: cluster.NodeUp, Health: cluster.NodeAlive,
			HealthSince: since.Add(time.Duration(i) * time.Millisecond)})
	}
	return st
}
