package providers

import (
	"errors"
	"slices"
)

// Error is a provider failure that retrying cannot help: bad input, a
// missing image, a name already taken. Kind names the class (it becomes
// the error type in workflow history); the message says what to fix.
type Error struct {
	Kind string
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }

func (e *Error) Unwrap() error { return e.Err }

// Permanent marks err as not worth retrying.
func Permanent(kind string, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Kind: kind, Err: err}
}

// AsPermanent finds a Permanent error in err's chain.
func AsPermanent(err error) (*Error, bool) {
	var pe *Error
	ok := errors.As(err, &pe)
	return pe, ok
}

// Join joins errs as errors.Join does, but the result is permanent only
// when every error is: while one of them may pass, the whole is retried,
// and the permanent ones are kept as their messages.
func Join(errs ...error) error {
	errs = slices.DeleteFunc(slices.Clone(errs), func(err error) bool { return err == nil })
	if !slices.ContainsFunc(errs, func(err error) bool { _, ok := AsPermanent(err); return !ok }) {
		return errors.Join(errs...)
	}
	for i, err := range errs {
		if _, ok := AsPermanent(err); ok {
			errs[i] = errors.New(err.Error())
		}
	}
	return errors.Join(errs...)
}
