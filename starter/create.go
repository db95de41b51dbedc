package starter

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/herdhq/herd/blueprints"
	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/herdclient"
)

// CreateFlags are the options of `herd cluster create`.
type CreateFlags struct {
	Blueprint      string
	Nodes          int
	Provider       string
	Place          string
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
	Repair         cluster.RepairPolicy
	MinNodes       int
}

// Spec turns the flags into a validated cluster spec.
func (f CreateFlags) Spec(name string) (cluster.Spec, error) {
	spec, err := blueprints.NewSpec(name, f.Blueprint, f.Nodes)
	if err != nil {
		return spec, err
	}
	spec.Provider, spec.Place, spec.Image, spec.Domain, spec.KeepOnFailure = f.Provider, f.Place, f.Image, f.Domain, f.KeepOnFailure
	spec.QuorumTimeout, spec.InstallTimeout = f.QuorumTimeout, f.InstallTimeout
	spec.Repair, spec.MinNodes = f.Repair, f.MinNodes
	if spec.NodeEnv, err = keyValues("--node-env", f.NodeEnv); err != nil {
		return spec, err
	}
	if err := contract.CheckExtra(spec.NodeEnv); err != nil {
		return spec, fmt.Errorf("--node-env: %w", err)
	}
	if spec.ProviderOptions, err = f.providerOptions(); err != nil {
		return spec, err
	}
	if f.TaskDuration != "" {
		if _, err := time.ParseDuration(f.TaskDuration); err != nil {
			return spec, fmt.Errorf("--emulator-task-duration %q is not a duration such as 2s", f.TaskDuration)
		}
		spec.NodeEnv[contract.EnvTaskDuration] = f.TaskDuration
	}
	return spec, spec.Validate()
}

// defaultCreateFlags are what `herd cluster create` and `herd up` start from.
func defaultCreateFlags() CreateFlags {
	return CreateFlags{Blueprint: cluster.DefaultBlueprint, Nodes: cluster.DefaultNodes, Provider: cluster.DefaultProvider,
		Image: cluster.DefaultImage, Domain: cluster.DefaultDomain,
		QuorumTimeout: cluster.DefaultQuorumTimeout, InstallTimeout: cluster.DefaultInstallTimeout}
}

func (app *App) createCommand() *cobra.Command {
	f := defaultCreateFlags()
	cmd := &cobra.Command{
		Use:   "create NAME",
		Short: "provision a cluster (a durable workflow; --wait follows it)",
		Long: `Create provisions a cluster: one durable workflow (cluster/NAME) runs each step
as a retryable activity. NAME is 2-32 lower-case letters, digits and dashes,
starting with a letter; the nodes are NAME-1 (the Ambari server), NAME-2, ...
in --domain. Everything is checked before anything is created.

Examples:
  herd cluster create demo --wait
  herd cluster create big --nodes 10 --repair-after 1m --wait
  herd cluster create prod --provider aws --provider-config aws.conf --image registry.example/herd-node:1`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			spec, err := f.Spec(args[0])
			if err != nil {
				return usage(err)
			}
			return app.withClient(func(c *herdclient.Client) error {
				return app.create(cmd.Context(), c, spec, f.Wait, cmd.OutOrStdout())
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.Blueprint, "blueprint", f.Blueprint, "built-in blueprint name or a blueprint JSON file")
	fl.IntVar(&f.Nodes, "nodes", f.Nodes, "number of nodes")
	fl.StringVar(&f.Provider, "provider", f.Provider, "where to run the cluster: docker or aws")
	fl.StringVar(&f.Place, "place", "", "run the cluster's steps on the workers started with this --place (a region, a data centre), which can reach its machines")
	fl.StringVar(&f.Image, "image", f.Image, "node image; make image builds herd-node:dev (no image is pulled)")
	fl.StringVar(&f.Domain, "domain", f.Domain, "DNS domain of the nodes")
	fl.BoolVar(&f.KeepOnFailure, "keep-on-failure", false, "leave containers in place when provisioning fails, for debugging")
	fl.BoolVar(&f.Wait, "wait", false, "follow progress until the cluster is ready or failed")
	fl.StringArrayVar(&f.NodeEnv, "node-env", nil, "extra KEY=VALUE for every node container (repeatable)")
	fl.StringArrayVar(&f.ProviderOpts, "provider-opt", nil, "provider option KEY=VALUE, e.g. region=eu-central-1 (repeatable; see README)")
	fl.StringVar(&f.ProviderConfig, "provider-config", "", "file of provider options, one KEY=VALUE a line (# comments)")
	fl.StringVar(&f.Region, "region", "", "aws: region (provider option region)")
	fl.StringVar(&f.AMI, "ami", "", "aws: AMI with cloud-init (provider option ami)")
	fl.StringVar(&f.InstanceType, "instance-type", "", "aws: instance type (provider option instance-type)")
	fl.StringVar(&f.TaskDuration, "emulator-task-duration", "", "how long each emulated Ambari task takes, e.g. 0s")
	fl.DurationVar(&f.QuorumTimeout, "quorum-timeout", f.QuorumTimeout, "how long to wait for all nodes to be alive in Serf")
	fl.DurationVar(&f.InstallTimeout, "install-timeout", f.InstallTimeout, "how long to wait for Ambari to install the blueprint")
	bindRepair(cmd, &f.Repair)
	fl.IntVar(&f.MinNodes, "min-nodes", 0, "go on with at least this many nodes when some never come up (repair adds the rest); 0: all are needed")
	return cmd
}

func (app *App) create(ctx context.Context, c *herdclient.Client, spec cluster.Spec, wait bool, out io.Writer) error {
	if err := c.Create(ctx, spec); err != nil {
		return err
	}
	if spec.Place != "" && !c.Served(ctx, spec.Place) {
		fmt.Fprintf(out, "no worker serves place %s yet: %s waits until one does (herd worker --place %s, where its machines can be reached)\n", spec.Place, spec.Name, spec.Place)
	}
	if !wait {
		fmt.Fprintf(out, "provisioning %s started (workflow %s); follow it with: herd cluster status %s\n", spec.Name, cluster.WorkflowID(spec.Name), spec.Name)
		return nil
	}
	st, err := c.WaitProvisioned(ctx, spec.Name, app.progress(out))
	if err != nil {
		return err
	}
	return app.print(out, st, func() { printReady(out, st) })
}

// progress follows an operation on out, unless the output is JSON.
func (app *App) progress(out io.Writer) herdclient.Watcher {
	if app.Output == "json" {
		return nil
	}
	return newFollower(out).show
}
