package devserver

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"github.com/herdhq/herd/starter"
	"github.com/herdhq/herd/worker"
)

// NewUpCommand is `herd up`: `herd dev` in the background, then a demo
// cluster, waited for, and where to look.
func NewUpCommand() *cobra.Command {
	f := DevFlags{}
	create := starter.CreateFlags{Blueprint: "multi-node-hdfs-yarn", Provider: "docker", Image: "herd-node:dev",
		Domain: "herd.local", Wait: true, QuorumTimeout: 2 * time.Minute, InstallTimeout: 30 * time.Minute}
	name := "demo"
	cmd := &cobra.Command{
		Use:   "up",
		Short: "start `herd dev` in the background and provision a demo cluster on the local Docker engine",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			spec, err := create.Spec(name)
			if err != nil {
				return err
			}
			c, err := ensureDev(cmd.Context(), f)
			if err != nil {
				return err
			}
			defer c.Close()
			out := cmd.OutOrStdout()
			if _, err := starter.Create(cmd.Context(), c, spec); err != nil {
				return err
			}
			fmt.Fprintf(out, "provisioning %s; watch it in the Temporal UI: http://localhost:%d/namespaces/default/workflows\n", name, f.UIPort)
			st, err := starter.WaitProvisioned(cmd.Context(), c, name, out)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "\n%s is ready: %d nodes, Ambari %s (request %d)\n", st.Cluster, len(st.Nodes), st.AmbariURL, st.RequestID)
			for _, n := range st.Nodes {
				fmt.Fprintf(out, "  %-10s %-22s %-6s %-8s %s\n", n.Name, n.FQDN, n.Role, n.HostGroup, n.IP)
			}
			fmt.Fprintf(out, "\nTemporal UI:  http://localhost:%d\nstatus:       herd cluster status %s\nterminate:    herd cluster terminate %s\nstop herd:    kill $(cat %s)\n",
				f.UIPort, name, name, filepath.Join(f.DataDir, "dev.pid"))
			return nil
		},
	}
	bindDevFlags(cmd, &f)
	cmd.Flags().StringVar(&name, "name", name, "name of the demo cluster")
	cmd.Flags().IntVar(&create.Nodes, "nodes", 3, "number of nodes")
	cmd.Flags().StringVar(&create.Image, "image", create.Image, "node image")
	return cmd
}

// ensureDev connects to a running `herd dev`, starting one in the
// background (logging to DATA/dev.log) when none answers.
func ensureDev(ctx context.Context, f DevFlags) (client.Client, error) {
	opts := worker.ClientOptions{Address: "127.0.0.1:" + strconv.Itoa(f.Port), Namespace: "default"}
	if c, err := dialHealthy(ctx, opts); err == nil {
		return c, nil
	}
	if err := spawnDev(f); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if c, err := dialHealthy(ctx, opts); err == nil {
			return c, nil
		}
		time.Sleep(time.Second)
	}
	return nil, fmt.Errorf("herd dev did not answer on %s within 2 minutes: see %s", opts.Address, filepath.Join(f.DataDir, "dev.log"))
}

func dialHealthy(ctx context.Context, opts worker.ClientOptions) (client.Client, error) {
	c, err := worker.Dial(opts)
	if err != nil {
		return nil, err
	}
	if _, err := c.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func spawnDev(f DevFlags) error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find the herd binary: %w", err)
	}
	if err := os.MkdirAll(f.DataDir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", f.DataDir, err)
	}
	logf, err := os.OpenFile(filepath.Join(f.DataDir, "dev.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("open dev log: %w", err)
	}
	defer logf.Close()
	cmd := exec.Command(self, "dev", "--data-dir", f.DataDir, "--port", strconv.Itoa(f.Port),
		"--ui-port", strconv.Itoa(f.UIPort), "--secret-file", f.SecretFile,
		"--metrics-addr", f.Obs.MetricsAddr, "--log-format", f.Obs.LogFormat)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start herd dev: %w", err)
	}
	pid := []byte(strconv.Itoa(cmd.Process.Pid) + "\n")
	return os.WriteFile(filepath.Join(f.DataDir, "dev.pid"), pid, 0o600)
}
