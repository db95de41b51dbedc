package activities

import (
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"
)

// wrap adds context to err, except to an application error, which is
// returned as it is so that Temporal sees whether it may retry.
func wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return err
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}
