package starter

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/herdhq/herd/contract"
	"go.temporal.io/sdk/client"
)

func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := NewCommand(nil)
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), err
}

func TestBlueprintCommands(t *testing.T) {
	out, err := run(t, "blueprint", "list")
	if err != nil || !regexp.MustCompile(`multi-node-hdfs-yarn +HDP-2.1 +HDFS,MAPREDUCE2,YARN,ZOOKEEPER`).MatchString(out) ||
		!regexp.MustCompile(`multi-node-bigtop-3.3 +BIGTOP-3.3.0 +HDFS,HIVE,MAPREDUCE2,SPARK,TEZ,YARN,ZOOKEEPER`).MatchString(out) {
		t.Fatalf("list: %v\n%s", err, out)
	}
	out, err = run(t, "blueprint", "list", "-o", "json")
	var list []struct{ Name, Stack string }
	if err != nil || json.Unmarshal([]byte(out), &list) != nil || len(list) < 5 || list[0].Stack == "" {
		t.Fatalf("list json: %v\n%s", err, out)
	}
	out, err = run(t, "blueprint", "show", "single-node-hdfs-yarn")
	if err != nil || !strings.Contains(out, `"stack_name": "HDP"`) {
		t.Fatalf("show: %v\n%s", err, out)
	}
	out, err = run(t, "blueprint", "validate", "multi-node-hdfs-yarn", "-o", "json")
	if err != nil || !strings.Contains(out, `"valid": true`) {
		t.Fatalf("validate: %v\n%s", err, out)
	}
	auto := filepath.Join(t.TempDir(), "auto.json")
	os.WriteFile(auto, []byte(`{"Blueprints":{"stack_name":"HDP","stack_version":"2.6"},"host_groups":[
	  {"name":"m","components":[{"name":"NAMENODE"},{"name":"SECONDARY_NAMENODE"},{"name":"RESOURCEMANAGER"},{"name":"APP_TIMELINE_SERVER"},{"name":"ZOOKEEPER_SERVER"},{"name":"MAPREDUCE2_CLIENT"}]},
	  {"name":"w","components":[{"name":"DATANODE"},{"name":"NODEMANAGER"},{"name":"HDFS_CLIENT"},{"name":"YARN_CLIENT"},{"name":"ZOOKEEPER_CLIENT"}]}]}`), 0o644)
	out, err = run(t, "blueprint", "validate", auto)
	if err != nil || !strings.Contains(out, "Ambari adds to m: HISTORYSERVER") {
		t.Fatalf("validate says what Ambari adds: %v\n%s", err, out)
	}
	if _, err := run(t, "blueprint", "list", "-o", "yaml"); err == nil || !strings.Contains(err.Error(), "use text or json") {
		t.Fatalf("bad --output: %v", err)
	}
}

func TestCreateRejectsBadInputBeforeDialing(t *testing.T) {
	cases := map[string][]string{
		"neither built in":                   {"--blueprint", "nope"},
		"too few":                            {"--nodes", "1"},
		"--node-env \"oops\": use KEY=VALUE": {"--node-env", "oops"},
		"is not a duration":                  {"--emulator-task-duration", "fast"},
		"is not valid":                       {"--domain", "x"},
	}
	for want, extra := range cases {
		// An unreachable address proves no connection is attempted first.
		args := append([]string{"cluster", "create", "c1", "--address", "127.0.0.1:1"}, extra...)
		if _, err := run(t, args...); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v: want %q, got %v", extra, want, err)
		}
	}
	if _, err := run(t, "cluster", "create", "Bad_Name"); err == nil || !strings.Contains(err.Error(), "lower-case") {
		t.Errorf("bad name: %v", err)
	}
}

func TestSpecFromFlags(t *testing.T) {
	f := CreateFlags{Blueprint: "multi-node-hdfs-yarn", Nodes: 4, Provider: "docker", Image: "herd-node:dev",
		Domain: "herd.local", NodeEnv: []string{"A=b=c"}, TaskDuration: "0s"}
	spec, err := f.Spec("c1")
	if err != nil {
		t.Fatal(err)
	}
	if spec.Size() != 4 || spec.HostGroups[1].Count != 3 || spec.NodeEnv["A"] != "b=c" || spec.NodeEnv[contract.EnvTaskDuration] != "0s" {
		t.Fatalf("spec: %+v", spec)
	}
}

func TestProviderOptions(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/aws.conf"
	if err := os.WriteFile(path, []byte("# herd on AWS\nregion = eu-central-1\nami=ami-0123\ninstance-type=m5.large   # a comment\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f := CreateFlags{Blueprint: "multi-node-hdfs-yarn", Nodes: 3, Provider: "aws", Image: "herd-node:dev", Domain: "herd.local",
		ProviderConfig: path, ProviderOpts: []string{"instance-type=m5.xlarge"}}
	spec, err := f.Spec("c1")
	if err != nil || spec.ProviderOptions["region"] != "eu-central-1" || spec.ProviderOptions["instance-type"] != "m5.xlarge" || spec.ProviderOptions["ami"] != "ami-0123" {
		t.Fatalf("spec: %+v %v", spec.ProviderOptions, err)
	}
	f.ProviderOpts = []string{"ami=img-1"}
	if _, err := f.Spec("c1"); err == nil || !strings.Contains(err.Error(), "is not an AMI id") {
		t.Fatalf("bad ami must be refused before anything starts: %v", err)
	}
	f.ProviderOpts = []string{"colour=blue"}
	if _, err := f.Spec("c1"); err == nil || !strings.Contains(err.Error(), `provider aws has no option "colour": it has region, ami`) {
		t.Fatalf("an unknown option must be refused naming the known ones: %v", err)
	}
	f.Provider, f.ProviderConfig, f.ProviderOpts = "docker", "", []string{"region=x"}
	if _, err := f.Spec("c1"); err == nil || !strings.Contains(err.Error(), `provider docker has no option "region": it has none`) {
		t.Fatalf("docker takes no options: %v", err)
	}
	f.Provider = "gce"
	if _, err := f.Spec("c1"); err == nil || !strings.Contains(err.Error(), "use docker or aws") {
		t.Fatalf("unknown provider: %v", err)
	}
}

func TestDescribeSpec(t *testing.T) {
	spec := &client.ScheduleSpec{TimeZoneName: "Europe/Budapest",
		Calendars: []client.ScheduleCalendarSpec{{Second: []client.ScheduleRange{{Start: 0}}, Minute: []client.ScheduleRange{{Start: 0}},
			Hour: []client.ScheduleRange{{Start: 8}}, DayOfWeek: []client.ScheduleRange{{Start: 1, End: 5, Step: 1}}}},
		Intervals: []client.ScheduleIntervalSpec{{Every: 12 * time.Hour}}}
	want := "sec 0, min 0, hour 8, day *, month *, weekday 1-5; every 12h0m0s (Europe/Budapest)"
	if got := describeSpec(spec); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// TestSlimBuildRefusesTheEmbeddedDefault: without an embedded server,
// `herd dev` and `herd up` say how to get one, as usage errors.
func TestSlimBuildRefusesTheEmbeddedDefault(t *testing.T) {
	for _, args := range [][]string{{"dev"}, {"up", "--secret-file", filepath.Join(t.TempDir(), "k")}} {
		_, err := run(t, args...)
		if err == nil || ExitCode(err) != 2 || !strings.Contains(err.Error(), "make build") {
			t.Errorf("herd %s: %v (exit %d)", args[0], err, ExitCode(err))
		}
	}
}

// TestSecretsInit: a new master key once, 0600; never over an existing one.
func TestSecretsInit(t *testing.T) {
	key := filepath.Join(t.TempDir(), "etc", "master.key")
	if out, err := run(t, "secrets", "init", "--secret-file", key); err != nil || !strings.Contains(out, "every worker") {
		t.Fatalf("init: %v\n%s", err, out)
	}
	info, err := os.Stat(key)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", info, err)
	}
	before, _ := os.ReadFile(key)
	_, err = run(t, "secrets", "init", "--secret-file", key)
	after, _ := os.ReadFile(key)
	if err == nil || !strings.Contains(err.Error(), "already exists") || !bytes.Equal(before, after) {
		t.Fatalf("second init: %v; key changed: %v", err, !bytes.Equal(before, after))
	}
}
