package aws

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// statement is one IAM policy statement, as far as herd's policy uses them.
type statement struct {
	Effect    string
	Action    any // string or list
	Resource  any
	Condition map[string]map[string]any
}

func strs(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, s := range x {
			out = append(out, s.(string))
		}
		return out
	}
	return nil
}

// allowed evaluates a request against the policy: some Allow statement
// matches its action and resource, and every condition holds.
func allowed(t *testing.T, policy string, r iamRequest) bool {
	var doc struct{ Statement []statement }
	if err := json.Unmarshal([]byte(policy), &doc); err != nil {
		t.Fatalf("the policy is not JSON: %v", err)
	}
	for _, st := range doc.Statement {
		if st.Effect == "Allow" && slices.Contains(strs(st.Action), r.action) && matchAny(strs(st.Resource), r.resource) && conditions(st.Condition, r) {
			return true
		}
	}
	return false
}

// matchAny matches a resource as IAM does: * is any run of characters,
// slashes too, and ? is any one.
func matchAny(patterns []string, resource string) bool {
	for _, p := range patterns {
		re := strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(p))
		if regexp.MustCompile("^" + re + "$").MatchString(resource) {
			return true
		}
	}
	return false
}

func conditions(c map[string]map[string]any, r iamRequest) bool {
	for op, kv := range c {
		for key, want := range kv {
			if !condition(op, key, strs(want), r) {
				return false
			}
		}
	}
	return true
}

func condition(op, key string, want []string, r iamRequest) bool {
	var have []string
	switch {
	case strings.HasPrefix(key, "aws:RequestTag/"):
		if v, ok := r.requestTags[strings.TrimPrefix(key, "aws:RequestTag/")]; ok {
			have = []string{v}
		}
	case strings.HasPrefix(key, "ec2:ResourceTag/"):
		if v, ok := r.resourceTags[strings.TrimPrefix(key, "ec2:ResourceTag/")]; ok {
			have = []string{v}
		}
	case key == "ec2:CreateAction":
		have = []string{r.createAction}
	case key == "aws:TagKeys":
		have = r.tagKeys
	}
	switch op {
	case "StringEquals":
		return len(have) == 1 && slices.Contains(want, have[0])
	case "ForAllValues:StringEquals":
		for _, h := range have {
			if !slices.Contains(want, h) {
				return false
			}
		}
		return true
	}
	return false
}

// Every call herd makes in a cluster's life is allowed by the policy it
// documents, and the policy's conditions hold herd to its own: no launch
// without the installation's tag, no stop or terminate of another
// installation's instance, no other tag written afterwards.
func TestPolicyAllowsWhatHerdDoesAndNoMore(t *testing.T) {
	f, url := newFakeEC2(t)
	f.parameters["/aws/service/debian/release/12/latest/amd64"] = "ami-good1"
	e := newEC2(t, url, func(o *Options) {
		o.Subnets, o.AMI = []string{"subnet-a"}, ssmPrefix+"/aws/service/debian/release/12/latest/amd64"
	})
	ctx := context.Background()
	insts, err := e.Launch(ctx, "c1", launches(e, "c1", "r/1", nodes(2)))
	if err != nil {
		t.Fatal(err)
	}
	f.boot(insts[0].ID, strings.Repeat("ab", 32))
	if _, err := e.Pin(ctx, insts[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := e.Stop(ctx, insts); err != nil {
		t.Fatal(err)
	}
	if err := e.Start(ctx, insts); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Release(ctx, "c1"); err != nil {
		t.Fatal(err)
	}
	p := Policy(e.Installation)
	seen := map[string]bool{}
	for _, r := range f.requests {
		seen[r.action] = true
		if !allowed(t, p, r) {
			t.Errorf("the policy refuses what herd does: %s on %s (tags %v, resource tags %v)", r.action, r.resource, r.requestTags, r.resourceTags)
		}
	}
	for _, a := range []string{"ec2:RunInstances", "ec2:CreateTags", "ec2:DescribeInstances", "ec2:DescribeImages", "ec2:GetConsoleOutput",
		"ec2:StopInstances", "ec2:StartInstances", "ec2:TerminateInstances", "ssm:GetParameter", "ssm:GetParameters"} {
		if !seen[a] {
			t.Errorf("the scenario never called %s: the test does not cover it", a)
		}
	}
	foreign := map[string]string{TagInstallation: "someone-else", TagCluster: "c1"}
	for _, r := range []iamRequest{
		{action: "ec2:RunInstances", resource: arn + "instance/new", requestTags: map[string]string{TagCluster: "c1"}},
		{action: "ec2:TerminateInstances", resource: arn + "instance/i-1", resourceTags: foreign},
		{action: "ec2:StopInstances", resource: arn + "instance/i-1", resourceTags: map[string]string{}},
		{action: "ec2:CreateTags", resource: arn + "instance/i-1", resourceTags: map[string]string{TagInstallation: e.Installation}, tagKeys: []string{"Name"}},
		{action: "ec2:DeleteVpc", resource: "*"},
		{action: "ssm:GetParameter", resource: "arn:aws:ssm:eu-central-1:123456789012:parameter/prod/db-password"},
	} {
		if allowed(t, p, r) {
			t.Errorf("the policy must refuse %s on %s (%v %v %v)", r.action, r.resource, r.requestTags, r.resourceTags, r.tagKeys)
		}
	}
}
