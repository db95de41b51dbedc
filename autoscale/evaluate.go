package autoscale

import (
	"fmt"
	"time"
)

// Observation is what one evaluation sees of the cluster.
type Observation struct {
	Metrics QueueMetrics `json:"metrics"`
	Size    int          `json:"size"`    // nodes in the policy's host group
	Busy    bool         `json:"busy"`    // another operation runs
	Healthy bool         `json:"healthy"` // no node down, no repair running
	Ready   bool         `json:"ready"`   // the cluster is ready (not stopped, failed, ...)
	Gone    bool         `json:"gone"`    // the cluster was terminated: autoscaling ends
}

// Decision is one outcome of an evaluation that a rule fired in: scale, or
// why not.
type Decision struct {
	At      time.Time    `json:"at"`
	Action  string       `json:"action"` // scale, hold
	Reason  string       `json:"reason"` // fired, bounds, cooldown, at-max, at-min, busy, degraded, not-ready, no-metrics, failed
	Rule    string       `json:"rule"`
	From    int          `json:"from"`
	To      int          `json:"to"`
	Metrics QueueMetrics `json:"metrics"`
	Error   string       `json:"error,omitempty"`
}

// Sample is one evaluation's reading, for the history's picture.
type Sample struct {
	At      time.Time `json:"at"`
	Nodes   int       `json:"nodes"`
	Pending int64     `json:"pending"`
	Running int64     `json:"running"`
}

// State is what evaluations carry from one to the next: since when each
// rule's condition holds, when the last action was, the decisions and
// samples (the latest, bounded).
type State struct {
	BreachSince []time.Time `json:"breach_since"`
	LastAction  time.Time   `json:"last_action"`
	Evaluations int64       `json:"evaluations"`
	Decisions   []Decision  `json:"decisions"`
	Samples     []Sample    `json:"samples"`
}

// Bounds of what State keeps.
const (
	MaxDecisions = 200
	MaxSamples   = 720
)

// Evaluate runs one evaluation at now: it moves each rule's clock and
// returns the decision of the first rule that fired (held for its For), or
// nil when none did. A scale decision starts the cooldown and the rules'
// clocks again.
func Evaluate(p Policy, st *State, obs Observation, now time.Time) *Decision {
	st.Evaluations++
	st.Samples = appendBounded(st.Samples, Sample{At: now, Nodes: obs.Size, Pending: obs.Metrics.PendingContainers, Running: obs.Metrics.AllocatedContainers}, MaxSamples)
	if len(st.BreachSince) != len(p.Rules) {
		st.BreachSince = make([]time.Time, len(p.Rules))
	}
	if d := outOfBounds(p, st, obs, now); d != nil {
		return d
	}
	fired := -1
	for i, r := range p.Rules {
		if !r.holds(obs.Metrics) {
			st.BreachSince[i] = time.Time{}
			continue
		}
		if st.BreachSince[i].IsZero() {
			st.BreachSince[i] = now
		}
		if fired < 0 && now.Sub(st.BreachSince[i]) >= r.For {
			fired = i
		}
	}
	if fired < 0 {
		return nil
	}
	r := p.Rules[fired]
	to := min(max(r.Action.target(obs.Size), p.Min), p.Max)
	d := Decision{At: now, Action: "hold", Rule: r.String(), From: obs.Size, To: to, Metrics: obs.Metrics}
	switch {
	case !obs.Ready:
		d.Reason = "not-ready"
	case obs.Busy:
		d.Reason = "busy"
	case !obs.Healthy:
		d.Reason = "degraded"
	case to == obs.Size && r.Action.target(obs.Size) > obs.Size:
		d.Reason = "at-max"
	case to == obs.Size && r.Action.target(obs.Size) < obs.Size:
		d.Reason = "at-min"
	case to == obs.Size:
		d.Reason = "at-target"
	case !st.LastAction.IsZero() && now.Sub(st.LastAction) < p.Cooldown:
		d.Reason = "cooldown"
	default:
		d.Action, d.Reason = "scale", "fired"
		st.LastAction = now
		st.BreachSince = make([]time.Time, len(p.Rules))
	}
	return &d
}

// outOfBounds brings a group that is outside the policy's bounds (a
// schedule changed them, or the group was scaled by hand) back within
// them at once, cooldown or not, when the cluster can take it.
func outOfBounds(p Policy, st *State, obs Observation, now time.Time) *Decision {
	to := min(max(obs.Size, p.Min), p.Max)
	if to == obs.Size || !obs.Ready || obs.Busy || !obs.Healthy {
		return nil
	}
	st.LastAction = now
	st.BreachSince = make([]time.Time, len(p.Rules))
	return &Decision{At: now, Action: "scale", Reason: "bounds", Rule: fmt.Sprintf("within %d..%d", p.Min, p.Max),
		From: obs.Size, To: to, Metrics: obs.Metrics}
}

// Record keeps d in the state's decisions; a hold repeating the previous
// decision (same reason, rule and sizes) is not kept again.
func (st *State) Record(d Decision) bool {
	if n := len(st.Decisions); n > 0 && d.Action == "hold" {
		last := st.Decisions[n-1]
		if last.Action == d.Action && last.Reason == d.Reason && last.Rule == d.Rule && last.From == d.From && last.To == d.To {
			return false
		}
	}
	st.Decisions = appendBounded(st.Decisions, d, MaxDecisions)
	return true
}

func appendBounded[T any](list []T, v T, limit int) []T {
	list = append(list, v)
	if len(list) > limit {
		list = append([]T(nil), list[len(list)-limit:]...)
	}
	return list
}
