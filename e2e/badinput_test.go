package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/herdhq/herd/contract"
)

// TestBadInputIsRefusedBeforeAnythingIsCreated feeds herd every kind of bad
// input a user gives, against a live Temporal server and engine: each is
// refused with one line that names the fix and exit code 2, and nothing
// is created in Temporal or on the engine.
func TestBadInputIsRefusedBeforeAnythingIsCreated(t *testing.T) {
	s := start(t)
	dir := t.TempDir()
	file := func(name, body string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	huge := file("huge.json", `{"host_groups":[],"x":"`+strings.Repeat("a", 2<<20)+`"}`, 0o644)
	notJSON := file("notjson.json", "host_groups: [master]", 0o644)
	unknownStack := file("stack.json", `{"Blueprints":{"stack_name":"HDP","stack_version":"9.9"},"host_groups":[{"name":"m","components":[{"name":"NAMENODE"}]}]}`, 0o644)
	badComponent := file("comp.json", `{"Blueprints":{"stack_name":"HDP","stack_version":"2.1"},"host_groups":[{"name":"m","components":[{"name":"FLUX_CAPACITOR"}]}]}`, 0o644)
	noGroups := file("nogroups.json", `{"Blueprints":{"stack_name":"HDP","stack_version":"2.1"},"host_groups":[]}`, 0o644)
	badTopology := file("topo.json", `{"Blueprints":{"stack_name":"HDP","stack_version":"2.1"},"host_groups":[{"name":"m","components":[{"name":"DATANODE"}]}]}`, 0o644)
	openKey := file("open.key", "00112233445566778899aabbccddeeff\n", 0o644)
	create := func(name string, args ...string) []string {
		return append([]string{"cluster", "create", name}, args...)
	}
	rows := []struct {
		args []string
		want string
	}{
		{create("Demo"), `cluster name "Demo" is not valid: use 2-32 lower-case letters`},
		{create("a"), `cluster name "a" is not valid`},
		{create("my_cluster"), `cluster name "my_cluster" is not valid`},
		{create(strings.Repeat("a", 33)), "is not valid: use 2-32"},
		{create("1abc"), "starting with a letter"},
		{create("abc-"), `cluster name "abc-" is not valid`},
		{create("bad", "--nodes", "0"), "0 nodes are too few: the blueprint's host groups need at least 2"},
		{create("bad", "--nodes", "-3"), "-3 nodes are too few"},
		{create("bad", "--nodes", "100000"), `host group "slaves" has 99999 nodes: at most 100`},
		{create("bad", "--nodes", "three"), `invalid argument "three" for "--nodes"`},
		{create("bad", "--blueprint", notJSON), "is not valid JSON"},
		{create("bad", "--blueprint", huge), "a blueprint is at most 1048576"},
		{create("bad", "--blueprint", unknownStack), "The requested stack doesn't exist. Name='HDP' Version='9.9' (stacks herd knows: BIGTOP-3.2.0, BIGTOP-3.3.0, HDP-2.0.6, HDP-2.1, HDP-2.2"},
		{create("bad", "--blueprint", badComponent), "The component 'FLUX_CAPACITOR' in host group 'm' is not valid for the specified stack"},
		{create("bad", "--blueprint", noGroups), "At least one host group must be specified in a blueprint"},
		{create("bad", "--blueprint", badTopology), "Cluster Topology validation failed"},
		{create("bad", "--blueprint", "nope"), "neither built in (multi-node-bigtop-3.3, multi-node-hdfs-yarn, multi-node-hdp-2.6, multi-node-hdp-3.1, single-node-hdfs-yarn) nor a readable file"},
		{create("bad", "--provider", "gce"), `--provider "gce": use docker or aws`},
		{create("bad", "--provider", "aws"), "provider option region is missing: e.g. --provider-opt region=eu-central-1"},
		{create("bad", "--provider", "aws", "--region", "eu-central-1", "--ami", "img-1"), "is not an AMI id"},
		{create("bad", "--provider", "aws", "--region", "eu-central-1", "--ami", "ami-1", "--provider-opt", "root-volume-gib=5"), "give a size from 8 to 16384"},
		{create("bad", "--provider-opt", "region"), `--provider-opt "region": use KEY=VALUE`},
		{create("bad", "--provider-opt", "region=x"), `provider docker has no option "region": it has none`},
		{create("bad", "--provider-config", filepath.Join(dir, "none.conf")), "--provider-config: open"},
		{create("bad", "--domain", "local"), `domain "local" is not valid: use a DNS domain with at least two labels`},
		{create("bad", "--image", ""), "no node image given: build one with `make image`"},
		{create("bad", "--node-env", "oops"), `--node-env "oops": use KEY=VALUE`},
		{create("bad", "--node-env", contract.EnvRole+"=server"), contract.EnvRole + " is set by herd itself: leave it out of --node-env"},
		{create("bad", "--node-env", contract.EnvTaskDuration+"=fast"), contract.EnvTaskDuration + `="fast" is not a duration such as 5s`},
		{create("bad", "--emulator-task-duration", "fast"), `--emulator-task-duration "fast" is not a duration such as 2s`},
		{create("bad", "--repair", "sometimes"), `repair mode "sometimes": use auto or manual`},
		{create("bad", "--repair-after", "-5s"), "repair-after -5s: give a duration from 1s to 24h"},
		{create("bad", "--min-nodes", "9"), "--min-nodes 9: give 1 to 3"},
		{create("bad", "--quorum-timeout", "-1m"), "give positive durations"},
		{create("bad", "-o", "yaml"), `--output "yaml": use text or json`},
		{[]string{"cluster", "scale", "bad"}, `required flag(s) "nodes" not set`},
		{[]string{"autoscale", "set", "bad", "--host-group", "slaves", "--rule", "Pending > 0: +1"}, "unknown metric Pending: use one of AppsPending"},
		{[]string{"autoscale", "set", "bad", "--host-group", "slaves", "--min", "5", "--max", "2", "--rule", "AppsPending > 0: +1"}, "--min 5 is above --max 2: give min <= max"},
		{[]string{"autoscale", "set", "bad", "--host-group", "slaves", "--rule", "AppsPending > 0: +1", "--interval", "1ms"}, "--interval 1ms: give a duration from 1s to 1h"},
		{[]string{"cluster", "load", "bad", "--containers", "0"}, "give --containers, --memory-mb and --duration above zero"},
		{[]string{"cluster", "explode", "bad"}, `unknown command "explode"`},
		{[]string{"cluster", "repair-policy", "bad", "--repair", "often"}, `repair mode "often": use auto or manual`},
		{[]string{"cluster", "credentials", "bad", "--secret-file", filepath.Join(dir, "none.key")}, "no master key at"},
		{[]string{"cluster", "credentials", "bad", "--secret-file", openKey}, "chmod 600 " + openKey},
		{[]string{"schedule", "create", "bad", "--cluster", "bad", "--nodes", "2", "--cron", "every day"}, `--cron "every day"`},
		{[]string{"schedule", "create", "bad", "--cluster", "bad", "--nodes", "2", "--cron", "0 8 * * *", "--timezone", "Mars/Base"}, `--timezone "Mars/Base" is not a time zone`},
		{[]string{"schedule", "create", "bad", "--cluster", "bad", "--nodes", "2", "--cron", "0 8 * * *", "--every", "1h"}, "give exactly one of --cron, --every or --at"},
		{[]string{"schedule", "create", "bad", "--cluster", "bad", "--nodes", "2", "--at", "tomorrow"}, `--at "tomorrow": use RFC 3339`},
	}
	before := s.herdResources()
	for _, r := range rows {
		out, code := s.cli(r.args...)
		out = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(out), "herd: "))
		if code != 2 || strings.Contains(out, "\n") || !strings.Contains(out, r.want) {
			t.Errorf("herd %s\n  exit %d, %q\n  want exit 2 and one line containing %q", strings.Join(r.args, " "), code, out, r.want)
		}
	}
	s.checkNothingCreated(before)
}

// herdResources lists the IDs of herd's containers, networks and volumes
// on the engine (any cluster's: the engine may hold others' too).
func (s *stack) herdResources() map[string]bool {
	ctx := context.Background()
	label := filters.NewArgs(filters.Arg("label", contract.LabelCluster))
	ids := map[string]bool{}
	cs, err := s.p.Client.ContainerList(ctx, container.ListOptions{All: true, Filters: label})
	if err != nil {
		s.t.Fatal(err)
	}
	for _, c := range cs {
		ids["container "+c.Names[0]] = true
	}
	ns, err := s.p.Client.NetworkList(ctx, network.ListOptions{Filters: label})
	if err != nil {
		s.t.Fatal(err)
	}
	for _, n := range ns {
		ids["network "+n.Name] = true
	}
	vs, err := s.p.Client.VolumeList(ctx, volume.ListOptions{Filters: label})
	if err != nil {
		s.t.Fatal(err)
	}
	for _, v := range vs.Volumes {
		ids["volume "+v.Name] = true
	}
	return ids
}

// checkNothingCreated: no workflow or schedule in Temporal, and herd has
// no container, network or volume on the engine that it had not before.
func (s *stack) checkNothingCreated(before map[string]bool) {
	ctx := context.Background()
	resp, err := s.c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{})
	if err != nil || len(resp.Executions) != 0 {
		s.t.Fatalf("bad input made %d workflows (%v)", len(resp.GetExecutions()), err)
	}
	if it, err := s.c.ScheduleClient().List(ctx, client.ScheduleListOptions{}); err != nil || it.HasNext() {
		s.t.Fatalf("bad input made a schedule (%v)", err)
	}
	if made := s.madeSince(before); len(made) != 0 {
		s.t.Fatalf("bad input made %v", made)
	}
}

// madeSince lists herd's containers, networks and volumes on the engine
// that were not there before.
func (s *stack) madeSince(before map[string]bool) []string {
	var made []string
	for id := range s.herdResources() {
		if !before[id] {
			made = append(made, id)
		}
	}
	return made
}
