package bench

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
)

func TestSizeRatiosAndPlot(t *testing.T) {
	s := Size{Nodes: 30,
		Herd:     []Run{{Wall: 8}, {Wall: 7}, {Wall: 9}},
		Baseline: []Run{{Wall: 10}, {Wall: 10}, {Wall: 11}},
		Floor:    []Run{{Wall: 6}, {Wall: 5}, {Wall: 7}},
	}
	s.Finish()
	if s.HerdWall.Median != 8 || s.Ratio != 0.8 || s.OverFloor != 8.0/6 {
		t.Fatalf("medians and ratios: %+v", s)
	}
	small := Size{Nodes: 3, Herd: []Run{{Wall: 3}}, Baseline: []Run{{Wall: 2.5}}, Floor: []Run{{Wall: 1}}}
	small.Finish()
	r := &Report{Sizes: []Size{small, s}}
	var b bytes.Buffer
	r.PlotSVG(&b)
	var doc struct {
		Lines []struct {
			Points string `xml:"points,attr"`
		} `xml:"polyline"`
	}
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("plot is not SVG: %v\n%s", err, b.String())
	}
	if len(doc.Lines) != 3 || len(strings.Fields(doc.Lines[0].Points)) != 2 {
		t.Fatalf("want 3 lines of 2 points: %+v", doc.Lines)
	}
	var text bytes.Buffer
	r.Markdown(&text)
	if !strings.Contains(text.String(), "herd/floor") || !strings.Contains(text.String(), "1.33") {
		t.Fatalf("report lacks herd/floor:\n%s", text.String())
	}
}
