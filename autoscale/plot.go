package autoscale

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// PlotSVG draws the samples as an SVG picture: nodes, pending and running
// containers over time, each scale decision marked — what an operator
// would rather look at than read.
func PlotSVG(w io.Writer, title string, samples []Sample, decisions []Decision) error {
	const width, height, left, bottom, top = 900, 360, 60, 40, 40
	if len(samples) == 0 {
		return fmt.Errorf("no samples yet: the autoscaler has not evaluated")
	}
	t0, t1 := samples[0].At, samples[len(samples)-1].At
	span := t1.Sub(t0)
	if span <= 0 {
		span = time.Second
	}
	var ymax float64 = 1
	for _, s := range samples {
		ymax = maxf(ymax, float64(s.Nodes), float64(s.Pending), float64(s.Running))
	}
	x := func(t time.Time) float64 { return left + float64(t.Sub(t0))/float64(span)*(width-left-20) }
	y := func(v float64) float64 { return height - bottom - v/ymax*(height-bottom-top) }
	line := func(color string, v func(Sample) float64) string {
		var pts []string
		for _, s := range samples {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(s.At), y(v(s))))
		}
		return fmt.Sprintf(`<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`, color, strings.Join(pts, " "))
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`, width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/><text x="%d" y="24" font-size="15">%s</text>`, left, escape(title))
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/><line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>`,
		left, height-bottom, width-20, height-bottom, left, top, left, height-bottom)
	fmt.Fprintf(&b, `<text x="4" y="%.0f">%.0f</text><text x="4" y="%d">0</text>`, y(ymax)+4, ymax, height-bottom)
	fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text><text x="%d" y="%d" text-anchor="end">%s</text>`,
		left, height-bottom+18, t0.UTC().Format("01-02 15:04"), width-20, height-bottom+18, t1.UTC().Format("01-02 15:04"))
	for _, d := range decisions {
		if d.Action == "scale" && !d.At.Before(t0) && !d.At.After(t1) {
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#bbb" stroke-dasharray="3,3"/>`, x(d.At), top, x(d.At), height-bottom)
		}
	}
	b.WriteString(line("#1f77b4", func(s Sample) float64 { return float64(s.Nodes) }))
	b.WriteString(line("#d62728", func(s Sample) float64 { return float64(s.Pending) }))
	b.WriteString(line("#2ca02c", func(s Sample) float64 { return float64(s.Running) }))
	for i, l := range []struct{ name, color string }{{"nodes", "#1f77b4"}, {"pending containers", "#d62728"}, {"running containers", "#2ca02c"}} {
		fmt.Fprintf(&b, `<rect x="%d" y="30" width="12" height="4" fill="%s"/><text x="%d" y="36">%s</text>`, 420+i*160, l.color, 436+i*160, l.name)
	}
	b.WriteString(`</svg>` + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func maxf(a float64, bs ...float64) float64 {
	for _, b := range bs {
		if b > a {
			a = b
		}
	}
	return a
}

func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
