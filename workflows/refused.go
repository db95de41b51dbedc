package workflows

import (
	"fmt"

	"go.temporal.io/sdk/temporal"
)

// refused is the error of a request the cluster will not carry out.
func refused(format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), "Refused", nil)
}
