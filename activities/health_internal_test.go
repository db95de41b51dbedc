package activities

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/herdhq/herd/cluster"
)

func members(failed int) cluster.Observation {
	obs := cluster.Observation{Reachable: true}
	for i := 0; i < 30; i++ {
		m := cluster.MemberObs{Name: fmt.Sprintf("c-%02d.herd.local", i), Serf: "alive", Ambari: "HEALTHY"}
		if i < failed {
			m.Serf = "failed"
		}
		obs.Members = append(obs.Members, m)
	}
	return obs
}

// Thirty nodes failing one after another within a few seconds are one
// report, sent once the changes have settled, with all thirty in it.
func TestReporterSendsAStormAsOneReport(t *testing.T) {
	var sent []cluster.Observation
	r := &reporter{settle: 2 * time.Second, send: func(o cluster.Observation) error { sent = append(sent, o); return nil }}
	t0 := time.Unix(1000, 0)
	r.offer(members(0), t0) // the first look is reported once settled
	r.offer(members(0), t0.Add(2*time.Second))
	if len(sent) != 1 {
		t.Fatalf("the first observation is reported: %d", len(sent))
	}
	for i := 1; i <= 30; i++ { // one more failure every 200 ms
		r.offer(members(i), t0.Add(10*time.Second+time.Duration(i)*200*time.Millisecond))
	}
	if len(sent) != 1 {
		t.Fatalf("nothing is sent while the storm goes on, got %d reports", len(sent))
	}
	r.offer(members(30), t0.Add(20*time.Second))
	if len(sent) != 2 || sent[1].Members[29].Serf != "failed" {
		t.Fatalf("the storm is one report with every failure: %d reports", len(sent))
	}
	r.offer(members(30), t0.Add(30*time.Second))
	if len(sent) != 2 {
		t.Fatal("an unchanged observation is not sent again")
	}
}

// A change that never settles is still reported within 4×settle.
func TestReporterBoundsTheWait(t *testing.T) {
	var sent int
	r := &reporter{settle: time.Second, send: func(cluster.Observation) error { sent++; return nil }}
	t0 := time.Unix(1000, 0)
	for i := 0; i <= 8; i++ { // a change every 500 ms, never quiet
		r.offer(members(i%2), t0.Add(time.Duration(i)*500*time.Millisecond))
	}
	if sent == 0 {
		t.Fatal("a flapping node must still be reported")
	}
}

// A report that could not be sent is sent again at the next look.
func TestReporterRetriesAFailedSend(t *testing.T) {
	fail := true
	var sent int
	r := &reporter{settle: time.Second, send: func(cluster.Observation) error {
		if fail {
			return errors.New("temporal unreachable")
		}
		sent++
		return nil
	}}
	t0 := time.Unix(1000, 0)
	r.offer(members(1), t0)
	r.offer(members(1), t0.Add(2*time.Second))
	fail = false
	r.offer(members(1), t0.Add(3*time.Second))
	if sent != 1 {
		t.Fatalf("want the report sent once it can be, got %d", sent)
	}
}

// A node repaired and failed again before the repaired state settled looks
// the same as the report before the repair: it is reported again, or the
// workflow, which marked the node repaired, would never hear of the new
// failure.
func TestReporterReportsAChangeThatWentBack(t *testing.T) {
	var sent []cluster.Observation
	r := &reporter{settle: 2 * time.Second, send: func(o cluster.Observation) error { sent = append(sent, o); return nil }}
	t0 := time.Unix(1000, 0)
	r.offer(members(1), t0)
	r.offer(members(1), t0.Add(2*time.Second))  // the failure is reported
	r.offer(members(0), t0.Add(10*time.Second)) // the replacement is alive
	r.offer(members(1), t0.Add(11*time.Second)) // and killed within the settle time
	r.offer(members(1), t0.Add(13*time.Second))
	if len(sent) != 2 || sent[1].Members[0].Serf != "failed" {
		t.Fatalf("the second failure must be reported: %d reports", len(sent))
	}
	r.offer(members(1), t0.Add(20*time.Second))
	if len(sent) != 2 {
		t.Fatal("an unchanged observation is not sent again")
	}
}

// An unchanged observation with a member down is sent again every
// resendDown (once settled), and one with every member alive is not.
func TestReporterResendsWhileAMemberIsDown(t *testing.T) {
	for _, c := range []struct {
		name   string
		failed int
		want   int
	}{{"one down", 1, 3}, {"all alive", 0, 1}} {
		t.Run(c.name, func(t *testing.T) {
			var sent int
			r := &reporter{settle: 2 * time.Second, send: func(cluster.Observation) error { sent++; return nil }}
			t0 := time.Unix(1000, 0)
			for at := time.Duration(0); at <= 2*resendDown+10*time.Second; at += time.Second {
				r.offer(members(c.failed), t0.Add(at))
			}
			if sent != c.want {
				t.Fatalf("sent %d reports over two minutes; want %d", sent, c.want)
			}
		})
	}
}
