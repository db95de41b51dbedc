package starter

import (
	"fmt"
	"io"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/herdclient"
)

// follower prints a line each time a step, the phase or a running
// activity's live progress ("2/3 alive", "IN_PROGRESS 45%") changes; on a
// terminal it redraws in place instead.
type follower struct {
	w    io.Writer
	seen map[string]string
	live *live
}

func newFollower(w io.Writer) *follower {
	f := &follower{w: w, seen: map[string]string{}}
	if isTerminal(w) {
		f.live = &live{w: w}
	}
	return f
}

// show draws one snapshot of the cluster.
func (f *follower) show(s herdclient.Snapshot) {
	switch {
	case s.Err != nil:
	case f.live != nil:
		f.live.draw(s.Status, s.Live)
	default:
		f.print(s.Status)
		f.printLive(s.Live)
	}
}

func (f *follower) print(st cluster.Status) {
	if st.Operation != f.seen["op"] {
		f.seen = map[string]string{"op": st.Operation}
		fmt.Fprintf(f.w, "%s: %s\n", st.Cluster, st.Operation)
	}
	for i, s := range st.Steps {
		key := string(s.State) + " " + s.Detail
		if s.State == cluster.StepPending || f.seen[s.Name] == key {
			continue
		}
		f.seen[s.Name] = key
		fmt.Fprintf(f.w, "[%d/%d] %-22s %-8s %s\n", i+1, len(st.Steps), s.Name, s.State, s.Detail)
	}
	if string(st.Phase) != f.seen["phase"] {
		f.seen["phase"] = string(st.Phase)
		fmt.Fprintf(f.w, "cluster %s: %s\n", st.Cluster, st.Phase)
	}
}

func (f *follower) printLive(live map[string]cluster.Progress) {
	steps := make([]string, 0, len(live))
	for step := range live {
		steps = append(steps, step)
	}
	sort.Strings(steps)
	for _, step := range steps {
		if detail := live[step].String(); f.seen["live:"+step] != detail {
			f.seen["live:"+step] = detail
			fmt.Fprintf(f.w, "      %-22s %s\n", step, detail)
		}
	}
}

func printNodes(w io.Writer, st cluster.Status) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tFQDN\tROLE\tHOST GROUP\tIP\tSTATE\tHEALTH")
	for _, n := range st.Nodes {
		health := orDash(string(n.Health))
		if n.Health != "" && n.Health != cluster.NodeAlive {
			health += " since " + n.HealthSince.UTC().Format(time.TimeOnly)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", n.Name, n.FQDN, n.Role, n.HostGroup, n.IP, n.State, health)
	}
	tw.Flush()
}

func printReady(w io.Writer, st cluster.Status) {
	fmt.Fprintf(w, "\ncluster %s is %s: %d nodes, Ambari request %d\nAmbari (emulator unless you run a real Ambari image): %s\nlog in with:  herd cluster credentials %s\n\n",
		st.Cluster, st.Phase, len(st.Nodes), st.RequestID, st.AmbariURL, st.Cluster)
	printNodes(w, st)
}

func printStatus(w io.Writer, st cluster.Status) {
	fmt.Fprintf(w, "cluster %s (%s): %s; last operation: %s\n", st.Cluster, st.Provider, st.Phase, st.Operation)
	if st.Health != "" {
		fmt.Fprintf(w, "health: %s; repair %s after %s; %d failures, %d repairs\n", st.Health, st.Repair.Mode, st.Repair.After, st.Failures, st.Repairs)
	}
	if st.AmbariURL != "" {
		fmt.Fprintf(w, "ambari: %s\n", st.AmbariURL)
	}
	if st.Error != "" {
		fmt.Fprintf(w, "error: %s\n", st.Error)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nSTEP\tSTATE\tDETAIL")
	for _, s := range st.Steps {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Name, s.State, s.Detail)
	}
	tw.Flush()
	fmt.Fprintln(w)
	printNodes(w, st)
	if n := len(st.HealthLog); n > 0 {
		fmt.Fprintln(w, "\nrecent health changes:")
		for _, e := range st.HealthLog[max(0, n-10):] {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
}
