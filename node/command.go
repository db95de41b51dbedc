package node

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/miekg/dns"
	"github.com/spf13/cobra"
)

const about = `herd-node is the program inside every herd cluster container.

It runs, in one process:
  - a Serf agent (gossip on 7946, RPC on 7373: the stock serf CLI works
    against it) that joins SERF_JOIN_IP with retries;
  - a DNS server on 127.0.0.1:53 (containers run with --dns 127.0.0.1)
    serving A and PTR records for the alive Serf members and forwarding
    everything else upstream — the job dnsmasq did in the 2014 images;
  - the Ambari role from AMBARI_ROLE. The server role runs herd's Ambari
    API EMULATOR on 8080 (agents register on 8440): it speaks Ambari's v1
    REST API and request lifecycle but installs nothing — it is the local
    demo and the test double, not Apache Ambari. Every node runs an agent
    that finds the ambari-server=true member and registers by name.

Environment: AMBARI_ROLE (server|agent), SERF_JOIN_IP, SERF_ADVERTISE_IP,
SERF_RETRY_INTERVAL, SERF_ENCRYPT_KEY[_FILE] (base64, 16/24/32 bytes),
SERF_RPC_AUTH[_FILE], HERD_CLUSTER, HERD_HOST_GROUP, HERD_DOMAIN,
HERD_NODE_NAME, DNS_UPSTREAM (default 127.0.0.11:53), DNS_HOSTS_FILE,
AMBARI_USER, AMBARI_PASSWORD[_FILE] (required unless HERD_MODE=dev),
EMU_TASK_DURATION, EMU_FAIL_HOSTS, EMU_FAIL_COMPONENTS,
EMU_HEARTBEAT_TIMEOUT, AGENT_HEARTBEAT_INTERVAL.`

// NewCommand returns the herd-node command tree.
func NewCommand() *cobra.Command {
	root := &cobra.Command{
		Use: "herd-node", Short: "the herd cluster node: Serf + DNS + Ambari role (emulator)",
		Long: about, SilenceUsage: true, SilenceErrors: true,
	}
	root.AddCommand(runCommand(), healthCommand(), resolveCommand())
	return root
}

func runCommand() *cobra.Command {
	return &cobra.Command{
		Use: "run [server|agent]", Short: "run the node (role from the argument or AMBARI_ROLE)",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			role := ""
			if len(args) == 1 {
				role = args[0]
			}
			cfg, err := LoadConfig(os.Getenv, role)
			if err != nil {
				return err
			}
			return run(cmd.Context(), cfg)
		},
	}
}

func run(ctx context.Context, cfg Config) error {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: logLevel()}))
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

func logLevel() slog.Level {
	if os.Getenv("HERD_DEBUG") != "" {
		return slog.LevelDebug
	}
	return slog.LevelInfo
}

func healthCommand() *cobra.Command {
	addr := "127.0.0.1:8081"
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
	server, qtype := "127.0.0.1:53", "A"
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
