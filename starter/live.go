package starter

import (
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/workflows"
)

// isTerminal reports whether w is a terminal, where progress is drawn live.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

var spinner = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// live redraws one block — the operation, each step with a spinner and its
// detail, and the running steps' live progress — in place on a terminal.
type live struct {
	w     io.Writer
	lines int
	tick  int
}

func (l *live) draw(st cluster.Status, progress map[string]cluster.Progress) {
	l.tick++
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s — %s, %d nodes\n", st.Cluster, st.Operation, st.Phase, len(st.Nodes))
	for _, s := range st.Steps {
		detail := s.Detail
		if p, ok := progress[activityOf(s.Name)]; ok && s.State == cluster.StepRunning {
			detail = p.String()
		}
		fmt.Fprintf(&b, "  %s %-22s %s\n", l.icon(s.State), s.Name, detail)
	}
	if l.lines > 0 {
		fmt.Fprintf(l.w, "\x1b[%dA\x1b[J", l.lines)
	}
	text := b.String()
	fmt.Fprint(l.w, text)
	l.lines = strings.Count(text, "\n")
}

func (l *live) icon(state cluster.StepState) string {
	switch state {
	case cluster.StepDone:
		return "✓"
	case cluster.StepFailed:
		return "✗"
	case cluster.StepRunning:
		return spinner[l.tick%len(spinner)]
	}
	return "·"
}

// activityOf maps a step to the activity whose heartbeat tells its
// progress: a step is named after its activity, but for the fan-out of
// agents.
func activityOf(step string) string {
	if step == workflows.StepAgents {
		return "StartAgentContainer"
	}
	return step
}
