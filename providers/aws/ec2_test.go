package aws

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/providers"
)

func newEC2(t *testing.T, endpoint, ami string) *EC2 {
	e, err := NewEC2(context.Background(), Options{Region: "eu-central-1", Endpoint: endpoint, AMI: ami, InstanceType: "m5.large"},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	e.WaitTimeout = 30 * time.Second
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

func userData(n int) []string { return make([]string, n) }

func TestLaunchWaitsUntilRunningAndRetryMakesNoDuplicate(t *testing.T) {
	f, url := newFakeEC2(t)
	e := newEC2(t, url, "ami-good1")
	ctx := context.Background()
	first, err := e.Launch(ctx, "c1", nodes(3), userData(3))
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 3 || first[0].Address != "10.0.0.1" || first[2].Index != 3 {
		t.Fatalf("instances: %+v", first)
	}
	again, err := e.Launch(ctx, "c1", nodes(3), userData(3)) // an activity retry
	if err != nil {
		t.Fatal(err)
	}
	if f.live("c1") != 3 || again[1].ID != first[1].ID {
		t.Fatalf("a retried launch must not make new instances: %d live, %+v", f.live("c1"), again)
	}
}

func TestLostReplyIsRetriedWithTheSameToken(t *testing.T) {
	f, url := newFakeEC2(t)
	f.loseReply = 1
	e := newEC2(t, url, "ami-good1")
	if _, err := e.Launch(context.Background(), "c1", nodes(1), userData(1)); err != nil {
		t.Fatal(err)
	}
	if f.live("c1") != 1 || f.calls["RunInstances"] != 2 {
		t.Fatalf("want one instance after two calls, got %d instances, %d calls", f.live("c1"), f.calls["RunInstances"])
	}
}

func TestThrottlingIsRetried(t *testing.T) {
	f, url := newFakeEC2(t)
	f.throttle = 2
	e := newEC2(t, url, "ami-good1")
	if _, err := e.Launch(context.Background(), "c1", nodes(1), userData(1)); err != nil {
		t.Fatal(err)
	}
	if f.calls["RunInstances"] != 3 {
		t.Fatalf("want 3 calls (2 throttled), got %d", f.calls["RunInstances"])
	}
}

func TestBadAMIIsNotRetriedAndSaysWhatToFix(t *testing.T) {
	_, url := newFakeEC2(t)
	e := newEC2(t, url, "ami-nope")
	_, err := e.Launch(context.Background(), "c1", nodes(1), userData(1))
	if _, ok := providers.AsPermanent(err); !ok || !strings.Contains(err.Error(), "check --provider-opt ami") {
		t.Fatalf("want a non-retryable error naming the fix, got %v", err)
	}
}

func TestCapacityErrorIsRetryableAndReleaseLeavesNothing(t *testing.T) {
	f, url := newFakeEC2(t)
	f.failNode["c1-3"] = "InsufficientInstanceCapacity"
	e := newEC2(t, url, "ami-good1")
	ctx := context.Background()
	_, err := e.Launch(ctx, "c1", nodes(3), userData(3))
	if _, permanent := providers.AsPermanent(err); err == nil || permanent {
		t.Fatalf("capacity errors must stay retryable: %v", err)
	}
	if f.live("c1") != 2 {
		t.Fatalf("two instances were launched before the failure, %d live", f.live("c1"))
	}
	rel, err := e.Release(ctx, "c1")
	if err != nil || rel.Instances != 2 || f.live("c1") != 0 {
		t.Fatalf("release: %+v %v, %d live", rel, err, f.live("c1"))
	}
	if rel, err := e.Release(ctx, "c1"); err != nil || rel.Instances != 0 {
		t.Fatalf("a second release must find nothing: %+v %v", rel, err)
	}
}

func TestReleaseSweepsEveryPage(t *testing.T) {
	f, url := newFakeEC2(t)
	e := newEC2(t, url, "ami-good1")
	ctx := context.Background()
	if _, err := e.Launch(ctx, "c1", nodes(5), userData(5)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Launch(ctx, "other", nodes(1), userData(1)); err != nil {
		t.Fatal(err)
	}
	rel, err := e.Release(ctx, "c1")
	if err != nil || rel.Instances != 5 || f.live("c1") != 0 || f.live("other") != 1 {
		t.Fatalf("release over 3 pages: %+v %v; c1 %d live, other %d live", rel, err, f.live("c1"), f.live("other"))
	}
}

func TestParseOptions(t *testing.T) {
	if _, err := ParseOptions(map[string]string{"ami": "ami-1"}); err == nil || !strings.Contains(err.Error(), "region is missing") {
		t.Fatalf("missing region: %v", err)
	}
	if _, err := ParseOptions(map[string]string{"region": "r", "ami": "img-1"}); err == nil || !strings.Contains(err.Error(), "is not an AMI id") {
		t.Fatalf("bad ami: %v", err)
	}
	o, err := ParseOptions(map[string]string{"region": "r", "ami": "ami-1", "security-groups": "sg-1,sg-2", "root-volume-gib": "100", "spot": "true"})
	if err != nil || len(o.SecurityGroups) != 2 || o.RootVolumeGiB != 100 || !o.Spot || o.InstanceType != "m5.xlarge" {
		t.Fatalf("options: %+v %v", o, err)
	}
}
