package ambariemu

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// view is a resource as Ambari renders it: the whole resource, and the
// paths it shows when the caller names no fields — for a collection's
// items their keys, for one resource its own properties and the keys of
// its sub-resources.
type view struct {
	body       any
	keys       []string // always shown
	defaults   []string // shown, besides the keys, when no fields are asked for
	collection bool     // body is {"href", "items"}: paths and predicates apply to its items
}

// respond writes v as Ambari does: only the fields the query names (its
// "fields" parameter, plus keys and hrefs), hrefs absolute.
func respond(w http.ResponseWriter, r *http.Request, status int, v view) {
	tree := toTree(v.body)
	paths := append(append([]string{}, v.keys...), v.defaults...)
	if f := r.URL.Query().Get("fields"); f != "" {
		paths = append(append([]string{}, v.keys...), strings.Split(f, ",")...)
	}
	if v.collection {
		m := tree.(map[string]any)
		m["items"] = matching(m["items"], r.URL.Query())
		for i, p := range paths {
			paths[i] = "items/" + p
		}
		paths = append(paths, "href")
	}
	tree = pick(tree, splitPaths(paths))
	absolute(tree, "http://"+r.Host)
	writeJSON(w, status, tree)
}

// matching keeps the items whose properties equal the query's predicates
// (Ambari's "?Hosts/host_state=HEALTHY"): parameters with a slash.
func matching(items any, q map[string][]string) any {
	list, _ := items.([]any)
	out := []any{}
	for _, it := range list {
		keep := true
		for k, vals := range q {
			if strings.Contains(k, "/") && k != "fields" {
				keep = keep && fmt.Sprint(lookup(it, strings.Split(k, "/"))) == vals[0]
			}
		}
		if keep {
			out = append(out, it)
		}
	}
	return out
}

func lookup(v any, path []string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

func toTree(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // the emulator's own types always marshal
	}
	var tree any
	_ = json.Unmarshal(b, &tree)
	return tree
}

func splitPaths(paths []string) [][]string {
	out := make([][]string, 0, len(paths))
	for _, p := range paths {
		if p = strings.Trim(strings.TrimSpace(p), "/"); p != "" {
			out = append(out, strings.Split(p, "/"))
		}
	}
	return out
}

// pick keeps the parts of v that paths name: a path's first element
// selects a property (or "*" all of them), the rest applies below it, and
// in a list to every element. Every object keeps its href.
func pick(v any, paths [][]string) any {
	for _, p := range paths {
		if len(p) == 0 || (len(p) == 1 && p[0] == "*") {
			return v
		}
	}
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, el := range x {
			out[i] = pick(el, paths)
		}
		return out
	case map[string]any:
		sub := map[string][][]string{}
		for _, p := range paths {
			if p[0] == "*" {
				for k := range x {
					sub[k] = append(sub[k], p[1:])
				}
				continue
			}
			sub[p[0]] = append(sub[p[0]], p[1:])
		}
		out := map[string]any{}
		if href, ok := x["href"]; ok {
			out["href"] = href
		}
		for k, rest := range sub {
			if val, ok := x[k]; ok {
				out[k] = pick(val, rest)
			}
		}
		return out
	}
	return v
}

// absolute turns every "/api/v1/..." href into Ambari's absolute form.
func absolute(v any, base string) {
	switch x := v.(type) {
	case []any:
		for _, el := range x {
			absolute(el, base)
		}
	case map[string]any:
		for k, val := range x {
			if s, ok := val.(string); ok && k == "href" && strings.HasPrefix(s, "/api/") {
				x[k] = base + s
				continue
			}
			absolute(val, base)
		}
	}
}
