package autoscale

import (
	"bytes"
	"encoding/xml"
	"image"
	_ "image/png"
	"strings"
	"testing"
	"time"
)

func TestParseRule(t *testing.T) {
	for in, want := range map[string]string{
		"PendingContainers > 0 for 1m: +2":    "PendingContainers > 0 for 1m0s: +2",
		"AvailableMB > 75% for 10m: -1":       "AvailableMB > 75% for 10m0s: -1",
		"AppsPending>=5:=10":                  "AppsPending >= 5: =10",
		"PendingContainers > 10 for 2m: +50%": "PendingContainers > 10 for 2m0s: +50%",
	} {
		r, err := ParseRule(in)
		if err != nil || r.String() != want {
			t.Errorf("%q: %v %q, want %q", in, err, r, want)
		}
		if again, err := ParseRule(r.String()); err != nil || again.String() != r.String() {
			t.Errorf("%q does not read back: %v", r, err)
		}
	}
	for in, want := range map[string]string{
		"Pending > 0: +2":              "unknown metric Pending: use one of AppsPending",
		"PendingContainers > 0":        "write METRIC OP THRESHOLD",
		"PendingContainers > 50%: +1":  "a percentage applies to AllocatedMB or AvailableMB",
		"AvailableMB > 120%: -1":       "a percentage is at most 100",
		"AppsPending > 1 for ever: +1": "not a duration from 0s to 24h",
		"AppsPending > 1: +0":          "add or remove at least one node",
		"AppsPending > 1: =50%":        "sets a node count, not a percentage",
	} {
		if _, err := ParseRule(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
}

func mustRule(t *testing.T, s string) Rule {
	t.Helper()
	r, err := ParseRule(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestValidate(t *testing.T) {
	p := Policy{HostGroup: "slaves", Min: 3, Max: 20, Cooldown: time.Minute, Interval: 15 * time.Second,
		Rules: []Rule{mustRule(t, "AppsPending > 0: =10")}}
	if err := p.Validate(1, 100); err != nil {
		t.Fatal(err)
	}
	for want, change := range map[string]func(*Policy){
		"needs --host-group":           func(p *Policy) { p.HostGroup = "" },
		"can have 1 to 100 nodes":      func(p *Policy) { p.Max = 500 },
		"give min <= max":              func(p *Policy) { p.Min = 30 },
		"no rule":                      func(p *Policy) { p.Rules = nil },
		"--cooldown -1s":               func(p *Policy) { p.Cooldown = -time.Second },
		"--interval 10ms":              func(p *Policy) { p.Interval = 10 * time.Millisecond },
		"sets 10 nodes, outside --min": func(p *Policy) { p.Max = 5 },
	} {
		q := p
		change(&q)
		if err := q.Validate(1, 100); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", want, err)
		}
	}
}

var t0 = time.Unix(1_800_000_000, 0)

func obs(size int, pending, allocMB, availMB int64) Observation {
	return Observation{Size: size, Ready: true, Healthy: true,
		Metrics: QueueMetrics{PendingContainers: pending, AllocatedMB: allocMB, AvailableMB: availMB}}
}

// A rule fires once its condition has held for its duration; an action
// starts the cooldown, in which another firing is held; bounds clamp.
func TestEvaluate(t *testing.T) {
	p := Policy{HostGroup: "slaves", Min: 2, Max: 5, Cooldown: 2 * time.Minute,
		Rules: []Rule{mustRule(t, "PendingContainers > 0 for 1m: +2"), mustRule(t, "AvailableMB > 75% for 5m: -1")}}
	var st State
	if d := Evaluate(p, &st, obs(2, 4, 8192, 0), t0); d != nil {
		t.Fatalf("not yet held a minute: %+v", d)
	}
	if d := Evaluate(p, &st, obs(2, 0, 8192, 0), t0.Add(30*time.Second)); d != nil {
		t.Fatalf("the condition broke: %+v", d)
	}
	Evaluate(p, &st, obs(2, 4, 8192, 0), t0.Add(time.Minute))
	d := Evaluate(p, &st, obs(2, 4, 8192, 0), t0.Add(2*time.Minute))
	if d == nil || d.Action != "scale" || d.From != 2 || d.To != 4 {
		t.Fatalf("held a minute since it came back: %+v", d)
	}
	Evaluate(p, &st, obs(4, 4, 16384, 0), t0.Add(3*time.Minute))
	if d := Evaluate(p, &st, obs(4, 4, 16384, 0), t0.Add(4*time.Minute-time.Second)); d != nil {
		t.Fatalf("the rule's clock started again after the action: %+v", d)
	}
	d = Evaluate(p, &st, obs(4, 4, 16384, 0), t0.Add(4*time.Minute))
	if d == nil || d.Action != "scale" || d.To != 5 {
		t.Fatalf("+2 from 4 is clamped to max 5: %+v", d)
	}
	Evaluate(p, &st, obs(5, 4, 20480, 0), t0.Add(7*time.Minute))
	d = Evaluate(p, &st, obs(5, 4, 20480, 0), t0.Add(8*time.Minute))
	if d == nil || d.Reason != "at-max" {
		t.Fatalf("held at max: %+v", d)
	}
	for i := 0; i <= 5; i++ {
		d = Evaluate(p, &st, obs(5, 0, 1024, 19456), t0.Add(9*time.Minute+time.Duration(i)*time.Minute))
	}
	if d == nil || d.Action != "scale" || d.To != 4 {
		t.Fatalf("95%% free for 5m: -1: %+v", d)
	}
	busy := obs(4, 9, 1, 0)
	busy.Busy = true
	Evaluate(p, &st, busy, t0.Add(20*time.Minute))
	if d := Evaluate(p, &st, busy, t0.Add(21*time.Minute)); d == nil || d.Reason != "busy" {
		t.Fatalf("another operation runs: %+v", d)
	}
}

func TestCooldown(t *testing.T) {
	p := Policy{HostGroup: "slaves", Min: 1, Max: 10, Cooldown: 2 * time.Minute, Rules: []Rule{mustRule(t, "PendingContainers > 0: +1")}}
	var st State
	if d := Evaluate(p, &st, obs(3, 1, 1, 0), t0); d == nil || d.Action != "scale" {
		t.Fatalf("no duration: fires at once: %+v", d)
	}
	if d := Evaluate(p, &st, obs(4, 1, 1, 0), t0.Add(2*time.Minute-time.Second)); d == nil || d.Reason != "cooldown" {
		t.Fatalf("in the cooldown: %+v", d)
	}
	if d := Evaluate(p, &st, obs(4, 1, 1, 0), t0.Add(2*time.Minute)); d == nil || d.Action != "scale" || d.To != 5 {
		t.Fatalf("after it: %+v", d)
	}
}

// A group outside the bounds (a schedule changed them) is brought within
// them at once, whatever the rules and the cooldown.
func TestBoundsAreEnforced(t *testing.T) {
	p := Policy{HostGroup: "slaves", Min: 5, Max: 8, Cooldown: time.Hour, Rules: []Rule{mustRule(t, "PendingContainers > 0 for 1h: +1")}}
	st := State{LastAction: t0}
	if d := Evaluate(p, &st, obs(3, 0, 0, 8192), t0.Add(time.Minute)); d == nil || d.Action != "scale" || d.Reason != "bounds" || d.To != 5 {
		t.Fatalf("raised to min: %+v", d)
	}
	busy := obs(9, 0, 0, 0)
	busy.Busy = true
	if d := Evaluate(p, &st, busy, t0.Add(2*time.Minute)); d != nil {
		t.Fatalf("not while another operation runs: %+v", d)
	}
	if d := Evaluate(p, &st, obs(9, 0, 0, 0), t0.Add(3*time.Minute)); d == nil || d.To != 8 {
		t.Fatalf("lowered to max: %+v", d)
	}
}

// Oscillating load does not flap: over an hour of load switching every
// 30 s, at most one action per cooldown.
func TestOscillationDoesNotFlap(t *testing.T) {
	p := Policy{HostGroup: "slaves", Min: 1, Max: 10, Cooldown: 5 * time.Minute,
		Rules: []Rule{mustRule(t, "PendingContainers > 0: +1"), mustRule(t, "AvailableMB > 50%: -1")}}
	var st State
	size := 3
	var actions []time.Time
	for i := 0; i < 240; i++ {
		now := t0.Add(time.Duration(i) * 15 * time.Second)
		o := obs(size, 5, 8192, 0)
		if (i/2)%2 == 1 {
			o = obs(size, 0, 0, 8192)
		}
		if d := Evaluate(p, &st, o, now); d != nil && d.Action == "scale" {
			size = d.To
			actions = append(actions, now)
		}
	}
	if len(actions) == 0 {
		t.Fatal("the load must move the cluster at all")
	}
	for i := 1; i < len(actions); i++ {
		if gap := actions[i].Sub(actions[i-1]); gap < p.Cooldown {
			t.Fatalf("two actions %s apart, cooldown %s", gap, p.Cooldown)
		}
	}
	if len(actions) > 13 {
		t.Fatalf("%d actions in an hour with a 5m cooldown", len(actions))
	}
}

func TestRecordKeepsChangesBounded(t *testing.T) {
	var st State
	hold := Decision{Action: "hold", Reason: "at-max", Rule: "r", From: 5, To: 5}
	if !st.Record(hold) || st.Record(hold) || len(st.Decisions) != 1 {
		t.Fatalf("a repeated hold is kept once: %d", len(st.Decisions))
	}
	for i := 0; i < MaxDecisions+10; i++ {
		st.Record(Decision{Action: "scale", From: i, To: i + 1})
	}
	if len(st.Decisions) != MaxDecisions || st.Decisions[MaxDecisions-1].From != MaxDecisions+9 {
		t.Fatalf("bounded to the latest %d: %d", MaxDecisions, len(st.Decisions))
	}
}

// The picture is an SVG document with a line each for nodes, pending and
// running containers, and a mark per scale action.
func TestPlotSVG(t *testing.T) {
	var samples []Sample
	for i := 0; i < 30; i++ {
		samples = append(samples, Sample{At: t0.Add(time.Duration(i) * time.Minute), Nodes: 3 + i/10, Pending: int64(30 - i), Running: int64(i)})
	}
	var b strings.Builder
	if err := PlotSVG(&b, "autoscaling of c<1>", samples, []Decision{{At: t0.Add(10 * time.Minute), Action: "scale"}}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		XMLName   xml.Name `xml:"svg"`
		Polylines []struct {
			Points string `xml:"points,attr"`
		} `xml:"polyline"`
		Lines []struct{} `xml:"line"`
	}
	if err := xml.Unmarshal([]byte(b.String()), &doc); err != nil {
		t.Fatalf("not an SVG document: %v\n%s", err, b.String())
	}
	if len(doc.Polylines) != 3 || len(strings.Fields(doc.Polylines[0].Points)) != 30 || len(doc.Lines) != 3 {
		t.Fatalf("%d lines of %d points, %d marks and axes", len(doc.Polylines), len(strings.Fields(doc.Polylines[0].Points)), len(doc.Lines))
	}
	if err := PlotSVG(&b, "x", nil, nil); err == nil {
		t.Fatal("no samples: nothing to draw")
	}
	var p bytes.Buffer
	if err := PlotPNG(&p, samples, []Decision{{At: t0.Add(10 * time.Minute), Action: "scale"}}); err != nil {
		t.Fatal(err)
	}
	img, format, err := image.Decode(&p)
	if err != nil || format != "png" || img.Bounds().Dx() != 900 {
		t.Fatalf("the PNG must open as an image: %v %s", err, format)
	}
	// the nodes line is drawn in its colour: some pixel is that blue
	blue := 0
	for y := 0; y < img.Bounds().Dy(); y++ {
		for x := 0; x < img.Bounds().Dx(); x++ {
			if r, g, b, _ := img.At(x, y).RGBA(); r>>8 == 31 && g>>8 == 119 && b>>8 == 180 {
				blue++
			}
		}
	}
	if blue < 100 {
		t.Fatalf("the nodes line has %d pixels", blue)
	}
}
