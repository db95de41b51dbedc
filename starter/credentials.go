package starter

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/herdclient"
	"github.com/herdhq/herd/secrets"
)

// Credentials are how a person logs in to a cluster.
type Credentials struct {
	Cluster         string `json:"cluster"`
	AmbariURL       string `json:"ambari_url"`
	AmbariUser      string `json:"ambari_user"`
	AmbariPassword  string `json:"ambari_password"`
	ServicePassword string `json:"service_password"`
	SerfRPC         string `json:"serf_rpc"`
	SerfRPCAuth     string `json:"serf_rpc_auth"`
}

func (app *App) credentialsCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "credentials NAME",
		Short: "print how to log in to a cluster's Ambari and Serf (needs the worker's master key)",
		Long: `Credentials prints the cluster's Ambari URL, user and password, and its Serf
RPC address and token. They derive from the worker's master key and are kept
nowhere else (not in Temporal): run this where the worker runs, or give a copy
of its key file with --secret-file.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return app.withCredentials(cmd.Context(), args[0], func(st cluster.Status, s secrets.Cluster) error {
				cr := Credentials{Cluster: args[0], AmbariURL: st.AmbariURL, AmbariUser: s.AmbariUser, AmbariPassword: s.AmbariPassword,
					ServicePassword: s.ServicePassword,
					SerfRPC:         st.SerfRPC, SerfRPCAuth: s.SerfRPCAuth}
				return app.print(cmd.OutOrStdout(), cr, func() { printCredentials(cmd.OutOrStdout(), cr) })
			})
		},
	}
	return cmd
}

func printCredentials(w io.Writer, cr Credentials) {
	fmt.Fprintf(w, "cluster %s\nambari:   %s\nuser:     %s\npassword: %s\nserf rpc: %s (token %s)\nservices' default password: %s\n\n",
		cr.Cluster, cr.AmbariURL, cr.AmbariUser, cr.AmbariPassword, cr.SerfRPC, cr.SerfRPCAuth, cr.ServicePassword)
	fmt.Fprintf(w, "  curl -u %s:%s %s/api/v1/clusters\n  serf members -rpc-addr=%s -rpc-auth=%s\n", cr.AmbariUser, cr.AmbariPassword, cr.AmbariURL, cr.SerfRPC, cr.SerfRPCAuth)
}

// withCredentials reads the master key, then the cluster's status, and
// runs fn with both: what a command needs to reach the cluster's Ambari.
func (app *App) withCredentials(ctx context.Context, name string, fn func(cluster.Status, secrets.Cluster) error) error {
	master, err := secrets.Load(app.SecretFile)
	if err != nil {
		return usage(err)
	}
	return app.withClient(func(c *herdclient.Client) error {
		st, err := c.Status(ctx, name)
		if err != nil {
			return err
		}
		return fn(st, master.For(name))
	})
}
