package blueprints

import (
	"encoding/json"
	"testing"
)

// FuzzParse parses arbitrary blueprints: no panic; one accepted is accepted
// again after a round trip through JSON, as Ambari stores it.
func FuzzParse(f *testing.F) {
	for _, name := range Names() {
		b, _ := builtin.ReadFile("builtin/" + name + ".json")
		f.Add(b)
	}
	f.Add([]byte(`{"Blueprints":{"stack_name":"HDP","stack_version":"2.1"},"host_groups":[{"name":"m","cardinality":"ALL","components":[{"name":"GANGLIA_MONITOR"}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		bp, err := parse(data, "fuzz")
		if err != nil {
			return
		}
		again, err := json.Marshal(bp)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := parse(again, "fuzz"); err != nil {
			t.Fatalf("an accepted blueprint must be accepted after a round trip: %v\n%s", err, again)
		}
	})
}
