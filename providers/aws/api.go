package aws

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// api is the EC2 and SSM calls herd makes, held as method values rather
// than as the clients. A client reachable from a value that is put in an
// interface keeps every one of its API methods in the binary (thousands
// for EC2), because the Temporal SDK's reflection turns off the linker's
// pruning of methods; method values keep only these.
type api struct {
	runInstances       func(context.Context, *ec2.RunInstancesInput, ...func(*ec2.Options)) (*ec2.RunInstancesOutput, error)
	describeInstances  func(context.Context, *ec2.DescribeInstancesInput, ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error)
	describeImages     func(context.Context, *ec2.DescribeImagesInput, ...func(*ec2.Options)) (*ec2.DescribeImagesOutput, error)
	createTags         func(context.Context, *ec2.CreateTagsInput, ...func(*ec2.Options)) (*ec2.CreateTagsOutput, error)
	terminateInstances func(context.Context, *ec2.TerminateInstancesInput, ...func(*ec2.Options)) (*ec2.TerminateInstancesOutput, error)
	stopInstances      func(context.Context, *ec2.StopInstancesInput, ...func(*ec2.Options)) (*ec2.StopInstancesOutput, error)
	startInstances     func(context.Context, *ec2.StartInstancesInput, ...func(*ec2.Options)) (*ec2.StartInstancesOutput, error)
	getConsoleOutput   func(context.Context, *ec2.GetConsoleOutputInput, ...func(*ec2.Options)) (*ec2.GetConsoleOutputOutput, error)
	getParameter       func(context.Context, *ssm.GetParameterInput, ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

func newAPI(cl *ec2.Client, sm *ssm.Client) api {
	return api{
		runInstances: cl.RunInstances, describeInstances: cl.DescribeInstances, describeImages: cl.DescribeImages,
		createTags: cl.CreateTags, terminateInstances: cl.TerminateInstances, stopInstances: cl.StopInstances,
		startInstances: cl.StartInstances, getConsoleOutput: cl.GetConsoleOutput, getParameter: sm.GetParameter,
	}
}
