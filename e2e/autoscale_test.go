package e2e

import (
	"context"
	"encoding/xml"
	"image"
	_ "image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herdhq/herd/autoscale"
	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/internal/poll"
)

// TestAutoscaleOnLoad runs a policy on the real engine: a cluster of two
// slaves whose NodeManagers hold 4 containers each gets work of 24
// containers; autoscaling adds nodes until it is held at --max 5 (the work
// would need 6), the work runs to its end, and autoscaling removes nodes
// back to --min 2 — every action a cooldown apart. A schedule then raises
// the bounds, and the group follows. The history's picture is drawn.
func TestAutoscaleOnLoad(t *testing.T) {
	s := start(t)
	ctx := context.Background()
	spec := s.spec("auto", 3)
	spec.NodeEnv[contract.EnvNodeManagerMB] = "2048"
	spec.NodeEnv[contract.EnvTaskDuration] = "50ms"
	if _, err := s.provision(spec); err != nil {
		t.Fatal(err)
	}
	out, code := s.cli("autoscale", "set", "auto", "--host-group", "slaves", "--min", "2", "--max", "5",
		"--cooldown", "12s", "--interval", "2s", "--rule", "PendingContainers > 0 for 3s: +2", "--rule", "AvailableMB > 75% for 6s: -1")
	if code != 0 || !strings.Contains(out, "autoscaling enabled of host group slaves, 2 to 5 nodes") {
		t.Fatalf("autoscale set (exit %d):\n%s", code, out)
	}
	if out, code := s.cli("cluster", "load", "auto", "--containers", "24", "--memory-mb", "512", "--duration", "30s"); code != 0 {
		t.Fatalf("load (exit %d):\n%s", code, out)
	}
	var st autoscale.Status
	// reached: the last sample has size slaves and a decision had reason.
	reached := func(size int, reason string) func(context.Context) (bool, error) {
		return func(ctx context.Context) (bool, error) {
			var err error
			st, err = s.herd.Autoscale(ctx, "auto")
			if err != nil || len(st.State.Samples) == 0 || st.State.Samples[len(st.State.Samples)-1].Nodes != size {
				return false, err
			}
			for _, d := range st.State.Decisions {
				if d.Reason == reason && (reason != "fired" || d.To == size) {
					return true, nil
				}
			}
			return false, nil
		}
	}
	wait := func(d time.Duration, size int, reason, what string) {
		wctx, cancel := context.WithTimeout(ctx, d)
		defer cancel()
		if err := poll.Until(wctx, time.Second, reached(size, reason)); err != nil {
			t.Fatalf("%s: %v\n%+v", what, err, st.State.Decisions)
		}
	}
	wait(4*time.Minute, 5, "at-max", "scale up to max 5 and hold there")
	wait(5*time.Minute, 2, "fired", "back to min 2 after the work")
	var ups, downs []autoscale.Decision
	for _, d := range st.State.Decisions {
		switch {
		case d.Action == "scale" && d.To > d.From:
			ups = append(ups, d)
		case d.Action == "scale":
			downs = append(downs, d)
		}
		if d.To > 5 || d.To < 2 {
			t.Errorf("a decision outside the bounds: %+v", d)
		}
	}
	if len(ups) != 2 || ups[0].To != 4 || ups[1].To != 5 || len(downs) != 3 {
		t.Fatalf("want 2->4->5 up and three steps down, got up %+v down %+v", ups, downs)
	}
	all := append(ups, downs...)
	for i := 1; i < len(all); i++ {
		if gap := all[i].At.Sub(all[i-1].At); gap < 12*time.Second {
			t.Fatalf("actions %s apart, cooldown 12s: %+v", gap, all)
		}
	}
	if status, err := s.herd.Status(ctx, "auto"); err != nil || len(status.Nodes) != 3 {
		t.Fatalf("the cluster is back to a master and two slaves: %v", err)
	}
	// A schedule raises the bounds; the autoscaler brings the group within.
	at := time.Now().Add(5 * time.Second).UTC().Format(time.RFC3339)
	if out, code := s.cli("schedule", "create", "office", "--cluster", "auto", "--autoscale-min", "3", "--autoscale-max", "5", "--at", at); code != 0 ||
		!strings.Contains(out, "autoscale auto within 3..5") {
		t.Fatalf("schedule (exit %d):\n%s", code, out)
	}
	wait(3*time.Minute, 3, "bounds", "a schedule raises the minimum to 3")
	if st.Policy.Min != 3 || len(st.Policy.Rules) != 2 {
		t.Fatalf("the policy keeps its rules with the new bounds: %+v", st.Policy)
	}
	s.recordHistory(autoscale.WorkflowID("auto"), "autoscale.json")
	s.recordByType(cluster.WorkflowScale, "scheduled-bounds.json")
	plot := filepath.Join(t.TempDir(), "auto.svg")
	if out, code := s.cli("autoscale", "history", "auto", "--plot", plot); code != 0 || !strings.Contains(out, "fired") {
		t.Fatalf("history (exit %d):\n%s", code, out)
	}
	b, err := os.ReadFile(plot)
	var svg struct {
		XMLName xml.Name `xml:"svg"`
	}
	if err != nil || xml.Unmarshal(b, &svg) != nil {
		t.Fatalf("the plot must be an SVG document: %v", err)
	}
	pngPath := filepath.Join(t.TempDir(), "auto.png")
	if out, code := s.cli("autoscale", "history", "auto", "--plot", pngPath); code != 0 {
		t.Fatalf("history --plot png (exit %d):\n%s", code, out)
	}
	fh, err := os.Open(pngPath)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	if img, format, err := image.Decode(fh); err != nil || format != "png" || img.Bounds().Dx() == 0 {
		t.Fatalf("the PNG plot must open as an image: %v", err)
	}
	if err := s.herd.DeleteSchedule(ctx, "office"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.herd.Terminate(ctx, "auto", cluster.ReleaseInput{}); err != nil {
		t.Fatal(err)
	}
}
