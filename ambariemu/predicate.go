package ambariemu

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// predicate is an Ambari host predicate (a template's host_predicate):
// terms such as Hosts/cpu_count>1, Hosts/os_type=centos7 or
// Hosts/host_name.in(a,b), joined by & (and) and | (or, looser).
type predicate [][]term

type term struct {
	path  []string
	op    string
	value string
	in    []string
}

var termRE = regexp.MustCompile(`^([A-Za-z_/]+)\s*(?:(!=|>=|<=|=|>|<)\s*(.*)|\.in\((.*)\))$`)

func parsePredicate(s string) (predicate, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var p predicate
	for _, alt := range strings.Split(s, "|") {
		var all []term
		for _, t := range strings.Split(alt, "&") {
			m := termRE.FindStringSubmatch(strings.TrimSpace(t))
			if m == nil {
				return nil, fmt.Errorf("invalid term %q", t)
			}
			tm := term{path: strings.Split(m[1], "/"), op: m[2], value: strings.TrimSpace(m[3])}
			if m[2] == "" {
				tm.op, tm.in = "in", strings.Split(m[4], ",")
			}
			all = append(all, tm)
		}
		p = append(p, all)
	}
	return p, nil
}

// matches evaluates the predicate on a resource rendered as a JSON tree.
func (p predicate) matches(tree any) bool {
	if len(p) == 0 {
		return true
	}
	for _, all := range p {
		ok := true
		for _, t := range all {
			ok = ok && t.holds(fmt.Sprint(lookup(tree, t.path)))
		}
		if ok {
			return true
		}
	}
	return false
}

func (t term) holds(got string) bool {
	if t.op == "in" {
		for _, v := range t.in {
			if strings.TrimSpace(v) == got {
				return true
			}
		}
		return false
	}
	g, gerr := strconv.ParseFloat(got, 64)
	w, werr := strconv.ParseFloat(t.value, 64)
	numeric := gerr == nil && werr == nil
	switch t.op {
	case "=":
		return got == t.value || (numeric && g == w)
	case "!=":
		return !(got == t.value || (numeric && g == w))
	case ">":
		return numeric && g > w
	case "<":
		return numeric && g < w
	case ">=":
		return numeric && g >= w
	case "<=":
		return numeric && g <= w
	}
	return false
}
