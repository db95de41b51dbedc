// Package failure reads Temporal errors for people.
package failure

import (
	"errors"

	"go.temporal.io/sdk/temporal"
)

// Message is the message of the innermost application error in err: what
// actually went wrong, without the chain of wrappers around it.
func Message(err error) string {
	msg := ""
	for e := err; e != nil; e = errors.Unwrap(e) {
		var app *temporal.ApplicationError
		if errors.As(e, &app) {
			msg = app.Message()
			e = app
		}
	}
	if msg == "" && err != nil {
		return err.Error()
	}
	return msg
}
