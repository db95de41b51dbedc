package starter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"github.com/herdhq/herd/codec"
	"github.com/herdhq/herd/herdclient"
	"github.com/herdhq/herd/internal/poll"
	"github.com/herdhq/herd/secrets"
)

// upCommand is `herd up`: `herd dev` in the background, then a demo
// cluster, waited for, and where to look.
func (app *App) upCommand() *cobra.Command {
	f := DevFlags{}
	create := defaultCreateFlags()
	name := "demo"
	cmd := &cobra.Command{
		Use:   "up",
		Short: "start `herd dev` in the background and provision a demo cluster on the local Docker engine",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := app.needEmbedded(); err != nil {
				return err
			}
			spec, err := create.Spec(name)
			if err != nil {
				return usage(err)
			}
			if _, err := secrets.LoadOrCreate(app.SecretFile); err != nil { // the dev process and this client share it
				return err
			}
			c, err := ensureDev(cmd.Context(), f, app.SecretFile)
			if err != nil {
				return err
			}
			defer c.T.Close()
			out := cmd.OutOrStdout()
			var exists *herdclient.ExistsError
			switch err := c.Create(cmd.Context(), spec); {
			case errors.As(err, &exists): // `make run` again: show the demo there is
				fmt.Fprintf(out, "cluster %s exists already (herd cluster terminate %s for a new one); its state:\n", name, name)
			case err != nil:
				return err
			default:
				fmt.Fprintf(out, "provisioning %s; watch it in the Temporal UI: http://localhost:%d/namespaces/default/workflows\n", name, f.UIPort)
			}
			st, err := c.WaitProvisioned(cmd.Context(), name, app.progress(out))
			if err != nil {
				return err
			}
			printUp(out, f, st.Cluster)
			printReady(out, st)
			return nil
		},
	}
	bindDevFlags(cmd, &f)
	cmd.Flags().StringVar(&name, "name", name, "name of the demo cluster")
	cmd.Flags().IntVar(&create.Nodes, "nodes", create.Nodes, "number of nodes")
	cmd.Flags().StringVar(&create.Image, "image", create.Image, "node image")
	return cmd
}

func printUp(out io.Writer, f DevFlags, name string) {
	fmt.Fprintf(out, "\nTemporal UI:  http://localhost:%d\nstatus:       herd cluster status %s\nterminate:    herd cluster terminate %s\nstop herd:    kill $(cat %s)\n",
		f.UIPort, name, name, filepath.Join(f.DataDir, "dev.pid"))
}

// ensureDev connects to a running `herd dev`, starting one in the
// background (logging to DATA/dev.log) when none answers.
func ensureDev(ctx context.Context, f DevFlags, secretFile string) (*herdclient.Client, error) {
	cd, err := codec.Load(secretFile)
	if err != nil {
		return nil, err
	}
	opts := herdclient.Options{Address: "127.0.0.1:" + strconv.Itoa(f.Port), Namespace: "default", DataConverter: cd.DataConverter()}
	if c, err := dialHealthy(ctx, opts); err == nil {
		return c, nil
	}
	if err := spawnDev(f, secretFile); err != nil {
		return nil, err
	}
	wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	var c *herdclient.Client
	err = poll.Until(wctx, time.Second, func(ctx context.Context) (bool, error) {
		var err error
		c, err = dialHealthy(ctx, opts)
		return err == nil, nil
	})
	if err != nil {
		return nil, fmt.Errorf("herd dev did not answer on %s within 2 minutes: see %s", opts.Address, filepath.Join(f.DataDir, "dev.log"))
	}
	return c, nil
}

func dialHealthy(ctx context.Context, opts herdclient.Options) (*herdclient.Client, error) {
	c, err := herdclient.Dial(opts)
	if err != nil {
		return nil, err
	}
	if _, err := c.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		c.Close()
		return nil, err
	}
	return herdclient.New(c, opts.DataConverter), nil
}

func spawnDev(f DevFlags, secretFile string) error {
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
		"--ui-port", strconv.Itoa(f.UIPort), "--codec-port", strconv.Itoa(f.CodecPort), "--secret-file", secretFile,
		"--metrics-addr", f.Obs.MetricsAddr, "--log-format", f.Obs.LogFormat)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start herd dev: %w", err)
	}
	pid := []byte(strconv.Itoa(cmd.Process.Pid) + "\n")
	return os.WriteFile(filepath.Join(f.DataDir, "dev.pid"), pid, 0o600)
}
