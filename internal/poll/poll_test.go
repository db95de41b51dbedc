package poll

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestUntilStopsWhenDone(t *testing.T) {
	n := 0
	err := Until(context.Background(), time.Millisecond, func(context.Context) (bool, error) { n++; return n == 3, nil })
	if err != nil || n != 3 {
		t.Fatalf("want 3 calls and no error, got %d %v", n, err)
	}
}

func TestUntilReturnsCheckError(t *testing.T) {
	boom := errors.New("boom")
	if err := Until(context.Background(), time.Millisecond, func(context.Context) (bool, error) { return false, boom }); err != boom {
		t.Fatalf("want the check's error, got %v", err)
	}
}

func TestUntilEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := Until(ctx, time.Millisecond, func(context.Context) (bool, error) { return false, nil })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want the deadline, got %v", err)
	}
}

// A change wakes the wait long before the interval would.
func TestUntilChangedWakesOnSignal(t *testing.T) {
	changed := make(chan int, 1)
	n := 0
	done := make(chan error, 1)
	go func() {
		done <- UntilChanged(context.Background(), time.Hour, changed, func(context.Context) (bool, error) { n++; return n == 2, nil })
	}()
	changed <- 1
	select {
	case err := <-done:
		if err != nil || n != 2 {
			t.Fatalf("got %d calls, %v", n, err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a change did not wake the wait")
	}
}
