// Package poll is the one way herd waits for something: a check, called at
// once and then every interval (or as soon as a change is signalled), until
// it says done, fails, or the context ends.
package poll

import (
	"context"
	"time"
)

// Until calls check until it reports done or an error, or ctx ends; it
// returns check's error or ctx's.
func Until(ctx context.Context, interval time.Duration, check func(context.Context) (bool, error)) error {
	return UntilChanged[struct{}](ctx, interval, nil, check)
}

// UntilChanged is Until that also looks again whenever changed delivers.
func UntilChanged[T any](ctx context.Context, interval time.Duration, changed <-chan T, check func(context.Context) (bool, error)) error {
	return loop(ctx, func() time.Duration { return interval }, changed, check)
}

// Ramp is Until that looks again soon at first, then less and less often:
// after first, then twice as long each time, up to interval. A wait that
// ends quickly is seen at once; a long one costs no more checks than
// Until's.
func Ramp(ctx context.Context, first, interval time.Duration, check func(context.Context) (bool, error)) error {
	next := min(first, interval)
	return loop[struct{}](ctx, func() time.Duration {
		d := next
		next = min(2*next, interval)
		return d
	}, nil, check)
}

func loop[T any](ctx context.Context, wait func() time.Duration, changed <-chan T, check func(context.Context) (bool, error)) error {
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		done, err := check(ctx)
		if err != nil || done {
			return err
		}
		t.Reset(wait())
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		case <-t.C:
		}
	}
}

// Sleep waits d or until ctx ends, returning ctx's error then.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
