// Package membership runs the Serf agent of a herd node in-process: gossip,
// the RPC server the stock `serf` CLI talks to, retried joins and tags.
package membership

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"sync"
	"time"

	"github.com/hashicorp/serf/cmd/serf/command/agent"
	"github.com/hashicorp/serf/serf"

	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/internal/poll"
)

// Config is the explicit configuration of one node's Serf agent.
type Config struct {
	NodeName      string            // the node's FQDN
	BindAddr      string            // gossip bind address, e.g. 0.0.0.0
	BindPort      int               // gossip port
	AdvertiseAddr string            // address announced to peers; empty = detected
	RPCAddr       string            // RPC listen address
	RPCAuthKey    string            // RPC auth token; empty disables auth
	EncryptKey    []byte            // 32-byte gossip key; nil disables encryption
	Tags          map[string]string // tags announced to the cluster
	JoinAddrs     []string          // addresses to join (the first node's)
	RetryInterval time.Duration     // wait between failed joins
	Logger        *slog.Logger
}

// Agent is a running Serf agent with its RPC server.
type Agent struct {
	agent    *agent.Agent
	ipc      *agent.AgentIPC
	listener net.Listener
	logger   *slog.Logger

	mu       sync.Mutex
	handlers []func(serf.Event)
	joined   bool
}

// Start creates the Serf agent, its RPC listener, and begins joining the
// configured addresses in the background until one join succeeds.
func Start(ctx context.Context, cfg Config) (*Agent, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	conf, err := serfConfig(cfg)
	if err != nil {
		return nil, err
	}
	logOut := slogWriter{cfg.Logger.With("component", "serf")}
	sa, err := agent.Create(&agent.Config{}, conf, logOut)
	if err != nil {
		return nil, fmt.Errorf("create serf agent: %w", err)
	}
	a := &Agent{agent: sa, logger: cfg.Logger}
	sa.RegisterEventHandler(a)
	if err := sa.Start(); err != nil {
		return nil, fmt.Errorf("start serf agent: %w", err)
	}
	ln, err := net.Listen("tcp", cfg.RPCAddr)
	if err != nil {
		_ = sa.Shutdown()
		return nil, fmt.Errorf("listen for serf RPC on %s: %w", cfg.RPCAddr, err)
	}
	a.listener = ln
	a.ipc = agent.NewAgentIPC(sa, cfg.RPCAuthKey, ln, logOut, agent.NewLogWriter(256), false)
	if len(cfg.JoinAddrs) == 0 {
		a.setJoined()
	} else {
		go a.retryJoin(ctx, cfg.JoinAddrs, cfg.RetryInterval)
	}
	return a, nil
}

// gossipInterval is how often a node gossips what it has to tell to a few
// others: memberlist's WAN value instead of its LAN one (200 ms). While a
// cluster forms, every node has joins to tell all the time, so it gossips
// on every tick; a node of a forming 100-node cluster on one engine spent
// 1.4% of a core at 200 ms and 0.9% at 500 ms (measured with /proc, one
// run each), CPU the engine needs for the containers still starting. A
// fact now reaches 100 nodes in about 2.5 s rather than 1 s; failures are
// still found by probes every second, and a joining node gets the whole
// membership from the node it joins.
const gossipInterval = 500 * time.Millisecond

func serfConfig(cfg Config) (*serf.Config, error) {
	conf := serf.DefaultConfig()
	conf.Init()
	conf.NodeName = cfg.NodeName
	conf.Tags = cfg.Tags
	conf.MemberlistConfig.BindAddr = cfg.BindAddr
	conf.MemberlistConfig.BindPort = cfg.BindPort
	conf.MemberlistConfig.GossipInterval = gossipInterval
	if cfg.AdvertiseAddr != "" {
		conf.MemberlistConfig.AdvertiseAddr = cfg.AdvertiseAddr
		conf.MemberlistConfig.AdvertisePort = cfg.BindPort
	}
	if cfg.EncryptKey != nil {
		if err := contract.ValidateKey(cfg.EncryptKey); err != nil {
			return nil, err
		}
		conf.MemberlistConfig.SecretKey = cfg.EncryptKey
	}
	return conf, nil
}

func (a *Agent) retryJoin(ctx context.Context, addrs []string, interval time.Duration) {
	if interval <= 0 {
		interval = 5 * time.Second
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-a.agent.ShutdownCh():
			cancel()
		case <-ctx.Done():
		}
	}()
	attempt := 0
	_ = poll.Until(ctx, interval, func(context.Context) (bool, error) {
		attempt++
		n, err := a.agent.Join(addrs, false)
		if err == nil && n > 0 {
			a.logger.Info("joined serf cluster", "addrs", addrs, "nodes", n)
			a.setJoined()
			return true, nil
		}
		a.logger.Warn("serf join failed, retrying", "addrs", addrs, "attempt", attempt, "in", interval, "err", err)
		return false, nil
	})
}

func (a *Agent) setJoined() {
	a.mu.Lock()
	a.joined = true
	a.mu.Unlock()
}

// Joined reports whether the agent has joined its cluster (always true on the
// first node, which has nobody to join).
func (a *Agent) Joined() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.joined
}

// OnEvent registers a callback run for every Serf event. Callbacks must be
// quick: they run on the agent's event loop.
func (a *Agent) OnEvent(fn func(serf.Event)) {
	a.mu.Lock()
	a.handlers = append(a.handlers, fn)
	a.mu.Unlock()
}

// HandleEvent implements agent.EventHandler.
func (a *Agent) HandleEvent(e serf.Event) {
	a.mu.Lock()
	hs := append([]func(serf.Event){}, a.handlers...)
	a.mu.Unlock()
	for _, h := range hs {
		h(e)
	}
}

// Members returns every member Serf knows, alive or not.
func (a *Agent) Members() []serf.Member { return a.agent.Serf().Members() }

// LocalMember returns this node's own member record.
func (a *Agent) LocalMember() serf.Member { return a.agent.Serf().LocalMember() }

// SetTag sets one of this node's Serf tags, keeping the others; the
// change gossips to every member.
func (a *Agent) SetTag(key, value string) error {
	tags := maps.Clone(a.LocalMember().Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	tags[key] = value
	if err := a.agent.SetTags(tags); err != nil {
		return fmt.Errorf("set serf tag %s: %w", key, err)
	}
	return nil
}

// RPCAddr is the address the RPC server listens on.
func (a *Agent) RPCAddr() string { return a.listener.Addr().String() }

// GossipPort is the port gossip is bound to.
func (a *Agent) GossipPort() int {
	return int(a.agent.SerfConfig().MemberlistConfig.BindPort)
}

// Leave leaves the cluster gracefully and shuts the agent down.
func (a *Agent) Leave() error {
	leaveErr := a.agent.Leave()
	return errors.Join(leaveErr, a.Shutdown())
}

// Shutdown stops the agent without a graceful leave (peers see it fail).
func (a *Agent) Shutdown() error {
	a.ipc.Shutdown()
	return a.agent.Shutdown()
}

// slogWriter adapts Serf's standard-library log output to slog.
type slogWriter struct{ l *slog.Logger }

func (w slogWriter) Write(p []byte) (int, error) {
	w.l.Debug(string(trimNewline(p)))
	return len(p), nil
}

func trimNewline(p []byte) []byte {
	for len(p) > 0 && (p[len(p)-1] == '\n' || p[len(p)-1] == '\r') {
		p = p[:len(p)-1]
	}
	return p
}

var _ io.Writer = slogWriter{}
