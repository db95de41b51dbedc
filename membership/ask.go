package membership

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	serfclient "github.com/hashicorp/serf/client"
)

// Answer is one node's response to a query.
type Answer struct {
	Node    string
	Payload []byte
}

// Asked is what a query got: the answers by node name, and the alive
// members that did not answer in time.
type Asked struct {
	Answers []Answer
	Silent  []string
}

// Ask sends a Serf query through a node's RPC, as `serf query` does, and
// collects the answers until timeout.
func Ask(addr, authKey, name string, timeout time.Duration) (Asked, error) {
	cl, err := dial(addr, authKey)
	if err != nil {
		return Asked{}, err
	}
	defer cl.Close()
	members, err := cl.Members()
	if err != nil {
		return Asked{}, fmt.Errorf("serf members at %s: %w", addr, err)
	}
	resp := make(chan serfclient.NodeResponse, len(members)+1)
	if err := cl.Query(&serfclient.QueryParam{Name: name, Timeout: timeout, RespCh: resp}); err != nil {
		return Asked{}, fmt.Errorf("serf query %s at %s: %w", name, addr, err)
	}
	out := Asked{Answers: collect(resp)}
	for _, m := range members {
		if m.Status == "alive" && !slices.ContainsFunc(out.Answers, func(a Answer) bool { return a.Node == m.Name }) {
			out.Silent = append(out.Silent, m.Name)
		}
	}
	slices.SortFunc(out.Silent, compareNames)
	return out, nil
}

// collect gathers the answers until resp closes (when the query's time is
// up), sorted by node. An answer from no node is dropped: Serf's RPC server
// reads the query's response channel after Serf closed it at the deadline,
// and streams the zero values it gets until its own timer fires.
func collect(resp <-chan serfclient.NodeResponse) []Answer {
	var out []Answer
	for r := range resp {
		if r.From != "" {
			out = append(out, Answer{Node: r.From, Payload: r.Payload})
		}
	}
	slices.SortFunc(out, func(a, b Answer) int { return compareNames(a.Node, b.Node) })
	return out
}

// Fire sends a Serf user event through a node's RPC, as `serf event` does.
func Fire(addr, authKey, name string, payload []byte) error {
	cl, err := dial(addr, authKey)
	if err != nil {
		return err
	}
	defer cl.Close()
	if err := cl.UserEvent(name, payload, false); err != nil {
		return fmt.Errorf("serf event %s at %s: %w", name, addr, err)
	}
	return nil
}

func dial(addr, authKey string) (*serfclient.RPCClient, error) {
	cl, err := serfclient.ClientFromConfig(&serfclient.Config{Addr: addr, AuthKey: authKey, Timeout: 10 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("serf rpc %s: %w", addr, err)
	}
	return cl, nil
}

// compareNames orders node names as herd numbers them: c-2 before c-10.
func compareNames(a, b string) int {
	pa, na, okA := numbered(a)
	pb, nb, okB := numbered(b)
	if okA && okB && pa == pb && na != nb {
		return cmp.Compare(na, nb)
	}
	return strings.Compare(a, b)
}

// numbered splits NAME-N.DOMAIN into NAME and N.
func numbered(fqdn string) (string, int, bool) {
	short, _, _ := strings.Cut(fqdn, ".")
	i := strings.LastIndexByte(short, '-')
	if i < 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(short[i+1:])
	return short[:i], n, err == nil
}
