package providers

import (
	"context"

	"github.com/herdhq/herd/cluster"
)

type reporterKey struct{}

// WithReporter returns a context whose Report calls fn: how a long wait
// inside a provider tells the activity running it how far it got.
func WithReporter(ctx context.Context, fn func(cluster.Progress)) context.Context {
	return context.WithValue(ctx, reporterKey{}, fn)
}

// Report tells whoever runs the provider how far it got; without a
// reporter it does nothing.
func Report(ctx context.Context, p cluster.Progress) {
	if fn, ok := ctx.Value(reporterKey{}).(func(cluster.Progress)); ok {
		fn(p)
	}
}
