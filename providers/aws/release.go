package aws

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/internal/poll"
)

// Release terminates every live instance of the cluster that this
// installation launched. Listings are eventually consistent, so it sweeps
// until two sweeps in a row find nothing: an instance launched just before
// is caught by a later one.
func (e *EC2) Release(ctx context.Context, clusterName string) (cluster.Released, error) {
	var rel cluster.Released
	empty := 0
	err := poll.Until(ctx, e.Every, func(ctx context.Context) (bool, error) {
		found, err := e.tagged(ctx, clusterName)
		if err != nil {
			return false, err
		}
		if len(found) == 0 {
			empty++
			return empty == 2, nil
		}
		empty = 0
		ids := slices.Sorted(maps.Keys(found))
		if err := e.Terminate(ctx, ids); err != nil {
			return false, err
		}
		rel.Instances += len(ids)
		return false, nil
	})
	return rel, err
}

// Terminate terminates the instances. EC2 refuses a whole batch when one id
// is unknown (terminating none): then each is terminated alone, the unknown
// ones skipped.
func (e *EC2) Terminate(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := e.api.terminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: ids})
	if apiCode(err) != "InvalidInstanceID.NotFound" {
		return classify("terminate instances", err)
	}
	for _, id := range ids {
		_, err := e.api.terminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{id}})
		if err != nil && apiCode(err) != "InvalidInstanceID.NotFound" {
			return classify("terminate instance "+id, err)
		}
	}
	return nil
}

// Stop stops the instances (they keep their disks and addresses, and stop
// costing compute) and waits until they are stopped.
func (e *EC2) Stop(ctx context.Context, insts []cluster.Instance) error {
	ids := idsOf(insts)
	if len(ids) == 0 {
		return nil
	}
	if _, err := e.api.stopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: ids}); err != nil {
		return classify("stop instances", err)
	}
	return e.waitState(ctx, ids, "stopped")
}

// Start starts stopped instances and waits until they run.
func (e *EC2) Start(ctx context.Context, insts []cluster.Instance) error {
	ids := idsOf(insts)
	if len(ids) == 0 {
		return nil
	}
	if _, err := e.api.startInstances(ctx, &ec2.StartInstancesInput{InstanceIds: ids}); err != nil {
		return classify("start instances", err)
	}
	return e.waitState(ctx, ids, "running")
}

func (e *EC2) waitState(ctx context.Context, ids []string, state string) error {
	wctx, cancel := context.WithTimeout(ctx, e.WaitTimeout)
	defer cancel()
	err := poll.Until(wctx, e.Every, func(ctx context.Context) (bool, error) {
		insts, err := e.describe(ctx, &ec2.DescribeInstancesInput{InstanceIds: ids})
		if err != nil {
			return false, err
		}
		for _, i := range insts {
			if string(i.State.Name) != state {
				return false, nil
			}
		}
		return len(insts) == len(ids), nil
	})
	if err != nil && wctx.Err() != nil && ctx.Err() == nil {
		return fmt.Errorf("instances %v are not %s after %s", ids, state, e.WaitTimeout)
	}
	return err
}

// State is an instance's state and, when it ended, why.
func (e *EC2) State(ctx context.Context, id string) (string, string, error) {
	insts, err := e.describe(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	if err != nil {
		return "", "", err
	}
	i, ok := insts[id]
	if !ok {
		return "terminated", "not found", nil
	}
	return string(i.State.Name), reason(i), nil
}

// ConsoleOutput is the end of an instance's console (cloud-init writes
// there), for errors that say why a host did not come up.
func (e *EC2) ConsoleOutput(ctx context.Context, id string) string {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := e.api.getConsoleOutput(cctx, &ec2.GetConsoleOutputInput{InstanceId: awssdk.String(id), Latest: awssdk.Bool(true)})
	if err != nil || out.Output == nil {
		return ""
	}
	return decodeConsole(awssdk.ToString(out.Output))
}

func idsOf(insts []cluster.Instance) []string {
	var ids []string
	for _, i := range insts {
		if i.ID != "" {
			ids = append(ids, i.ID)
		}
	}
	return ids
}
