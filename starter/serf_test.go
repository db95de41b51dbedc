package starter

import (
	"strings"
	"testing"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
)

// Only herd's own queries and events are sent; anything else is a usage
// error naming those, before anything is dialled.
func TestQueryAndEventNamesAreHerds(t *testing.T) {
	for arg, want := range map[string]string{"facts": contract.QueryFacts, "herd-dns": contract.QueryDNS} {
		if got, err := queryName(arg); err != nil || got != want {
			t.Errorf("%s: %s %v", arg, got, err)
		}
	}
	for _, args := range [][]string{{"cluster", "query", "c1", "uptime"}, {"cluster", "event", "c1", "reboot"}} {
		_, err := run(t, args...)
		if ExitCode(err) != 2 || !strings.Contains(err.Error(), "is not one of herd's: use") {
			t.Errorf("%v: want a usage error naming herd's, got %v", args, err)
		}
	}
	st := cluster.Status{Cluster: "c1", Phase: cluster.PhaseStopped, SerfRPC: "127.0.0.1:1"}
	if err := reachable(st); err == nil || !strings.Contains(err.Error(), "herd cluster start c1") {
		t.Errorf("a stopped cluster: %v", err)
	}
	st.Phase, st.SerfRPC = cluster.PhaseProvisioning, ""
	if err := reachable(st); err == nil || !strings.Contains(err.Error(), "wait until its server is up") {
		t.Errorf("a cluster without its server: %v", err)
	}
}

func TestPrintQuery(t *testing.T) {
	var b strings.Builder
	printQuery(&b, QueryResult{Query: contract.QueryFacts, Silent: []string{"c1-3.herd.local"}, Facts: []contract.Facts{{
		Node: "c1-1.herd.local", Role: contract.RoleServer, Version: "v1.2.0", Uptime: 3725, Load: [3]float64{0.5, 0.25, 0.1},
		MemTotal: 2048, MemAvailable: 1024, Disks: []contract.Disk{{Mount: "/", Total: 1000, Free: 250}}}}})
	for _, want := range []string{"c1-1.herd.local  server  1h2m5s  0.50 0.25 0.10  1024/2048 MiB  / 75% of 1000 MiB  v1.2.0",
		"no answer in time from 1 node(s): c1-3.herd.local"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, b.String())
		}
	}
	b.Reset()
	printQuery(&b, QueryResult{Query: contract.QueryDNS, DNS: []contract.DNSView{{Node: "a", Records: 3, Digest: "x"}, {Node: "b", Records: 2, Digest: "y"}}})
	if !strings.Contains(b.String(), "the nodes see the cluster in 2 different ways") {
		t.Errorf("disagreeing views must be told:\n%s", b.String())
	}
}

func TestConfigRequestFromArguments(t *testing.T) {
	req, err := configRequest("hdfs-site", []string{"dfs.replication=3", "-dfs.old", "x=a=b"})
	if err != nil || req.Set["dfs.replication"] != "3" || req.Set["x"] != "a=b" || len(req.Unset) != 1 || req.Unset[0] != "dfs.old" {
		t.Fatalf("%+v %v", req, err)
	}
	for args, want := range map[string][]string{"use key=value": {"novalue"}, "both set and removed": {"a=1", "-a"}} {
		if _, err := configRequest("hdfs-site", want); err == nil || !strings.Contains(err.Error(), args) {
			t.Errorf("%v: want %q, got %v", want, args, err)
		}
	}
	if _, err := run(t, "cluster", "config", "set", "c1", "hdfs-site", "oops"); ExitCode(err) != 2 {
		t.Errorf("a bad argument is a usage error before dialling: %v", err)
	}
}
