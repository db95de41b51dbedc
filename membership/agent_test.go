package membership

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	serfclient "github.com/hashicorp/serf/client"
	"github.com/hashicorp/serf/serf"

	"github.com/herdhq/herd/contract"
)

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func startAgent(t *testing.T, name string, key []byte, join ...string) *Agent {
	t.Helper()
	a, err := Start(context.Background(), Config{
		NodeName: name, BindAddr: "127.0.0.1", BindPort: freePort(t), RPCAddr: "127.0.0.1:0",
		RPCAuthKey: "token", EncryptKey: key, Tags: map[string]string{contract.TagAgent: "true"},
		JoinAddrs: join, RetryInterval: 200 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Shutdown() })
	return a
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	waitWithin(t, 10*time.Second, what, cond)
}

// waitWithin waits until cond holds, for at most d.
func waitWithin(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("timed out waiting for " + what)
}

func aliveCount(a *Agent) int {
	n := 0
	for _, m := range a.Members() {
		if m.Status == serf.StatusAlive {
			n++
		}
	}
	return n
}

func TestJoinRetriesUntilTheFirstNodeIsUp(t *testing.T) {
	key := []byte("0123456789abcdef")
	port := freePort(t)
	second := startAgent(t, "b.herd.local", key, net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	time.Sleep(500 * time.Millisecond) // a few failed joins
	if second.Joined() {
		t.Fatal("joined a node that does not exist yet")
	}
	first, err := Start(context.Background(), Config{NodeName: "a.herd.local", BindAddr: "127.0.0.1", BindPort: port,
		RPCAddr: "127.0.0.1:0", EncryptKey: key, Tags: map[string]string{contract.TagServer: "true"},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Shutdown()
	var mu sync.Mutex
	var events []string
	first.OnEvent(func(e serf.Event) {
		mu.Lock()
		events = append(events, e.String())
		mu.Unlock()
	})
	waitFor(t, "join", func() bool { return second.Joined() && aliveCount(first) == 2 })
	c, err := serfclient.ClientFromConfig(&serfclient.Config{Addr: second.RPCAddr(), AuthKey: "token"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ms, err := c.MembersFiltered(map[string]string{contract.TagServer: "true"}, "alive", "")
	if err != nil || len(ms) != 1 || ms[0].Name != "a.herd.local" {
		t.Fatalf("server member over RPC: %v %v", ms, err)
	}
	if err := second.Leave(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "leave seen", func() bool { return aliveCount(first) == 1 })
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(strings.Join(events, ","), "member-leave") {
		t.Fatalf("events: %v", events)
	}
}

// A node with another gossip key never joins, while a node with the right
// key, started at the same moment, does (the positive control: joining
// works in that window, so the intruder's absence means something).
func TestWrongGossipKeyCannotJoin(t *testing.T) {
	key := []byte("0123456789abcdef")
	first := startAgent(t, "a.herd.local", key)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(first.GossipPort()))
	intruder := startAgent(t, "x.herd.local", []byte("fedcba9876543210"), addr)
	control := startAgent(t, "b.herd.local", key, addr)
	waitFor(t, "the control node to join", func() bool { return control.Joined() && aliveCount(first) == 2 })
	if intruder.Joined() {
		t.Fatal("a node with another key joined")
	}
	for _, m := range first.Members() {
		if m.Name == "x.herd.local" {
			t.Fatalf("a node with another key is a member: %v", first.Members())
		}
	}
}

// Nodes that join the first one all at once, as a cluster's agents do,
// each learn of every other by gossip alone (a joiner gets from the first
// node only the members it knew then), and all of them learn of a node
// that fails without leaving. This holds the gossip settings to their
// job: a setting that loses gossip fails it. What each node has seen alive
// is kept from one look to the next: on a loaded machine a node's probes
// can go unanswered for a while and the node be suspected, then refute it;
// that is the failure detector at work, not gossip lost.
func TestEveryNodeLearnsEveryOtherByGossip(t *testing.T) {
	const n = 40
	key := []byte("0123456789abcdef")
	first := startAgent(t, "node-0.herd.local", key)
	join := net.JoinHostPort("127.0.0.1", strconv.Itoa(first.GossipPort()))
	w := &gossipWatch{agents: []*Agent{first}}
	for i := 1; i < n; i++ {
		w.agents = append(w.agents, startAgent(t, "node-"+strconv.Itoa(i)+".herd.local", key, join))
	}
	defer func() {
		if t.Failed() {
			t.Log(w.report())
		}
	}()
	waitWithin(t, time.Minute, "every node to see every other alive", w.allSeenAlive)
	failed := w.agents[n-1]
	name := failed.LocalMember().Name
	if err := failed.Shutdown(); err != nil { // no leave: a crash
		t.Fatal(err)
	}
	w.agents = w.agents[:n-1]
	waitWithin(t, time.Minute, "every node to see the failed one failed", func() bool {
		return w.allSee(name, serf.StatusFailed)
	})
}

// gossipWatch keeps, for each agent, the members it has seen alive.
type gossipWatch struct {
	agents []*Agent
	seen   []map[string]bool
}

// allSeenAlive looks at every agent's members and reports whether each
// agent has now seen every agent alive.
func (w *gossipWatch) allSeenAlive() bool {
	for len(w.seen) < len(w.agents) {
		w.seen = append(w.seen, map[string]bool{})
	}
	all := true
	for i, a := range w.agents {
		for _, m := range a.Members() {
			if m.Status == serf.StatusAlive {
				w.seen[i][m.Name] = true
			}
		}
		all = all && len(w.unseen(i)) == 0
	}
	return all
}

// unseen is the names of the agents that agent i has not seen alive.
func (w *gossipWatch) unseen(i int) []string {
	var names []string
	for _, o := range w.agents {
		if name := o.LocalMember().Name; !w.seen[i][name] {
			names = append(names, name)
		}
	}
	return names
}

// allSee reports whether every agent sees member name with status s.
func (w *gossipWatch) allSee(name string, s serf.MemberStatus) bool {
	return !slices.ContainsFunc(w.agents, func(a *Agent) bool {
		ms := a.Members()
		i := slices.IndexFunc(ms, func(m serf.Member) bool { return m.Name == name })
		return i < 0 || ms[i].Status != s
	})
}

// report tells, for each agent, whom it has not seen alive and whom it
// sees in another state now, for a failed test's log.
func (w *gossipWatch) report() string {
	var b strings.Builder
	for i, a := range w.agents {
		var other []string
		for _, m := range a.Members() {
			if m.Status != serf.StatusAlive {
				other = append(other, m.Name+" "+m.Status.String())
			}
		}
		slices.Sort(other)
		if unseen := w.unseen(i); len(unseen)+len(other) > 0 {
			fmt.Fprintf(&b, "\n%s: never seen alive %v; not alive now %v", a.LocalMember().Name, unseen, other)
		}
	}
	return b.String()
}
