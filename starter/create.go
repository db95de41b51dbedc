package starter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/herdhq/herd/blueprints"
	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/workflows"
)

// CreateFlags are the options of `herd cluster create`.
type CreateFlags struct {
	Blueprint      string
	Nodes          int
	Provider       string
	Image          string
	Domain         string
	KeepOnFailure  bool
	Wait           bool
	NodeEnv        []string
	ProviderOpts   []string // KEY=VALUE
	ProviderConfig string   // file of KEY=VALUE lines
	Region, AMI    string   // shorthands of provider options
	InstanceType   string
	TaskDuration   string
	QuorumTimeout  time.Duration
	InstallTimeout time.Duration
}

// Spec turns the flags into a validated cluster spec.
func (f CreateFlags) Spec(name string) (cluster.Spec, error) {
	bpName, bp, err := blueprints.Load(f.Blueprint)
	if err != nil {
		return cluster.Spec{}, err
	}
	groups, err := blueprints.Spread(bp, f.Nodes)
	if err != nil {
		return cluster.Spec{}, fmt.Errorf("--nodes %d with blueprint %s: %w", f.Nodes, bpName, err)
	}
	spec := cluster.Spec{
		Name: name, BlueprintName: bpName, Blueprint: bp, HostGroups: groups, Provider: f.Provider,
		Image: f.Image, Domain: f.Domain, KeepOnFailure: f.KeepOnFailure, NodeEnv: map[string]string{},
		QuorumTimeout: f.QuorumTimeout, InstallTimeout: f.InstallTimeout,
	}
	for _, kv := range f.NodeEnv {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return spec, fmt.Errorf("--node-env %q: use KEY=VALUE", kv)
		}
		spec.NodeEnv[k] = v
	}
	if spec.ProviderOptions, err = f.providerOptions(); err != nil {
		return spec, err
	}
	if f.TaskDuration != "" {
		if _, err := time.ParseDuration(f.TaskDuration); err != nil {
			return spec, fmt.Errorf("--emulator-task-duration %q is not a duration such as 2s", f.TaskDuration)
		}
		spec.NodeEnv["EMU_TASK_DURATION"] = f.TaskDuration
	}
	return spec, spec.Validate()
}

func (app *App) createCommand() *cobra.Command {
	f := CreateFlags{}
	cmd := &cobra.Command{
		Use:   "create NAME",
		Short: "provision a cluster (a durable workflow; --wait follows it)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			spec, err := f.Spec(args[0])
			if err != nil {
				return usage(err)
			}
			return app.withClient(func(c client.Client) error {
				return app.create(cmd.Context(), c, spec, f.Wait, cmd.OutOrStdout())
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.Blueprint, "blueprint", "multi-node-hdfs-yarn", "built-in blueprint name or a blueprint JSON file")
	fl.IntVar(&f.Nodes, "nodes", 3, "number of nodes")
	fl.StringVar(&f.Provider, "provider", "docker", "where to run the cluster")
	fl.StringVar(&f.Image, "image", "herd-node:dev", "node image (built by `make image`)")
	fl.StringVar(&f.Domain, "domain", "herd.local", "DNS domain of the nodes")
	fl.BoolVar(&f.KeepOnFailure, "keep-on-failure", false, "leave containers in place when provisioning fails, for debugging")
	fl.BoolVar(&f.Wait, "wait", false, "follow progress until the cluster is ready or failed")
	fl.StringArrayVar(&f.NodeEnv, "node-env", nil, "extra KEY=VALUE for every node container (repeatable)")
	fl.StringArrayVar(&f.ProviderOpts, "provider-opt", nil, "provider option KEY=VALUE, e.g. region=eu-central-1 (repeatable; see README)")
	fl.StringVar(&f.ProviderConfig, "provider-config", "", "file of provider options, one KEY=VALUE a line (# comments)")
	fl.StringVar(&f.Region, "region", "", "aws: region (provider option region)")
	fl.StringVar(&f.AMI, "ami", "", "aws: AMI with cloud-init (provider option ami)")
	fl.StringVar(&f.InstanceType, "instance-type", "", "aws: instance type (provider option instance-type)")
	fl.StringVar(&f.TaskDuration, "emulator-task-duration", "", "how long each emulated Ambari task takes, e.g. 0s")
	fl.DurationVar(&f.QuorumTimeout, "quorum-timeout", 2*time.Minute, "how long to wait for all nodes to be alive in Serf")
	fl.DurationVar(&f.InstallTimeout, "install-timeout", 30*time.Minute, "how long to wait for Ambari to install the blueprint")
	return cmd
}

func (app *App) create(ctx context.Context, c client.Client, spec cluster.Spec, wait bool, out io.Writer) error {
	if _, err := Create(ctx, c, spec); err != nil {
		return err
	}
	if !wait {
		fmt.Fprintf(out, "provisioning %s started (workflow %s); follow it with: herd cluster status %s\n", spec.Name, cluster.WorkflowID(spec.Name), spec.Name)
		return nil
	}
	st, err := WaitProvisioned(ctx, c, spec.Name, progressWriter(app, out))
	if err != nil {
		return err
	}
	return app.print(out, st, func() { printReady(out, st) })
}

// WaitProvisioned follows a cluster's provisioning until it is ready (or
// failed, which is an error), printing progress to w.
func WaitProvisioned(ctx context.Context, c client.Client, name string, w io.Writer) (workflows.Status, error) {
	st, err := newFollower(c, name, w).until(ctx, func(st workflows.Status) bool {
		return st.Phase != workflows.PhaseProvisioning && st.Phase != workflows.PhaseCompensating
	})
	if err != nil {
		return st, err
	}
	return st, isFailed(st)
}

// Create starts the workflow of a new cluster, which provisions it.
func Create(ctx context.Context, c client.Client, spec cluster.Spec) (client.WorkflowRun, error) {
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: cluster.WorkflowID(spec.Name), TaskQueue: workflows.TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		StaticSummary:            workflows.Summary(spec), StaticDetails: workflows.Details(spec),
		TypedSearchAttributes: workflows.InitialSearchAttributes(spec),
	}, workflows.ClusterWorkflow, workflows.ClusterInput{Spec: spec})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil, fmt.Errorf("cluster %s already exists: see `herd cluster status %s`, or terminate it first", spec.Name, spec.Name)
	}
	if err != nil {
		return nil, fmt.Errorf("start provisioning of %s: %w", spec.Name, err)
	}
	return run, nil
}

func progressWriter(app *App, out io.Writer) io.Writer {
	if app.Output == "json" {
		return io.Discard
	}
	return out
}
