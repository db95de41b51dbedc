package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/hashicorp/serf/serf"

	"github.com/herdhq/herd/ambariemu"
	"github.com/herdhq/herd/clusterdns"
	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/membership"
)

// Node is a running herd node.
type Node struct {
	cfg     contract.Config
	log     *slog.Logger
	serf    *membership.Agent
	records *clusterdns.Records
	dns     *clusterdns.Server
	agent   *ambariAgent
	servers []*http.Server
	stop    chan struct{}
	started time.Time
}

// Start brings up DNS, Serf, the Ambari role and the health endpoint.
// Anything started is stopped again if a later part fails.
func Start(ctx context.Context, cfg contract.Config, log *slog.Logger) (n *Node, err error) {
	n = &Node{cfg: cfg, log: log, records: clusterdns.NewRecords(cfg.Domain), stop: make(chan struct{}), started: time.Now()}
	defer func() {
		if err != nil {
			n.shutdown(false)
		}
	}()
	h := &clusterdns.Handler{Records: n.records, Upstream: cfg.DNSUpstream, Logger: log}
	if n.dns, err = clusterdns.Listen(cfg.DNSAddr, h); err != nil {
		return nil, err
	}
	if n.serf, err = membership.Start(ctx, n.serfConfig()); err != nil {
		return nil, err
	}
	n.serf.OnEvent(n.onSerfEvent)
	n.rebuildDNS()
	if cfg.Role == contract.RoleServer {
		if err = n.startEmulator(); err != nil {
			return nil, err
		}
	}
	n.agent = newAmbariAgent(n)
	go n.agent.run(n.stop)
	if cfg.SpotNotice != "" {
		tell := func(notice string) error { return n.serf.SetTag(contract.TagInterruption, notice) }
		go newSpotWatch(cfg.SpotNotice, tell, log).run(n.stop)
	}
	if err = n.serve(cfg.HealthAddr, http.HandlerFunc(n.health)); err != nil {
		return nil, err
	}
	log.Info("herd node started", "node", cfg.NodeName, "role", cfg.Role, "join", cfg.JoinAddr)
	return n, nil
}

func (n *Node) serfConfig() membership.Config {
	host, port, _ := net.SplitHostPort(n.cfg.SerfBind)
	p, _ := strconv.Atoi(port)
	tags := map[string]string{contract.TagAgent: "true"}
	if n.cfg.Role == contract.RoleServer {
		tags[contract.TagServer] = "true"
	}
	if n.cfg.Cluster != "" {
		tags[contract.TagCluster] = n.cfg.Cluster
	}
	if n.cfg.HostGroup != "" {
		tags[contract.TagHostGroup] = n.cfg.HostGroup
	}
	var join []string
	if n.cfg.JoinAddr != "" {
		join = []string{n.cfg.JoinAddr}
	}
	return membership.Config{
		NodeName: n.cfg.NodeName, BindAddr: host, BindPort: p, AdvertiseAddr: n.cfg.AdvertiseIP,
		RPCAddr: n.cfg.SerfRPCAddr, RPCAuthKey: n.cfg.RPCAuthKey, EncryptKey: n.cfg.EncryptKey,
		Tags: tags, JoinAddrs: join, RetryInterval: n.cfg.RetryInterval, Logger: n.log,
	}
}

// onSerfEvent rebuilds DNS on every membership change, as the 2014 handler
// script rebuilt dnsmasq's hosts from `serf members -status=alive`; it
// answers herd's queries and reacts to herd's user events.
func (n *Node) onSerfEvent(e serf.Event) {
	switch e := e.(type) {
	case serf.MemberEvent:
		n.rebuildDNS()
	case *serf.Query:
		n.onQuery(e)
	case serf.UserEvent:
		n.onUserEvent(e)
	}
}

func (n *Node) rebuildDNS() {
	var hosts []clusterdns.Host
	for _, m := range n.serf.Members() {
		if m.Status == serf.StatusAlive {
			hosts = append(hosts, clusterdns.Host{FQDN: m.Name, IP: m.Addr})
		}
	}
	n.records.Replace(hosts)
	if n.cfg.HostsFile != "" {
		if err := n.records.WriteHostsFile(n.cfg.HostsFile); err != nil {
			n.log.Warn("write hosts file", "err", err)
		}
	}
}

// emulatorStep is how often the emulator moves each task of a running
// request on one state (PENDING, QUEUED, IN_PROGRESS, then COMPLETED once
// its duration passed); it rests while no request runs.
const emulatorStep = 50 * time.Millisecond

func (n *Node) startEmulator() error {
	a := n.cfg.Ambari
	emu := ambariemu.New(ambariemu.Config{
		User: a.User, Password: a.Password, TaskDuration: a.TaskDuration,
		FailHosts: a.FailHosts, FailComponents: a.FailComponents,
		HeartbeatTimeout: a.HeartbeatTimeout, NodeManagerMB: a.NodeManagerMB, Logger: n.log.With("component", "ambari-emulator"),
	})
	if err := emu.Load(a.StatePath); err != nil {
		return err
	}
	go emu.Run(emulatorStep, n.stop, a.StatePath)
	if err := n.serve(a.APIAddr, emu.Handler()); err != nil {
		return err
	}
	return n.serve(a.AgentAddr, emu.AgentHandler())
}

func (n *Node) serve(addr string, h http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	n.servers = append(n.servers, srv)
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			n.log.Error("http server stopped", "addr", addr, "err", err)
		}
	}()
	return nil
}

// Stop leaves the Serf cluster gracefully and stops everything.
func (n *Node) Stop() { n.shutdown(true) }

// Kill stops everything without leaving Serf, as a crash would: peers see
// the node fail.
func (n *Node) Kill() { n.shutdown(false) }

func (n *Node) shutdown(leave bool) {
	select {
	case <-n.stop:
		return
	default:
		close(n.stop)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, s := range n.servers {
		_ = s.Shutdown(ctx)
	}
	if n.serf != nil {
		if leave {
			if err := n.serf.Leave(); err != nil {
				n.log.Warn("serf leave", "err", err)
			}
		} else {
			_ = n.serf.Shutdown()
		}
	}
	if n.dns != nil {
		_ = n.dns.Shutdown(ctx)
	}
}
