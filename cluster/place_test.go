package cluster

import "testing"

func TestPlaces(t *testing.T) {
	for place, ok := range map[string]bool{"": true, "eu-central-1": true, "dc1": true, "a.b": true,
		"EU": false, "-x": false, "x-": false, "two words": false, "herd@x": false} {
		if err := ValidatePlace(place); (err == nil) != ok {
			t.Errorf("ValidatePlace(%q) = %v", place, err)
		}
	}
	if q := ActivityQueue(""); q != "" {
		t.Errorf("no place: queue %q, want the workflow's own (empty)", q)
	}
	if q := ActivityQueue("eu-central-1"); q != "herd@eu-central-1" {
		t.Errorf("queue %q", q)
	}
}
