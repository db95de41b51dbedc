package bench

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// series is one line of the plot: a median per size.
type series struct {
	name, colour string
	wall         func(Size) Stat
}

var plotted = []series{
	{"herd", "#1f77b4", func(s Size) Stat { return s.HerdWall }},
	{"by hand (2014)", "#ff7f0e", func(s Size) Stat { return s.BaselineWall }},
	{"floor (engine alone)", "#2ca02c", func(s Size) Stat { return s.FloorWall }},
}

// PlotSVG draws time to a ready cluster against its size, for herd, by
// hand and the floor: medians joined by lines, min-max as bars; the size
// axis is logarithmic.
func (r *Report) PlotSVG(w io.Writer) {
	const width, height, left, bottom, top, right = 640, 400, 60, 50, 20, 170
	if len(r.Sizes) == 0 {
		return
	}
	maxY := 1.0
	for _, s := range r.Sizes {
		for _, p := range plotted {
			maxY = math.Max(maxY, p.wall(s).Max)
		}
	}
	maxY = math.Ceil(maxY/4) * 4 // whole seconds at the four ticks
	minX, maxX := math.Log(float64(r.Sizes[0].Nodes)), math.Log(float64(r.Sizes[len(r.Sizes)-1].Nodes))
	if maxX == minX {
		maxX = minX + 1
	}
	x := func(n int) float64 { return left + (math.Log(float64(n))-minX)/(maxX-minX)*(width-left-right) }
	y := func(v float64) float64 { return height - bottom - v/maxY*(height-bottom-top) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/><line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/><line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>`+"\n",
		left, height-bottom, width-right, height-bottom, left, top, left, height-bottom)
	for _, s := range r.Sizes {
		fmt.Fprintf(&b, `<text x="%.0f" y="%d" text-anchor="middle">%d</text>`+"\n", x(s.Nodes), height-bottom+16, s.Nodes)
	}
	for i := 0; i <= 4; i++ {
		v := maxY * float64(i) / 4
		fmt.Fprintf(&b, `<text x="%d" y="%.0f" text-anchor="end">%.0f s</text>`+"\n", left-6, y(v)+4, v)
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">nodes (log scale)</text>`+"\n", (width-right+left)/2, height-12)
	for i, p := range plotted {
		var pts []string
		for _, s := range r.Sizes {
			st := p.wall(s)
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(s.Nodes), y(st.Median)))
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s"/>`+"\n", x(s.Nodes), y(st.Min), x(s.Nodes), y(st.Max), p.colour)
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`+"\n", p.colour, strings.Join(pts, " "))
		fmt.Fprintf(&b, `<text x="%d" y="%d" fill="%s">%s</text>`+"\n", width-right+10, top+16*(i+1), p.colour, p.name)
	}
	b.WriteString("</svg>\n")
	_, _ = io.WriteString(w, b.String())
}
