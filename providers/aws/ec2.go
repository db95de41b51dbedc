package aws

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/herdhq/herd/cloudinit"
	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/internal/poll"
	"github.com/herdhq/herd/providers"
)

// Tags put on every instance, volume and network interface: the labels of
// the node contract.
const (
	TagCluster      = contract.LabelCluster
	TagNode         = contract.LabelNode
	TagInstallation = contract.LabelInstallation
	TagEnginePin    = contract.LabelEnginePin
)

// live are the instance states of an instance that may still cost or run.
var live = []string{"pending", "running", "stopping", "stopped"}

// EC2 launches, finds, stops and terminates a cluster's instances.
type EC2 struct {
	api  api // EC2, and SSM to resolve an AMI given as a parameter
	Opts Options
	// Installation is this herd installation's id: every resource carries
	// it, and release touches only what does.
	Installation string
	// WaitTimeout bounds the wait for instances to run or stop.
	WaitTimeout time.Duration
	// Every is how often a wait looks again (2 s).
	Every  time.Duration
	Logger *slog.Logger

	rootOnce sync.Once
	root     string
	rootErr  error
}

// NewEC2 builds the client from the default credential chain (environment,
// shared config and profile, instance role) and the options.
func NewEC2(ctx context.Context, o Options, installation string, log *slog.Logger) (*EC2, error) {
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(o.Region))
	if err != nil {
		return nil, fmt.Errorf("aws config: %w", err)
	}
	cl := ec2.NewFromConfig(cfg, func(eo *ec2.Options) {
		if o.Endpoint != "" {
			eo.BaseEndpoint = awssdk.String(o.Endpoint)
		}
	})
	sm := ssm.NewFromConfig(cfg, func(so *ssm.Options) {
		if o.Endpoint != "" {
			so.BaseEndpoint = awssdk.String(o.Endpoint)
		}
	})
	return &EC2{api: newAPI(cl, sm), Opts: o, Installation: installation, WaitTimeout: 10 * time.Minute, Every: 2 * time.Second, Logger: log}, nil
}

// ClientToken is the idempotency token of one launch of a node: the same on
// every retry of that launch, so a retried launch never makes a second
// instance; new for each launch (a create, a repair), since EC2 answers an
// old token with its old, maybe terminated, instance; apart per
// installation.
func ClientToken(installation, clusterName, node, launch string) string {
	sum := sha256.Sum256([]byte(installation + "\x00" + clusterName + "\x00" + node + "\x00" + launch))
	return "herd-" + hex.EncodeToString(sum[:16])
}

// Launch is one instance to run.
type Launch struct {
	Node     cluster.Node
	UserData string
	Token    string
	Spot     bool
}

// Launch runs the instances, several at a time, and waits until they all
// run; it returns them in order. Progress (the ids launched) is reported.
func (e *EC2) Launch(ctx context.Context, clusterName string, ls []Launch) ([]cluster.Instance, error) {
	root, err := e.rootDevice(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(ls))
	errs := make([]error, len(ls))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	var mu sync.Mutex
	launched := 0
	for i, l := range ls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			ids[i], errs[i] = e.runAnywhere(ctx, clusterName, l, root)
			mu.Lock()
			launched++
			providers.Report(ctx, cluster.Progress{Text: fmt.Sprintf("%d/%d launched", launched, len(ls)), Done: launched, Total: len(ls)})
			mu.Unlock()
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return e.waitRunning(ctx, ls, ids)
}

// runAnywhere launches in the first subnet with capacity, going round the
// subnets with growing pauses for up to the options' capacity wait.
func (e *EC2) runAnywhere(ctx context.Context, clusterName string, l Launch, root string) (string, error) {
	subnets := e.Opts.Subnets
	if len(subnets) == 0 {
		subnets = []string{""}
	}
	wctx, cancel := context.WithTimeout(ctx, e.Opts.CapacityWait)
	defer cancel()
	var id string
	var last error
	pause := 5 * time.Second
	err := poll.Until(wctx, time.Millisecond, func(context.Context) (bool, error) {
		for n, subnet := range subnets {
			token := l.Token
			if n > 0 { // a launch elsewhere is another launch
				token = ClientToken(e.Installation, clusterName, l.Node.Name, l.Token+"@"+subnet)
			}
			var err error
			if id, err = e.run(ctx, clusterName, l, root, subnet, token); !isCapacity(err) {
				return true, err
			}
			last = err
		}
		providers.Report(ctx, cluster.Progress{Text: fmt.Sprintf("no capacity for %s: trying again in %s (%v)", l.Node.Name, pause, last)})
		if err := poll.Sleep(wctx, pause); err != nil {
			return false, err
		}
		pause = min(pause*2, time.Minute)
		return false, nil
	})
	if err != nil && wctx.Err() != nil && ctx.Err() == nil {
		return "", fmt.Errorf("no capacity for %s in subnets %s after %s (retried): %w", l.Node.Name, strings.Join(subnets, ", "), e.Opts.CapacityWait, last)
	}
	return id, err
}

func (e *EC2) run(ctx context.Context, clusterName string, l Launch, root, subnet, token string) (string, error) {
	n := l.Node
	in := &ec2.RunInstancesInput{
		ImageId: awssdk.String(e.Opts.AMI), InstanceType: types.InstanceType(e.Opts.InstanceType),
		MinCount: awssdk.Int32(1), MaxCount: awssdk.Int32(1), ClientToken: awssdk.String(token),
		UserData:          awssdk.String(base64.StdEncoding.EncodeToString([]byte(l.UserData))),
		TagSpecifications: e.tagSpecs(clusterName, n),
		BlockDeviceMappings: []types.BlockDeviceMapping{{DeviceName: awssdk.String(root), Ebs: &types.EbsBlockDevice{
			VolumeType: types.VolumeTypeGp3, Encrypted: awssdk.Bool(true), DeleteOnTermination: awssdk.Bool(true), VolumeSize: e.volumeSize()}}},
		MetadataOptions: &types.InstanceMetadataOptionsRequest{ // IMDSv2 only, not reachable from containers in bridge networks
			HttpTokens: types.HttpTokensStateRequired, HttpPutResponseHopLimit: awssdk.Int32(1), HttpEndpoint: types.InstanceMetadataEndpointStateEnabled},
	}
	e.network(in, subnet)
	if e.Opts.KeyName != "" {
		in.KeyName = awssdk.String(e.Opts.KeyName)
	}
	if e.Opts.InstanceProfile != "" {
		in.IamInstanceProfile = &types.IamInstanceProfileSpecification{Name: awssdk.String(e.Opts.InstanceProfile)}
	}
	if l.Spot {
		in.InstanceMarketOptions = &types.InstanceMarketOptionsRequest{MarketType: types.MarketTypeSpot}
	}
	out, err := e.api.runInstances(ctx, in)
	if err != nil {
		return "", classify("launch "+n.Name, err)
	}
	return awssdk.ToString(out.Instances[0].InstanceId), nil
}

// network puts the instance in a subnet with the security groups and no
// public address unless the options ask for one.
func (e *EC2) network(in *ec2.RunInstancesInput, subnet string) {
	if subnet == "" { // the default VPC decides the address
		in.SecurityGroupIds = e.Opts.SecurityGroups
		return
	}
	in.NetworkInterfaces = []types.InstanceNetworkInterfaceSpecification{{DeviceIndex: awssdk.Int32(0),
		SubnetId: awssdk.String(subnet), Groups: e.Opts.SecurityGroups, DeleteOnTermination: awssdk.Bool(true),
		AssociatePublicIpAddress: awssdk.Bool(e.Opts.PublicIP)}}
}

func (e *EC2) volumeSize() *int32 {
	if e.Opts.RootVolumeGiB > 0 {
		return awssdk.Int32(e.Opts.RootVolumeGiB)
	}
	return nil
}

// tagSpecs tags the instance, its volumes and its network interfaces:
// herd's tags, the Name, and the options' cost tags.
func (e *EC2) tagSpecs(clusterName string, n cluster.Node) []types.TagSpecification {
	tags := []types.Tag{
		{Key: awssdk.String(TagCluster), Value: awssdk.String(clusterName)},
		{Key: awssdk.String(TagNode), Value: awssdk.String(n.Name)},
		{Key: awssdk.String(TagInstallation), Value: awssdk.String(e.Installation)},
		{Key: awssdk.String("Name"), Value: awssdk.String(n.FQDN)},
	}
	for _, k := range slices.Sorted(maps.Keys(e.Opts.Tags)) {
		tags = append(tags, types.Tag{Key: awssdk.String(k), Value: awssdk.String(e.Opts.Tags[k])})
	}
	var specs []types.TagSpecification
	for _, rt := range []types.ResourceType{types.ResourceTypeInstance, types.ResourceTypeVolume, types.ResourceTypeNetworkInterface} {
		specs = append(specs, types.TagSpecification{ResourceType: rt, Tags: tags})
	}
	return specs
}

// rootDevice reads the AMI's root device name (/dev/xvda on Amazon Linux
// and Debian, /dev/sda1 on Ubuntu), once. An AMI given as an SSM parameter
// is resolved here only to read it: RunInstances gets the parameter as it
// is and resolves it itself, so that a retry of a launch asks the same of
// EC2 even when the parameter has moved on to a newer image meanwhile.
func (e *EC2) rootDevice(ctx context.Context) (string, error) {
	e.rootOnce.Do(func() {
		image, err := e.resolveImage(ctx)
		if err != nil {
			e.rootErr = err
			return
		}
		out, err := e.api.describeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{image}})
		switch {
		case err != nil:
			e.rootErr = classify("describe image "+image, err)
		case len(out.Images) == 0 || out.Images[0].RootDeviceName == nil:
			e.rootErr = providers.Permanent("AWSImage", fmt.Errorf("image %s has no root device: give another AMI", image))
		default:
			e.root = awssdk.ToString(out.Images[0].RootDeviceName)
		}
	})
	return e.root, e.rootErr
}

// ssmPrefix marks an AMI given as an SSM parameter, as EC2 writes it.
const ssmPrefix = "resolve:ssm:"

// resolveImage is the AMI id: as given, or the SSM parameter's value.
func (e *EC2) resolveImage(ctx context.Context) (string, error) {
	name, ok := strings.CutPrefix(e.Opts.AMI, ssmPrefix)
	if !ok {
		return e.Opts.AMI, nil
	}
	out, err := e.api.getParameter(ctx, &ssm.GetParameterInput{Name: awssdk.String(name)})
	if err != nil {
		return "", classify("resolve the AMI of SSM parameter "+name, err)
	}
	id := awssdk.ToString(out.Parameter.Value)
	if !strings.HasPrefix(id, "ami-") {
		return "", providers.Permanent("AWSImage", fmt.Errorf("SSM parameter %s holds %q, not an AMI id", name, id))
	}
	return id, nil
}

// waitRunning waits until every instance runs; one that ended at launch is
// an error naming why (a new launch, not a retry of this one, can help).
func (e *EC2) waitRunning(ctx context.Context, ls []Launch, ids []string) ([]cluster.Instance, error) {
	out := make([]cluster.Instance, len(ids))
	wctx, cancel := context.WithTimeout(ctx, e.WaitTimeout)
	defer cancel()
	err := poll.Until(wctx, e.Every, func(ctx context.Context) (bool, error) {
		insts, err := e.describe(ctx, &ec2.DescribeInstancesInput{InstanceIds: ids})
		if err != nil {
			return false, nil // eventually consistent: a new id may not be found yet
		}
		running := 0
		for k, id := range ids {
			i, ok := insts[id]
			if !ok {
				continue
			}
			if st := i.State.Name; st == types.InstanceStateNameTerminated || st == types.InstanceStateNameShuttingDown {
				return false, providers.Permanent("AWSInstanceDied", fmt.Errorf("instance %s of %s ended at launch: %s", id, ls[k].Node.Name, reason(i)))
			}
			if i.State.Name == types.InstanceStateNameRunning {
				out[k] = cluster.Instance{ID: id, Index: ls[k].Node.Index, Address: awssdk.ToString(i.PrivateIpAddress)}
				running++
			}
		}
		providers.Report(ctx, cluster.Progress{Text: fmt.Sprintf("%d/%d running", running, len(ids)), Done: running, Total: len(ids)})
		return running == len(ids), nil
	})
	if err != nil && wctx.Err() != nil && ctx.Err() == nil {
		return nil, fmt.Errorf("instances %s did not run within %s", strings.Join(ids, ", "), e.WaitTimeout)
	}
	return out, err
}

func reason(i types.Instance) string {
	if i.StateReason != nil {
		return awssdk.ToString(i.StateReason.Message)
	}
	return string(i.State.Name)
}

// describe reads instances by id (all pages). It follows NextToken itself:
// the SDK's paginator takes the client as an interface, and a client held
// in an interface keeps every one of EC2's API methods in the binary (the
// Temporal SDK's reflection turns off the linker's method pruning).
func (e *EC2) describe(ctx context.Context, in *ec2.DescribeInstancesInput) (map[string]types.Instance, error) {
	out := map[string]types.Instance{}
	page := *in
	for {
		res, err := e.api.describeInstances(ctx, &page)
		if err != nil {
			return nil, classify("describe instances", err)
		}
		for _, r := range res.Reservations {
			for _, i := range r.Instances {
				out[awssdk.ToString(i.InstanceId)] = i
			}
		}
		if awssdk.ToString(res.NextToken) == "" {
			return out, nil
		}
		page.NextToken = res.NextToken
	}
}

func tag(tags []types.Tag, key string) string {
	for _, t := range tags {
		if awssdk.ToString(t.Key) == key {
			return awssdk.ToString(t.Value)
		}
	}
	return ""
}

// tagged finds the cluster's live instances of this installation (all
// pages, asked for in pages of 100).
func (e *EC2) tagged(ctx context.Context, clusterName string, nodes ...string) (map[string]types.Instance, error) {
	filters := []types.Filter{
		{Name: awssdk.String("tag:" + TagCluster), Values: []string{clusterName}},
		{Name: awssdk.String("tag:" + TagInstallation), Values: []string{e.Installation}},
		{Name: awssdk.String("instance-state-name"), Values: live},
	}
	if len(nodes) > 0 {
		filters = append(filters, types.Filter{Name: awssdk.String("tag:" + TagNode), Values: nodes})
	}
	return e.describe(ctx, &ec2.DescribeInstancesInput{Filters: filters, MaxResults: awssdk.Int32(100)})
}

// Instances finds the live instances of some nodes of a cluster, in node
// order.
func (e *EC2) Instances(ctx context.Context, clusterName string, nodes []cluster.Node) ([]cluster.Instance, error) {
	names := make([]string, len(nodes))
	for i, n := range nodes {
		names[i] = n.Name
	}
	found, err := e.tagged(ctx, clusterName, names...)
	if err != nil {
		return nil, err
	}
	byNode := map[string]types.Instance{}
	for _, i := range found {
		byNode[tag(i.Tags, TagNode)] = i
	}
	var out []cluster.Instance
	for _, n := range nodes {
		if i, ok := byNode[n.Name]; ok {
			out = append(out, cluster.Instance{ID: awssdk.ToString(i.InstanceId), Index: n.Index, Address: awssdk.ToString(i.PrivateIpAddress), Pin: tag(i.Tags, TagEnginePin)})
		}
	}
	return out, nil
}

// Pin is the fingerprint of an instance's engine certificate: from its tag
// once herd has read it, else from the line its host wrote on the console
// at boot (then tagged, for later lookups); empty while the host has not
// told it yet.
func (e *EC2) Pin(ctx context.Context, id string) (string, error) {
	insts, err := e.describe(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	if err != nil {
		return "", err
	}
	if pin := tag(insts[id].Tags, TagEnginePin); pin != "" {
		return pin, nil
	}
	pin := pinIn(e.ConsoleOutput(ctx, id))
	if pin == "" {
		return "", fmt.Errorf("instance %s has not told its engine certificate's fingerprint on its console yet", id)
	}
	_, err = e.api.createTags(ctx, &ec2.CreateTagsInput{Resources: []string{id},
		Tags: []types.Tag{{Key: awssdk.String(TagEnginePin), Value: awssdk.String(pin)}}})
	return pin, classify("tag instance "+id+" with its engine pin", err)
}

// pinIn finds the fingerprint a host tells on its console (the last, if a
// reboot told it again).
func pinIn(console string) string {
	pin := ""
	for _, line := range strings.Split(console, "\n") {
		if _, after, ok := strings.Cut(line, cloudinit.PinPrefix); ok {
			if f := strings.Fields(after); len(f) > 0 && len(f[0]) == 64 {
				pin = f[0]
			}
		}
	}
	return pin
}
