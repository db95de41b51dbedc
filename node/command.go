package node

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/miekg/dns"
	"github.com/spf13/cobra"

	"github.com/herdhq/herd/contract"
)

func about() string {
	return fmt.Sprintf(`herd-node is the program inside every herd cluster container.

It runs, in one process:
  - a Serf agent (gossip on %[1]d, RPC on %[2]d: the stock serf CLI works
    against it) that joins %[6]s with retries;
  - a DNS server on 127.0.0.1:%[3]d (containers run with --dns 127.0.0.1)
    serving A and PTR records for the alive Serf members and forwarding
    everything else upstream — the job dnsmasq did in the 2014 images;
  - the Ambari role from %[7]s. The server role runs herd's Ambari
    API EMULATOR on %[4]d (agents register on %[5]d): it speaks Ambari's v1
    REST API and request lifecycle but installs nothing — it is the local
    demo and the test double, not Apache Ambari. Every node runs an agent
    that finds the %[8]s=true member and registers by name.

The agent role runs Go code on one processor (GOMAXPROCS changes it); the
server role uses every core.

Environment:
%[9]s`, contract.PortSerf, contract.PortSerfRPC, contract.PortDNS, contract.PortAmbariAPI, contract.PortAmbariAgent,
		contract.EnvJoinIP, contract.EnvRole, contract.TagServer, contract.Usage())
}

// NewCommand returns the herd-node command tree.
func NewCommand() *cobra.Command {
	root := &cobra.Command{
		Use: "herd-node", Short: "the herd cluster node: Serf + DNS + Ambari role (emulator)",
		Long: about(), SilenceUsage: true, SilenceErrors: true,
	}
	root.AddCommand(runCommand(), healthCommand(), resolveCommand())
	return root
}

func runCommand() *cobra.Command {
	return &cobra.Command{
		Use: "run [server|agent]", Short: "run the node (role from the argument or " + contract.EnvRole + ")",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			role := ""
			if len(args) == 1 {
				role = args[0]
			}
			cfg, err := contract.Load(os.Getenv, role)
			if err != nil {
				return err
			}
			if procs := agentProcs(cfg.Role, os.Getenv("GOMAXPROCS")); procs > 0 {
				runtime.GOMAXPROCS(procs)
			}
			return run(cmd.Context(), cfg)
		},
	}
}

// agentProcs is how many processors an agent runs Go code on: one,
// unless GOMAXPROCS says otherwise (0: leave the runtime's choice). An
// agent waits on the network almost all the time; with one processor the
// runtime wakes fewer threads per packet, which cut an idle agent's CPU by
// about a fifth (five 60 s rounds side by side: 2-27%, median 21%). The
// server keeps every core for the Ambari API its agents and herd call.
func agentProcs(role contract.Role, env string) int {
	if role != contract.RoleAgent || env != "" {
		return 0
	}
	return 1
}

func run(ctx context.Context, cfg contract.Config) error {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: logLevel(cfg.Debug)}))
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	n, err := Start(ctx, cfg, log)
	if err != nil {
		return err
	}
	<-ctx.Done()
	log.Info("leaving the cluster")
	n.Stop()
	return nil
}

func logLevel(debug bool) slog.Level {
	if debug {
		return slog.LevelDebug
	}
	return slog.LevelInfo
}

func healthCommand() *cobra.Command {
	addr := net.JoinHostPort("127.0.0.1", contract.Port(contract.PortHealth))
	cmd := &cobra.Command{
		Use: "health", Short: "print the node's health; exit 1 unless healthy (a Docker HEALTHCHECK)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			c := &http.Client{Timeout: 3 * time.Second}
			resp, err := c.Get("http://" + addr + "/health")
			if err != nil {
				return fmt.Errorf("health endpoint %s: %w", addr, err)
			}
			defer resp.Body.Close()
			var h Health
			if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
				return fmt.Errorf("health endpoint %s: %w", addr, err)
			}
			b, _ := json.MarshalIndent(h, "", "  ")
			fmt.Fprintln(cmd.OutOrStdout(), string(b))
			if !h.Healthy {
				return fmt.Errorf("node %s is not healthy", h.Node)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&addr, "addr", addr, "health endpoint address")
	return cmd
}

func resolveCommand() *cobra.Command {
	server, qtype := contract.DefaultConfig().DNSAddr, "A"
	cmd := &cobra.Command{
		Use: "resolve NAME", Short: "ask the node's DNS server (like dig @127.0.0.1)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return resolve(cmd.OutOrStdout(), server, qtype, args[0])
		},
	}
	cmd.Flags().StringVar(&server, "server", server, "DNS server address")
	cmd.Flags().StringVar(&qtype, "type", qtype, "query type: A or PTR (give an IP for PTR)")
	return cmd
}

func resolve(w io.Writer, server, qtype, name string) error {
	m := new(dns.Msg)
	switch qtype {
	case "A":
		m.SetQuestion(dns.Fqdn(name), dns.TypeA)
	case "PTR":
		arpa, err := dns.ReverseAddr(name)
		if err != nil {
			return fmt.Errorf("PTR needs an IP address: %w", err)
		}
		m.SetQuestion(arpa, dns.TypePTR)
	default:
		return fmt.Errorf("--type %q: use A or PTR", qtype)
	}
	resp, _, err := new(dns.Client).Exchange(m, server)
	if err != nil {
		return fmt.Errorf("ask %s: %w", server, err)
	}
	if resp.Rcode != dns.RcodeSuccess || len(resp.Answer) == 0 {
		return fmt.Errorf("%s %s: %s", qtype, name, dns.RcodeToString[resp.Rcode])
	}
	for _, rr := range resp.Answer {
		switch v := rr.(type) {
		case *dns.A:
			fmt.Fprintln(w, v.A)
		case *dns.PTR:
			fmt.Fprintln(w, v.Ptr)
		}
	}
	return nil
}
