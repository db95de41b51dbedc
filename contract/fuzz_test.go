package contract

import (
	"strings"
	"testing"
)

// FuzzLoad reads arbitrary values for every variable: no panic, and a
// refusal is one line; what is accepted writes back to the same values.
func FuzzLoad(f *testing.F) {
	f.Add(uint8(0), "agent")
	f.Add(uint8(6), "10.0.0.1:7946")
	f.Add(uint8(9), "c2hvcnQ=")
	f.Add(uint8(20), "0s")
	f.Add(uint8(23), "a,b,,c")
	f.Fuzz(func(t *testing.T, which uint8, value string) {
		name := fields[int(which)%len(fields)].name
		env := map[string]string{EnvRole: "agent", EnvNodeName: "n-1.herd.local", name: value}
		c, err := Load(func(k string) string { return env[k] }, "")
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("a refusal must be one line: %q", err)
			}
			return
		}
		out := c.Env()
		again, err := Load(func(k string) string { return out[k] }, "")
		if err != nil {
			t.Fatalf("what was accepted must read back: %v (%s=%q)", err, name, value)
		}
		if again.Role != c.Role || again.NodeName != c.NodeName || again.JoinAddr != c.JoinAddr {
			t.Fatalf("round trip changed the node: %+v vs %+v", again, c)
		}
	})
}
