package ambari

import (
	"strconv"
	"strings"
)

// Cardinality is one of Ambari's count forms: "N", "N+", "N-M" or "ALL".
// Max is -1 when open-ended; an empty form is open-ended from 0.
type Cardinality struct {
	Min, Max int
	All      bool
}

// ParseCardinality reads a cardinality; what it cannot read is open-ended.
func ParseCardinality(s string) Cardinality {
	num := func(v string) int { n, _ := strconv.Atoi(strings.TrimSpace(v)); return n }
	switch {
	case s == "ALL":
		return Cardinality{Min: 1, Max: -1, All: true}
	case s == "":
		return Cardinality{Max: -1}
	case strings.HasSuffix(s, "+"):
		return Cardinality{Min: num(strings.TrimSuffix(s, "+")), Max: -1}
	case strings.Contains(s, "-"):
		lo, hi, _ := strings.Cut(s, "-")
		return Cardinality{Min: num(lo), Max: num(hi)}
	}
	n := num(s)
	return Cardinality{Min: n, Max: n}
}

// Fixed reports whether the form is one number.
func (c Cardinality) Fixed() bool { return !c.All && c.Max >= 0 && c.Min == c.Max }

// Allows reports whether n satisfies the cardinality; ALL means every one
// of all.
func (c Cardinality) Allows(n, all int) bool {
	if c.All {
		return n == all
	}
	return n >= c.Min && (c.Max < 0 || n <= c.Max)
}

// CardinalityAllows reports whether a host group of n hosts satisfies its
// cardinality such as "1", "1+" or "1-3" (ALL allows any count).
func CardinalityAllows(card string, n int) bool { return ParseCardinality(card).Allows(n, n) }

// ValidCount is Ambari's check of a count of host groups: never for ALL
// (that is checked against every group).
func (c Cardinality) ValidCount(n int) bool {
	return !c.All && n >= c.Min && (c.Max < 0 || n <= c.Max)
}

// SupportsAutoDeploy reports whether Ambari may add the component itself:
// one instance is allowed, or it goes on every group.
func (c Cardinality) SupportsAutoDeploy() bool { return c.All || c.ValidCount(1) }
