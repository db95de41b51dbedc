package autoscale

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"time"
)

// PlotPNG draws the same lines as PlotSVG as a PNG image (no text: the
// SVG has the labels): nodes blue, pending containers red, running
// containers green, scale actions as grey marks.
func PlotPNG(w io.Writer, samples []Sample, decisions []Decision) error {
	const width, height, margin = 900, 360, 30
	if len(samples) == 0 {
		return fmt.Errorf("no samples yet: the autoscaler has not evaluated")
	}
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	t0, span := samples[0].At, samples[len(samples)-1].At.Sub(samples[0].At)
	if span <= 0 {
		span = time.Second
	}
	var ymax float64 = 1
	for _, s := range samples {
		ymax = maxf(ymax, float64(s.Nodes), float64(s.Pending), float64(s.Running))
	}
	x := func(t time.Time) int { return margin + int(float64(t.Sub(t0))/float64(span)*float64(width-2*margin)) }
	y := func(v float64) int { return height - margin - int(v/ymax*float64(height-2*margin)) }
	black, grey := color.RGBA{0, 0, 0, 255}, color.RGBA{190, 190, 190, 255}
	drawLine(img, margin, height-margin, width-margin, height-margin, black)
	drawLine(img, margin, margin, margin, height-margin, black)
	for _, d := range decisions {
		if d.Action == "scale" && !d.At.Before(t0) && !d.At.After(t0.Add(span)) {
			drawLine(img, x(d.At), margin, x(d.At), height-margin, grey)
		}
	}
	for _, l := range []struct {
		c color.RGBA
		v func(Sample) float64
	}{
		{color.RGBA{31, 119, 180, 255}, func(s Sample) float64 { return float64(s.Nodes) }},
		{color.RGBA{214, 39, 40, 255}, func(s Sample) float64 { return float64(s.Pending) }},
		{color.RGBA{44, 160, 44, 255}, func(s Sample) float64 { return float64(s.Running) }},
	} {
		for i := 1; i < len(samples); i++ {
			a, b := samples[i-1], samples[i]
			drawLine(img, x(a.At), y(l.v(a)), x(b.At), y(l.v(b)), l.c)
		}
	}
	return png.Encode(w, img)
}

// drawLine is Bresenham's line, two pixels thick.
func drawLine(img *image.RGBA, x0, y0, x1, y1 int, c color.RGBA) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := sign(x1-x0), sign(y1-y0)
	e := dx + dy
	for {
		img.SetRGBA(x0, y0, c)
		img.SetRGBA(x0, y0+1, c)
		if x0 == x1 && y0 == y1 {
			return
		}
		e2 := 2 * e
		if e2 >= dy {
			e += dy
			x0 += sx
		}
		if e2 <= dx {
			e += dx
			y0 += sy
		}
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func sign(v int) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}
