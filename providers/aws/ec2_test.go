package aws

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/providers"
)

func newEC2(t *testing.T, endpoint string, opts ...func(*Options)) *EC2 {
	o := Options{Region: "eu-central-1", Endpoint: endpoint, AMI: "ami-good1", InstanceType: "m5.large", CapacityWait: time.Minute}
	for _, f := range opts {
		f(&o)
	}
	e, err := NewEC2(context.Background(), o, "inst-a", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	e.WaitTimeout, e.Every = 30*time.Second, 10*time.Millisecond
	return e
}

func nodes(n int) []cluster.Node {
	out := make([]cluster.Node, n)
	for i := range out {
		name := "c1-" + string(rune('1'+i))
		out[i] = cluster.Node{Index: i + 1, Name: name, FQDN: name + ".herd.local", HostGroup: "slaves", Role: contract.RoleAgent}
	}
	return out
}

// launches are the launches of nodes in one allocation called launch.
func launches(e *EC2, clusterName, launch string, ns []cluster.Node) []Launch {
	out := make([]Launch, len(ns))
	for i, n := range ns {
		out[i] = Launch{Node: n, UserData: "#cloud-config\n", Token: ClientToken(e.Installation, clusterName, n.Name, launch)}
	}
	return out
}

func permanentErr(t *testing.T, err error, want string) {
	t.Helper()
	if _, ok := providers.AsPermanent(err); !ok || !strings.Contains(err.Error(), want) {
		t.Fatalf("want a permanent error containing %q, got %v", want, err)
	}
}

func TestLaunchWaitsUntilRunningAndRetryMakesNoDuplicate(t *testing.T) {
	f, url := newFakeEC2(t)
	e := newEC2(t, url)
	ctx := context.Background()
	first, err := e.Launch(ctx, "c1", launches(e, "c1", "run1/1", nodes(3)))
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 3 || first[0].Address == "" || first[2].Index != 3 {
		t.Fatalf("instances: %+v", first)
	}
	again, err := e.Launch(ctx, "c1", launches(e, "c1", "run1/1", nodes(3))) // an activity retry
	if err != nil {
		t.Fatal(err)
	}
	if f.live("c1") != 3 || again[1].ID != first[1].ID {
		t.Fatalf("a retried launch must not make new instances: %d live, %+v", f.live("c1"), again)
	}
}

// A cluster created, terminated and created again with the same name (or
// a node repaired) launches new instances: EC2 answers an old token with
// its terminated instance, so each launch has its own tokens.
func TestCreateTerminateCreateLaunchesAnew(t *testing.T) {
	f, url := newFakeEC2(t)
	e := newEC2(t, url)
	ctx := context.Background()
	if _, err := e.Launch(ctx, "c1", launches(e, "c1", "run1/1", nodes(2))); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Release(ctx, "c1"); err != nil || f.live("c1") != 0 {
		t.Fatalf("release: %v, %d live", err, f.live("c1"))
	}
	ctx2, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	again, err := e.Launch(ctx2, "c1", launches(e, "c1", "run2/1", nodes(2)))
	if err != nil || f.live("c1") != 2 {
		t.Fatalf("the second create must run new instances: %v, %d live", err, f.live("c1"))
	}
	repaired, err := e.Launch(ctx2, "c1", launches(e, "c1", "run2/2", nodes(1)))
	if err != nil || repaired[0].ID == again[0].ID {
		t.Fatalf("a repair must launch a new instance: %+v %v", repaired, err)
	}
	if ClientToken("inst-a", "c1", "c1-1", "run1/1") == ClientToken("inst-b", "c1", "c1-1", "run1/1") {
		t.Fatal("two installations must not share tokens")
	}
}

func TestParameterMismatchIsPermanent(t *testing.T) {
	_, url := newFakeEC2(t)
	e := newEC2(t, url)
	ls := launches(e, "c1", "run1/1", nodes(1))
	if _, err := e.Launch(context.Background(), "c1", ls); err != nil {
		t.Fatal(err)
	}
	ls[0].UserData = "#cloud-config\nsomething: else\n"
	_, err := e.Launch(context.Background(), "c1", ls)
	permanentErr(t, err, "a new create or repair launches anew")
}

func TestLostReplyIsRetriedWithTheSameToken(t *testing.T) {
	f, url := newFakeEC2(t)
	f.loseReply = 1
	e := newEC2(t, url)
	if _, err := e.Launch(context.Background(), "c1", launches(e, "c1", "run1/1", nodes(1))); err != nil {
		t.Fatal(err)
	}
	if f.live("c1") != 1 || f.calls["RunInstances"] != 2 {
		t.Fatalf("want one instance after two calls, got %d instances, %d calls", f.live("c1"), f.calls["RunInstances"])
	}
}

func TestThrottlingIsRetried(t *testing.T) {
	f, url := newFakeEC2(t)
	f.throttle = 2
	e := newEC2(t, url)
	if _, err := e.Launch(context.Background(), "c1", launches(e, "c1", "r/1", nodes(1))); err != nil {
		t.Fatal(err)
	}
	if f.calls["RunInstances"] != 3 {
		t.Fatalf("want 3 calls (2 throttled), got %d", f.calls["RunInstances"])
	}
}

func TestBadAMIAndQuotaAreNotRetriedAndSayWhatToFix(t *testing.T) {
	_, url := newFakeEC2(t)
	e := newEC2(t, url, func(o *Options) { o.AMI = "ami-nope" })
	_, err := e.Launch(context.Background(), "c1", launches(e, "c1", "r/1", nodes(1)))
	permanentErr(t, err, "check --provider-opt ami")
	f, url := newFakeEC2(t)
	f.failNode["c1-1"] = "VcpuLimitExceeded"
	e = newEC2(t, url)
	_, err = e.Launch(context.Background(), "c1", launches(e, "c1", "r/1", nodes(1)))
	permanentErr(t, err, "raise it in Service Quotas")
}

// No room in one subnet: the launch goes to the next; none anywhere: a
// retryable error once the capacity wait is over.
func TestCapacityFailsOverAcrossSubnets(t *testing.T) {
	f, url := newFakeEC2(t)
	f.failSubnet["subnet-a"] = "InsufficientInstanceCapacity"
	e := newEC2(t, url, func(o *Options) { o.Subnets = []string{"subnet-a", "subnet-b"} })
	insts, err := e.Launch(context.Background(), "c1", launches(e, "c1", "r/1", nodes(2)))
	if err != nil || f.byNode("c1-1").subnet != "subnet-b" || len(insts) != 2 {
		t.Fatalf("want both in subnet-b: %v", err)
	}
	f.failSubnet["subnet-b"] = "InsufficientInstanceCapacity"
	e = newEC2(t, url, func(o *Options) {
		o.Subnets = []string{"subnet-a", "subnet-b"}
		o.CapacityWait = 100 * time.Millisecond
	})
	_, err = e.Launch(context.Background(), "c1", launches(e, "c1", "r/2", nodes(1)))
	if _, permanent := providers.AsPermanent(err); err == nil || permanent || !strings.Contains(err.Error(), "no capacity for c1-1 in subnets subnet-a, subnet-b") {
		t.Fatalf("capacity errors stay retryable and name where herd tried: %v", err)
	}
}

func TestInstanceDyingAtLaunchSaysWhy(t *testing.T) {
	f, url := newFakeEC2(t)
	f.dieAtStart["c1-2"] = "Server.InternalError"
	e := newEC2(t, url)
	_, err := e.Launch(context.Background(), "c1", launches(e, "c1", "r/1", nodes(2)))
	permanentErr(t, err, "of c1-2 ended at launch: Server.InternalError")
}

// The launch settings EC2 does not check for herd: the root volume is the
// AMI's root device (encrypted gp3, not an extra volume), IMDSv2 only, no
// public address unless asked, the profile, spot per host group, cost tags
// on instances, volumes and interfaces.
func TestLaunchSettings(t *testing.T) {
	f, url := newFakeEC2(t)
	e := newEC2(t, url, func(o *Options) {
		o.AMI, o.Subnets, o.RootVolumeGiB, o.InstanceProfile = "ami-good-ubuntu", []string{"subnet-a"}, 50, "herd-node"
		o.Tags = map[string]string{"team": "data"}
	})
	ls := launches(e, "c1", "r/1", nodes(2))
	ls[1].Spot = true
	if _, err := e.Launch(context.Background(), "c1", ls); err != nil {
		t.Fatal(err)
	}
	i := f.byNode("c1-1")
	if i.root != (fakeVolume{device: "/dev/sda1", kind: "gp3", size: "50", encrypted: true}) || i.volumes != 0 {
		t.Fatalf("the root volume must be the AMI's, encrypted gp3: %+v, %d more volumes", i.root, i.volumes)
	}
	if i.metadataTokens != "required" || i.hopLimit != "1" || i.publicIP != "false" || i.profile != "herd-node" || i.spot {
		t.Fatalf("settings: %+v", i)
	}
	if !f.byNode("c1-2").spot || i.tags["team"] != "data" || i.tags[TagInstallation] != "inst-a" ||
		strings.Join(i.taggedTypes, ",") != "instance,network-interface,volume" {
		t.Fatalf("spot per node and tags on every resource: %+v", i)
	}
}

// Release is exact: it finds an instance launched just before (listings
// lag), terminates what a batch with an unknown id would not, and never
// touches another installation's instances of a cluster of the same name.
func TestReleaseIsExact(t *testing.T) {
	f, url := newFakeEC2(t)
	e := newEC2(t, url)
	other := newEC2(t, url)
	other.Installation = "inst-b"
	ctx := context.Background()
	if _, err := other.Launch(ctx, "c1", launches(other, "c1", "r/1", nodes(1))); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Launch(ctx, "c1", launches(e, "c1", "r/1", nodes(3))); err != nil {
		t.Fatal(err)
	}
	f.lag = 2
	if _, err := e.Launch(ctx, "c1", launches(e, "c1", "r/2", nodes(5)[3:])); err != nil {
		t.Fatal(err)
	}
	rel, err := e.Release(ctx, "c1")
	if err != nil || rel.Instances != 5 || f.live("c1") != 1 {
		t.Fatalf("release: %+v %v, %d live", rel, err, f.live("c1"))
	}
	if err := e.Terminate(ctx, []string{other.installationInstance(t, f), "i-99999999"}); err != nil {
		t.Fatalf("an unknown id must not keep the others alive: %v", err)
	}
	if f.live("c1") != 0 {
		t.Fatal("the known instance of the batch must be terminated")
	}
}

func (e *EC2) installationInstance(t *testing.T, f *fakeEC2) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, i := range f.sorted() {
		if i.tags[TagInstallation] == e.Installation && i.state == "running" {
			return i.id
		}
	}
	t.Fatal("no instance of the other installation")
	return ""
}

func TestStopAndStartInstances(t *testing.T) {
	f, url := newFakeEC2(t)
	e := newEC2(t, url)
	ctx := context.Background()
	insts, err := e.Launch(ctx, "c1", launches(e, "c1", "r/1", nodes(2)))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Stop(ctx, insts); err != nil || f.byNode("c1-1").state != "stopped" {
		t.Fatalf("stop: %v %s", err, f.byNode("c1-1").state)
	}
	if err := e.Start(ctx, insts); err != nil || f.byNode("c1-2").state != "running" {
		t.Fatalf("start: %v %s", err, f.byNode("c1-2").state)
	}
}

func TestLaunchesRunSideBySide(t *testing.T) {
	_, url := newFakeEC2(t)
	e := newEC2(t, url)
	var mu sync.Mutex
	var reports []string
	ctx := providers.WithReporter(context.Background(), func(p cluster.Progress) { mu.Lock(); reports = append(reports, p.Text); mu.Unlock() })
	if _, err := e.Launch(ctx, "c1", launches(e, "c1", "r/1", nodes(5))); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(reports, ";"), "5/5 launched") {
		t.Fatalf("launches must report progress: %v", reports)
	}
}

func TestParseOptions(t *testing.T) {
	if _, err := ParseOptions(map[string]string{"ami": "ami-1"}); err == nil || !strings.Contains(err.Error(), "region is missing") {
		t.Fatalf("missing region: %v", err)
	}
	if _, err := ParseOptions(map[string]string{"region": "r", "ami": "img-1"}); err == nil || !strings.Contains(err.Error(), "is not an AMI id") {
		t.Fatalf("bad ami: %v", err)
	}
	o, err := ParseOptions(map[string]string{"region": "r", "ami": "ami-1", "security-groups": "sg-1,sg-2", "root-volume-gib": "100",
		"spot-host-groups": "slaves", "subnet": "subnet-a", "subnets": "subnet-b,subnet-c", "tags": "team=data,env=prod"})
	if err != nil || len(o.SecurityGroups) != 2 || o.RootVolumeGiB != 100 || o.SpotGroups[0] != "slaves" || o.InstanceType != "m5.xlarge" ||
		strings.Join(o.Subnets, ",") != "subnet-a,subnet-b,subnet-c" || o.Tags["env"] != "prod" || o.PublicIP {
		t.Fatalf("options: %+v %v", o, err)
	}
	if _, err := ParseOptions(map[string]string{"region": "r", "ami": "ami-1", "tags": "io.herd.cluster=x"}); err == nil {
		t.Fatal("herd's own tags are not the user's to set")
	}
}

// An AMI given as an SSM parameter is launched as EC2 writes it, so a retry
// after the parameter moved on asks the same (no IdempotentParameterMismatch);
// its root device is the resolved image's. A missing parameter, or one that
// holds no AMI id, is a permanent error naming it.
func TestAMIFromSSMParameter(t *testing.T) {
	const name = "/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id"
	f, url := newFakeEC2(t)
	f.parameters[name] = "ami-good-ubuntu"
	opt := func(o *Options) { o.AMI = ssmPrefix + name }
	e := newEC2(t, url, opt)
	ls := launches(e, "c1", "r/1", nodes(1))
	if _, err := e.Launch(context.Background(), "c1", ls); err != nil {
		t.Fatal(err)
	}
	i := f.byNode("c1-1")
	if i.image != "ami-good-ubuntu" || i.root.device != "/dev/sda1" || !i.root.encrypted {
		t.Fatalf("the parameter's image with its root device: %+v", i)
	}
	f.parameters[name] = "ami-good1" // a newer image is published
	retry := newEC2(t, url, opt)
	again, err := retry.Launch(context.Background(), "c1", launches(retry, "c1", "r/1", nodes(1)))
	if err != nil || again[0].ID != i.id {
		t.Fatalf("a retry must find the same instance: %v %v", again, err)
	}
	for value, want := range map[string]string{"": "ParameterNotFound", "not-an-ami": `holds "not-an-ami", not an AMI id`} {
		if value == "" {
			delete(f.parameters, name)
		} else {
			f.parameters[name] = value
		}
		bad := newEC2(t, url, opt)
		_, err := bad.Launch(context.Background(), "c2", launches(bad, "c2", "r/1", nodes(1)))
		permanentErr(t, err, want)
		if !strings.Contains(err.Error(), name) {
			t.Fatalf("the error must name the parameter: %v", err)
		}
	}
}
