package starter

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/membership"
	"github.com/herdhq/herd/secrets"
)

// QueryResult is what `herd cluster query` prints: each node's answer, and
// the alive nodes that did not answer in time.
type QueryResult struct {
	Cluster string             `json:"cluster"`
	Query   string             `json:"query"`
	Facts   []contract.Facts   `json:"facts,omitempty"`
	DNS     []contract.DNSView `json:"dns,omitempty"`
	Silent  []string           `json:"no_answer"`
}

func (app *App) queryCommand() *cobra.Command {
	timeout := 5 * time.Second
	cmd := &cobra.Command{
		Use:   "query NAME facts|dns",
		Short: "ask every node of a cluster a Serf query: its facts (disks, memory, load, uptime, version) or its DNS view",
		Long: `Query sends one of herd's Serf queries to every node of the cluster, through
the server node's Serf RPC as ` + "`serf query`" + ` does (the stock CLI gets the same
answers: serf query herd-facts), and prints each node's answer, and the
nodes that did not answer in time. Nodes answer these queries only:
  facts   herd-facts: disk space per mount, memory, load, uptime, herd-node version
  dns     herd-dns: how many names the node's DNS resolves and their digest
          (nodes that see the cluster alike give the same digest)`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			query, err := queryName(args[1])
			if err != nil {
				return usage(err)
			}
			return app.withCredentials(cmd.Context(), args[0], func(st cluster.Status, s secrets.Cluster) error {
				res, err := ask(st, s, query, timeout)
				if err != nil {
					return err
				}
				out := cmd.OutOrStdout()
				return app.print(out, res, func() { printQuery(out, res) })
			})
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", timeout, "how long to wait for answers")
	return cmd
}

func (app *App) eventCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "event NAME dns-refresh|reregister",
		Short: "send a Serf user event to every node of a cluster",
		Long: `Event sends one of herd's Serf user events to every node of the cluster,
through the server node's Serf RPC as ` + "`serf event`" + ` does. Nodes react to these
only (others are logged and ignored; nothing runs a command it is sent):
  dns-refresh   herd-dns-refresh: rebuild the node's DNS from Serf's members now
  reregister    herd-reregister: the node's Ambari agent registers again`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			event, err := herdName(args[1], contract.Events)
			if err != nil {
				return usage(err)
			}
			return app.withCredentials(cmd.Context(), args[0], func(st cluster.Status, s secrets.Cluster) error {
				if err := reachable(st); err != nil {
					return err
				}
				if err := membership.Fire(st.SerfRPC, s.SerfRPCAuth, event, nil); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "event %s sent to cluster %s\n", event, args[0])
				return nil
			})
		},
	}
}

// queryName maps a query's short name (facts) to herd's (herd-facts).
func queryName(short string) (string, error) { return herdName(short, contract.Queries) }

func herdName(short string, known []string) (string, error) {
	name := "herd-" + strings.TrimPrefix(short, "herd-")
	if slices.Contains(known, name) {
		return name, nil
	}
	var shorts []string
	for _, k := range known {
		shorts = append(shorts, strings.TrimPrefix(k, "herd-"))
	}
	return "", fmt.Errorf("%q is not one of herd's: use %s", short, strings.Join(shorts, " or "))
}

// reachable refuses a cluster whose nodes cannot be asked.
func reachable(st cluster.Status) error {
	switch {
	case st.Phase == cluster.PhaseStopped:
		return fmt.Errorf("cluster %s is stopped: start it first (herd cluster start %s)", st.Cluster, st.Cluster)
	case st.Phase == cluster.PhaseTerminated:
		return fmt.Errorf("cluster %s is terminated", st.Cluster)
	case st.SerfRPC == "":
		return fmt.Errorf("cluster %s has no Serf RPC to talk to yet (it is %s): wait until its server is up", st.Cluster, st.Phase)
	}
	return nil
}

// ask sends the query and decodes the answers; an answer that does not
// decode counts as none.
func ask(st cluster.Status, s secrets.Cluster, query string, timeout time.Duration) (QueryResult, error) {
	if err := reachable(st); err != nil {
		return QueryResult{}, err
	}
	asked, err := membership.Ask(st.SerfRPC, s.SerfRPCAuth, query, timeout)
	if err != nil {
		return QueryResult{}, err
	}
	res := QueryResult{Cluster: st.Cluster, Query: query, Silent: asked.Silent}
	for _, a := range asked.Answers {
		var err error
		switch query {
		case contract.QueryFacts:
			var f contract.Facts
			if err = json.Unmarshal(a.Payload, &f); err == nil {
				res.Facts = append(res.Facts, f)
			}
		case contract.QueryDNS:
			var d contract.DNSView
			if err = json.Unmarshal(a.Payload, &d); err == nil {
				res.DNS = append(res.DNS, d)
			}
		}
		if err != nil {
			res.Silent = append(res.Silent, a.Node)
		}
	}
	return res, nil
}

func printQuery(w io.Writer, res QueryResult) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if res.Query == contract.QueryFacts {
		fmt.Fprintln(tw, "NODE\tROLE\tUPTIME\tLOAD 1/5/15\tMEMORY FREE\tDISKS (used)\tVERSION")
		for _, f := range res.Facts {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%.2f %.2f %.2f\t%d/%d MiB\t%s\t%s\n", f.Node, f.Role, time.Duration(f.Uptime)*time.Second,
				f.Load[0], f.Load[1], f.Load[2], f.MemAvailable, f.MemTotal, diskSummary(f.Disks), f.Version)
		}
	} else {
		fmt.Fprintln(tw, "NODE\tRECORDS\tDIGEST")
		for _, d := range res.DNS {
			fmt.Fprintf(tw, "%s\t%d\t%s\n", d.Node, d.Records, d.Digest)
		}
	}
	_ = tw.Flush()
	if len(res.Silent) > 0 {
		fmt.Fprintf(w, "no answer in time from %d node(s): %s\n", len(res.Silent), strings.Join(res.Silent, ", "))
	}
	if res.Query == contract.QueryDNS && len(res.DNS) > 0 {
		if views := dnsViews(res.DNS); views == 1 {
			fmt.Fprintf(w, "all %d nodes that answered see the same names\n", len(res.DNS))
		} else {
			fmt.Fprintf(w, "the nodes see the cluster in %d different ways: their DNS is not settled yet, or they are partitioned\n", views)
		}
	}
}

func diskSummary(disks []contract.Disk) string {
	var parts []string
	for _, d := range disks {
		parts = append(parts, fmt.Sprintf("%s %.0f%% of %d MiB", d.Mount, d.UsedPercent(), d.Total))
	}
	return strings.Join(parts, ", ")
}

func dnsViews(views []contract.DNSView) int {
	seen := map[string]bool{}
	for _, v := range views {
		seen[fmt.Sprintf("%d/%s", v.Records, v.Digest)] = true
	}
	return len(seen)
}
