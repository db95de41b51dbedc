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

func TestClustersAtOnceTakeTheMedianOfEachRunsRatio(t *testing.T) {
	c := summariseConcurrent(20, 3, []concRun{
		{clusters: []float64{10, 20, 15}, floor: 10, worker: Footprint{PeakRSSMiB: 50}},
		{clusters: []float64{12, 18}, floor: 15, worker: Footprint{PeakRSSMiB: 60}},
		{clusters: []float64{30, 25}, floor: 20, worker: Footprint{PeakRSSMiB: 55}},
	})
	// ratios 2.0, 1.2, 1.5: the median is 1.5, not 20/15 of the medians
	if c.Runs != 3 || c.OverFloorRuns.Median != 1.5 || c.OverFloorRuns.Min != 1.2 || c.OverFloorRuns.Max != 2 {
		t.Fatalf("ratios: %+v", c)
	}
	if c.WallRuns.Median != 20 || c.FloorRuns.Median != 15 || c.Worker.PeakRSSMiB != 60 || c.PerCluster.Max != 30 || c.PerCluster.Min != 10 {
		t.Fatalf("walls, floors, worker, pooled clusters: %+v", c)
	}
	var text bytes.Buffer
	(&Report{Concurrent: c}).Markdown(&text)
	if !strings.Contains(text.String(), "3 runs") || !strings.Contains(text.String(), "1.50 [1.20-2.00] x the floor") {
		t.Fatalf("report line:\n%s", text.String())
	}
}
