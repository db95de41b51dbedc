package starter

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/herdhq/herd/providers/aws"
	"github.com/herdhq/herd/secrets"
)

// awsPolicyCommand is `herd aws-policy`: the IAM policy of this
// installation's workers.
func (app *App) awsPolicyCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "aws-policy",
		Short: "print the least-privilege IAM policy herd's workers need on AWS (for this master key's installation)",
		Long: `Aws-policy prints the IAM policy of this herd installation's workers: they may
launch only instances, volumes and interfaces tagged with the installation's
id, and stop, start, terminate, read the console of and pin only instances
carrying it. The id derives from the master key (--secret-file).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			m, err := secrets.Load(app.SecretFile)
			if err != nil {
				return usage(err)
			}
			fmt.Fprint(cmd.OutOrStdout(), aws.Policy(m.Installation()))
			return nil
		},
	}
}
