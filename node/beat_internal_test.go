package node

import (
	"testing"
	"time"

	"github.com/herdhq/herd/contract"
)

// An agent not yet registered looks for the server after 25 ms, then
// twice as long each time up to 250 ms (never longer than its beat
// interval); once registered it beats at its interval, and looks eagerly
// again from 25 ms if it loses its registration.
func TestUnregisteredAgentLooksSoonThenLessOften(t *testing.T) {
	ms := time.Millisecond
	eager := firstLook
	var got []time.Duration
	for range 6 {
		var wait time.Duration
		wait, eager = nextBeat(false, 2*time.Second, eager)
		got = append(got, wait)
	}
	want := []time.Duration{25 * ms, 50 * ms, 100 * ms, 200 * ms, 250 * ms, 250 * ms}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("waits %v, want %v", got, want)
		}
	}
	if wait, next := nextBeat(true, 2*time.Second, eager); wait != 2*time.Second || next != firstLook {
		t.Errorf("registered: wait %v next %v", wait, next)
	}
	if wait, _ := nextBeat(false, 100*ms, 200*ms); wait != 100*ms {
		t.Errorf("never longer than the interval: %v", wait)
	}
}

// An agent runs Go on one processor unless GOMAXPROCS is set; the server
// keeps the runtime's choice.
func TestAgentRunsOnOneProcessorUnlessTold(t *testing.T) {
	for _, c := range []struct {
		role contract.Role
		env  string
		want int
	}{
		{contract.RoleAgent, "", 1},
		{contract.RoleAgent, "4", 0},
		{contract.RoleServer, "", 0},
	} {
		if got := agentProcs(c.role, c.env); got != c.want {
			t.Errorf("agentProcs(%s, GOMAXPROCS=%q) = %d, want %d", c.role, c.env, got, c.want)
		}
	}
}
