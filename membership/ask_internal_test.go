package membership

import (
	"testing"

	serfclient "github.com/hashicorp/serf/client"
)

// The answers of a query come sorted by node as herd numbers them, and the
// empty ones Serf's RPC server streams once the query is closed (from no
// node) are dropped.
func TestCollectDropsAnswersFromNoNode(t *testing.T) {
	resp := make(chan serfclient.NodeResponse, 5)
	resp <- serfclient.NodeResponse{From: "c-10.d", Payload: []byte("x")}
	resp <- serfclient.NodeResponse{}
	resp <- serfclient.NodeResponse{From: "c-2.d", Payload: []byte("y")}
	resp <- serfclient.NodeResponse{}
	close(resp)
	got := collect(resp)
	if len(got) != 2 || got[0].Node != "c-2.d" || got[1].Node != "c-10.d" || string(got[0].Payload) != "y" {
		t.Fatalf("answers %+v", got)
	}
}
