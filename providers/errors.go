package providers

import "errors"

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
