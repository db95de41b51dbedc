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

func TestRampLooksSoonThenLessOften(t *testing.T) {
	var at []time.Time
	err := Ramp(context.Background(), 10*time.Millisecond, 40*time.Millisecond, func(context.Context) (bool, error) {
		at = append(at, time.Now())
		return len(at) == 5, nil
	})
	if err != nil || len(at) != 5 {
		t.Fatalf("want 5 checks, got %d %v", len(at), err)
	}
	// Waits of 10, 20, 40, 40 ms: at least 110 ms in all, each gap at least its wait.
	for i, want := range []time.Duration{10, 20, 40, 40} {
		if gap := at[i+1].Sub(at[i]); gap < want*time.Millisecond {
			t.Errorf("gap %d is %s, want at least %d ms", i, gap, want)
		}
	}
}
