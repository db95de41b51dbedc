package starter

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// UsageError is a mistake in how herd was called: exit code 2.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }

func (e *UsageError) Unwrap() error { return e.Err }

func usage(err error) error {
	if err == nil {
		return nil
	}
	return &UsageError{err}
}

// ExitCode maps a command's error to herd's exit codes: 0 success, 1 an
// operation failed, 2 a usage error.
func ExitCode(err error) int {
	if err == nil {
		return 0
	}
	var u *UsageError
	if errors.As(err, &u) {
		return 2
	}
	for _, prefix := range []string{"unknown command", "required flag"} {
		if strings.HasPrefix(err.Error(), prefix) {
			return 2
		}
	}
	return 1
}

// markUsage makes flag and argument errors of every command usage errors.
func markUsage(cmd *cobra.Command) {
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usage(err) })
	if args := cmd.Args; args != nil {
		cmd.Args = func(c *cobra.Command, a []string) error { return usage(args(c, a)) }
	}
	for _, sub := range cmd.Commands() {
		markUsage(sub)
	}
}

// group is a command that only holds subcommands: an unknown subcommand is
// a usage error (cobra would print the help and exit 0).
func group(use, short string) *cobra.Command {
	return &cobra.Command{Use: use, Short: short, Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usage(fmt.Errorf("unknown command %q for %q: see %s --help", args[0], cmd.CommandPath(), cmd.CommandPath()))
			}
			return cmd.Help()
		}}
}
