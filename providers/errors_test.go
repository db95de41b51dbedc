package providers_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/herdhq/herd/providers"
)

// A failure of a release that a retry may mend keeps the release
// retryable, even beside a permanent one.
func TestJoinIsPermanentOnlyWhenEveryErrorIs(t *testing.T) {
	stale := providers.Permanent("EngineStaleNetwork", errors.New("stale"))
	if _, ok := providers.AsPermanent(providers.Join(stale, nil)); !ok {
		t.Fatal("a permanent error alone is no longer permanent")
	}
	mixed := providers.Join(errors.New("remove container c1: engine busy"), stale)
	if _, ok := providers.AsPermanent(mixed); ok || !strings.Contains(mixed.Error(), "stale") {
		t.Fatalf("joined %v: want a retryable error that keeps both messages", mixed)
	}
	if providers.Join(nil, nil) != nil {
		t.Fatal("no error joined into one")
	}
}
