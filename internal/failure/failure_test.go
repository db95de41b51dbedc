package failure

import (
	"errors"
	"fmt"
	"testing"

	"go.temporal.io/sdk/temporal"
)

func TestMessageIsTheInnermostApplicationError(t *testing.T) {
	inner := temporal.NewNonRetryableApplicationError("image x is not on the engine", "ImageNotFound", nil)
	outer := fmt.Errorf("ApplyCloudInit: %w", temporal.NewApplicationErrorWithCause("activity failed", "X", inner))
	if got := Message(outer); got != "image x is not on the engine" {
		t.Fatalf("got %q", got)
	}
	if got := Message(errors.New("plain")); got != "plain" {
		t.Fatalf("a plain error is its own message, got %q", got)
	}
	if Message(nil) != "" {
		t.Fatal("nil has no message")
	}
}
