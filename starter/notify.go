package starter

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/herdhq/herd/activities"
	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/herdclient"
	"github.com/herdhq/herd/secrets"
)

func (app *App) notifyCommand() *cobra.Command {
	cmd := group("notify", "where alerts go: webhooks (signed) and e-mail")
	cmd.AddCommand(app.notifyAddCommand(), app.notifyListCommand(), app.notifyRemoveCommand(), app.notifyTestCommand())
	return cmd
}

func (app *App) notifyAddCommand() *cobra.Command {
	var t cluster.NotifyTarget
	cmd := &cobra.Command{
		Use:   "add NAME (--webhook URL | --email ADDRESS --smtp HOST:PORT --from ADDRESS)",
		Short: "add a notification target, for every cluster or one (--cluster)",
		Long: `Add adds a place alerts go to. A webhook gets each alert as a JSON POST with
the headers X-Herd-Alert-Id (the same on a repeated delivery: drop those you
have had) and X-Herd-Signature: sha256=HEX, the HMAC-SHA256 of the body with
the target's key, which this command prints (it derives from the master key
and is kept nowhere). E-mail goes over SMTP with STARTTLS (required unless
--smtp-insecure) and, with --smtp-user, PLAIN auth with the password the
worker reads from --smtp-password-file when it sends. An https webhook's and
an SMTP server's certificates are checked against the system's CAs, or
those of --ca-file (a PEM file the worker reads when it sends). Failed
deliveries are retried with backoff for a day; the cluster's operations
never wait for them.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			t.Name = args[0]
			t.Kind = cluster.TargetWebhook
			if len(t.To) > 0 {
				t.Kind = cluster.TargetEmail
			}
			if err := t.Validate(); err != nil {
				return usage(err)
			}
			master, err := secrets.Load(app.SecretFile)
			if err != nil {
				return usage(err)
			}
			return app.withClient(func(c *herdclient.Client) error {
				if _, err := c.AddTarget(cmd.Context(), t); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "notification target %s added: %s\n", t.Name, destination(t))
				if t.Kind == cluster.TargetWebhook {
					fmt.Fprintf(cmd.OutOrStdout(), "signing key: %s\n(check %s: sha256=HMAC-SHA256(key, body) in hex)\n", master.WebhookKey(t.Name), activities.HeaderSignature)
				}
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&t.Cluster, "cluster", "", "only this cluster's alerts (default: every cluster's)")
	f.StringVar(&t.URL, "webhook", "", "webhook URL (http or https)")
	f.StringArrayVar(&t.To, "email", nil, "e-mail address to send alerts to (repeatable)")
	f.StringVar(&t.SMTP, "smtp", "", "SMTP server host:port")
	f.StringVar(&t.From, "from", "herd@localhost", "sender address")
	f.StringVar(&t.User, "smtp-user", "", "SMTP user (PLAIN auth)")
	f.StringVar(&t.PasswordFile, "smtp-password-file", "", "file the worker reads the SMTP password from")
	f.BoolVar(&t.Insecure, "smtp-insecure", false, "send without TLS when the server offers no STARTTLS")
	f.StringVar(&t.CAFile, "ca-file", "", "PEM file on the worker of the CAs the webhook's or SMTP server's certificate is checked against (default: the system's)")
	return cmd
}

func destination(t cluster.NotifyTarget) string {
	scope := "every cluster"
	if t.Cluster != "" {
		scope = "cluster " + t.Cluster
	}
	if t.Kind == cluster.TargetWebhook {
		return fmt.Sprintf("POST %s (%s)", t.URL, scope)
	}
	return fmt.Sprintf("e-mail to %s through %s (%s)", strings.Join(t.To, ", "), t.SMTP, scope)
}

func (app *App) notifyListCommand() *cobra.Command {
	return &cobra.Command{
		Use: "list", Short: "list the notification targets", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return app.withClient(func(c *herdclient.Client) error {
				ts, err := c.Targets(cmd.Context())
				if err != nil {
					return err
				}
				out := cmd.OutOrStdout()
				return app.print(out, ts, func() {
					tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "NAME\tKIND\tDESTINATION")
					for _, t := range ts {
						fmt.Fprintf(tw, "%s\t%s\t%s\n", t.Name, t.Kind, destination(t))
					}
					_ = tw.Flush()
				})
			})
		},
	}
}

func (app *App) notifyRemoveCommand() *cobra.Command {
	return &cobra.Command{
		Use: "remove NAME", Short: "remove a notification target", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return app.withClient(func(c *herdclient.Client) error {
				if _, err := c.RemoveTarget(cmd.Context(), args[0]); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "notification target %s removed\n", args[0])
				return nil
			})
		},
	}
}

func (app *App) notifyTestCommand() *cobra.Command {
	return &cobra.Command{
		Use: "test NAME", Short: "send a test alert to a target through the workers, and say whether it arrived", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return app.withClient(func(c *herdclient.Client) error {
				if _, err := c.TestTarget(cmd.Context(), args[0]); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "test alert delivered to %s\n", args[0])
				return nil
			})
		},
	}
}

func (app *App) alertsCommand() *cobra.Command {
	cmd := group("alerts", "the alerts herd raised about a cluster")
	cmd.AddCommand(&cobra.Command{
		Use: "list NAME", Short: "list a cluster's latest alerts, oldest first", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return app.withClient(func(c *herdclient.Client) error {
				st, err := c.Status(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				out := cmd.OutOrStdout()
				return app.print(out, st.Alerts, func() { printAlerts(out, st.Alerts) })
			})
		},
	})
	return cmd
}

func printAlerts(w io.Writer, alerts []cluster.Alert) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "AT\tSEVERITY\tKIND\tNODE\tTEXT")
	for _, al := range alerts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", al.At.Local().Format(time.DateTime), al.Severity, al.Kind, al.Node, al.Text)
	}
	_ = tw.Flush()
}
