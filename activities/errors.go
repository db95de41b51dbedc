package activities

import (
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"github.com/herdhq/herd/providers"
)

// wrap adds context to err. A provider's permanent error becomes a
// non-retryable application error of its kind; an application error is
// returned as it is, so that Temporal sees whether it may retry.
func wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return err
	}
	msg := fmt.Sprintf(format, args...)
	if pe, ok := providers.AsPermanent(err); ok {
		return temporal.NewNonRetryableApplicationError(msg+": "+err.Error(), pe.Kind, nil)
	}
	return fmt.Errorf("%s: %w", msg, err)
}

// permanent is a non-retryable error of the given kind.
func permanent(kind, format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), kind, nil)
}

// isPermanent reports whether err is one Temporal will not retry.
func isPermanent(err error) bool {
	var app *temporal.ApplicationError
	return errors.As(err, &app) && app.NonRetryable()
}
