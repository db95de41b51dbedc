package aws

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/providers"
)

// Tags put on every instance: the labels of the node contract.
const (
	TagCluster = contract.LabelCluster
	TagNode    = contract.LabelNode
)

// EC2 launches and terminates a cluster's instances.
type EC2 struct {
	Client *ec2.Client
	Opts   Options
	// WaitTimeout bounds the wait for instances to run.
	WaitTimeout time.Duration
	Logger      *slog.Logger
}

// NewEC2 builds the client from the default credential chain (environment,
// shared config and profile, instance role) and the options.
func NewEC2(ctx context.Context, o Options, log *slog.Logger) (*EC2, error) {
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(o.Region))
	if err != nil {
		return nil, fmt.Errorf("aws config: %w", err)
	}
	cl := ec2.NewFromConfig(cfg, func(eo *ec2.Options) {
		if o.Endpoint != "" {
			eo.BaseEndpoint = awssdk.String(o.Endpoint)
		}
	})
	return &EC2{Client: cl, Opts: o, WaitTimeout: 10 * time.Minute, Logger: log}, nil
}

// ClientToken is the idempotency token of a node's RunInstances: the same
// for every try, so a retried launch never makes a second instance.
func ClientToken(clusterName, node string) string {
	sum := sha256.Sum256([]byte(clusterName + "/" + node))
	return "herd-" + hex.EncodeToString(sum[:16])
}

// Launch runs one instance per node with its user data (cloud-config) and
// waits until they all run; it returns them in node order.
func (e *EC2) Launch(ctx context.Context, clusterName string, nodes []cluster.Node, userData []string) ([]cluster.Instance, error) {
	ids := make([]string, len(nodes))
	for i, n := range nodes {
		id, err := e.run(ctx, clusterName, n, userData[i])
		if err != nil {
			return nil, err
		}
		ids[i] = id
	}
	w := ec2.NewInstanceRunningWaiter(e.Client, func(o *ec2.InstanceRunningWaiterOptions) {
		o.MinDelay, o.MaxDelay = time.Second, 15*time.Second
	})
	out, err := w.WaitForOutput(ctx, &ec2.DescribeInstancesInput{InstanceIds: ids}, e.WaitTimeout)
	if err != nil {
		return nil, fmt.Errorf("wait for instances of %s to run: %w", clusterName, err)
	}
	return instances(nodes, out.Reservations)
}

func (e *EC2) run(ctx context.Context, clusterName string, n cluster.Node, userData string) (string, error) {
	in := &ec2.RunInstancesInput{
		ImageId: awssdk.String(e.Opts.AMI), InstanceType: types.InstanceType(e.Opts.InstanceType),
		MinCount: awssdk.Int32(1), MaxCount: awssdk.Int32(1),
		ClientToken: awssdk.String(ClientToken(clusterName, n.Name)),
		UserData:    awssdk.String(base64.StdEncoding.EncodeToString([]byte(userData))),
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeInstance, Tags: []types.Tag{
			{Key: awssdk.String(TagCluster), Value: awssdk.String(clusterName)},
			{Key: awssdk.String(TagNode), Value: awssdk.String(n.Name)},
			{Key: awssdk.String("Name"), Value: awssdk.String(n.FQDN)},
		}}},
	}
	if e.Opts.SubnetID != "" {
		in.SubnetId = awssdk.String(e.Opts.SubnetID)
	}
	if len(e.Opts.SecurityGroups) > 0 {
		in.SecurityGroupIds = e.Opts.SecurityGroups
	}
	if e.Opts.KeyName != "" {
		in.KeyName = awssdk.String(e.Opts.KeyName)
	}
	if e.Opts.RootVolumeGiB > 0 {
		in.BlockDeviceMappings = []types.BlockDeviceMapping{{DeviceName: awssdk.String("/dev/xvda"),
			Ebs: &types.EbsBlockDevice{VolumeSize: awssdk.Int32(e.Opts.RootVolumeGiB), DeleteOnTermination: awssdk.Bool(true)}}}
	}
	if e.Opts.Spot {
		in.InstanceMarketOptions = &types.InstanceMarketOptionsRequest{MarketType: types.MarketTypeSpot}
	}
	out, err := e.Client.RunInstances(ctx, in)
	if err != nil {
		return "", classify(fmt.Sprintf("launch %s", n.Name), err)
	}
	return awssdk.ToString(out.Instances[0].InstanceId), nil
}

func instances(nodes []cluster.Node, res []types.Reservation) ([]cluster.Instance, error) {
	byNode := map[string]types.Instance{}
	for _, r := range res {
		for _, i := range r.Instances {
			byNode[tag(i.Tags, TagNode)] = i
		}
	}
	out := make([]cluster.Instance, len(nodes))
	for k, n := range nodes {
		i, ok := byNode[n.Name]
		if !ok {
			return nil, fmt.Errorf("instance of %s not found after launch", n.Name)
		}
		out[k] = cluster.Instance{ID: awssdk.ToString(i.InstanceId), Index: n.Index, Address: awssdk.ToString(i.PrivateIpAddress)}
	}
	return out, nil
}

func tag(tags []types.Tag, key string) string {
	for _, t := range tags {
		if awssdk.ToString(t.Key) == key {
			return awssdk.ToString(t.Value)
		}
	}
	return ""
}

// Release terminates every instance tagged with the cluster that is not
// already gone, found through paginated DescribeInstances: a sweep that
// catches instances any earlier try left behind.
func (e *EC2) Release(ctx context.Context, clusterName string) (cluster.Released, error) {
	ids, err := e.tagged(ctx, clusterName)
	if err != nil || len(ids) == 0 {
		return cluster.Released{}, err
	}
	var insts []cluster.Instance
	for _, id := range ids {
		insts = append(insts, cluster.Instance{ID: id})
	}
	if err := e.Terminate(ctx, insts); err != nil {
		return cluster.Released{}, err
	}
	return cluster.Released{Instances: len(ids)}, nil
}

func (e *EC2) tagged(ctx context.Context, clusterName string) ([]string, error) {
	p := ec2.NewDescribeInstancesPaginator(e.Client, &ec2.DescribeInstancesInput{Filters: []types.Filter{
		{Name: awssdk.String("tag:" + TagCluster), Values: []string{clusterName}},
		{Name: awssdk.String("instance-state-name"), Values: []string{"pending", "running", "stopping", "stopped"}},
	}})
	var ids []string
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, classify("find instances of "+clusterName, err)
		}
		for _, r := range page.Reservations {
			for _, i := range r.Instances {
				ids = append(ids, awssdk.ToString(i.InstanceId))
			}
		}
	}
	return ids, nil
}

// classify turns an EC2 error into one worth retrying (capacity,
// throttling, anything unknown) or a permanent one (bad parameters,
// missing permissions), which says what to fix.
func classify(what string, err error) error {
	code := apiCode(err)
	fix := map[string]string{
		"UnauthorizedOperation":       "the credentials lack a permission herd needs (see the IAM policy in README)",
		"InvalidParameterValue":       "a provider option is wrong",
		"InvalidParameterCombination": "provider options do not go together",
		"InvalidKeyPair.NotFound":     "the key pair named by key-name does not exist in this region",
		"InvalidSubnetID.NotFound":    "the subnet does not exist in this region",
		"InvalidGroup.NotFound":       "a security group does not exist in this region",
	}
	hint, bad := fix[code]
	if strings.HasPrefix(code, "InvalidAMIID.") {
		hint, bad = "the AMI does not exist in this region or cannot be used: check --provider-opt ami", true
	}
	if bad {
		return providers.Permanent("AWS"+code, fmt.Errorf("%s: %s: %w", what, hint, err))
	}
	return fmt.Errorf("%s: %w", what, err)
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// Instances finds the running instances of some nodes of a cluster, by tag.
func (e *EC2) Instances(ctx context.Context, clusterName string, nodes []cluster.Node) ([]cluster.Instance, error) {
	names := make([]string, len(nodes))
	for i, n := range nodes {
		names[i] = n.Name
	}
	p := ec2.NewDescribeInstancesPaginator(e.Client, &ec2.DescribeInstancesInput{Filters: []types.Filter{
		{Name: awssdk.String("tag:" + TagCluster), Values: []string{clusterName}},
		{Name: awssdk.String("tag:" + TagNode), Values: names},
		{Name: awssdk.String("instance-state-name"), Values: []string{"pending", "running", "stopping", "stopped"}},
	}})
	var res []types.Reservation
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, classify("find instances of "+clusterName, err)
		}
		res = append(res, page.Reservations...)
	}
	return found(nodes, res), nil
}

// found lists the instances of the nodes that exist, in node order.
func found(nodes []cluster.Node, res []types.Reservation) []cluster.Instance {
	byNode := map[string]types.Instance{}
	for _, r := range res {
		for _, i := range r.Instances {
			byNode[tag(i.Tags, TagNode)] = i
		}
	}
	var out []cluster.Instance
	for _, n := range nodes {
		if i, ok := byNode[n.Name]; ok {
			out = append(out, cluster.Instance{ID: awssdk.ToString(i.InstanceId), Index: n.Index, Address: awssdk.ToString(i.PrivateIpAddress)})
		}
	}
	return out
}

// Terminate terminates the given instances.
func (e *EC2) Terminate(ctx context.Context, instances []cluster.Instance) error {
	if len(instances) == 0 {
		return nil
	}
	ids := make([]string, len(instances))
	for i, inst := range instances {
		ids[i] = inst.ID
	}
	_, err := e.Client.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: ids})
	if err != nil && apiCode(err) != "InvalidInstanceID.NotFound" {
		return classify("terminate instances", err)
	}
	return nil
}
