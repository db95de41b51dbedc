package providers

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Option is one provider option (--provider-opt NAME=VALUE).
type Option struct {
	Name  string
	Usage string
}

// Schema describes a provider: its name, what it is, its options and how
// they are checked before anything is created.
type Schema struct {
	Name    string
	Summary string
	Options []Option
	// Check validates option values (unknown names are refused before).
	Check func(opts map[string]string) error
}

// Validate refuses unknown option names, then runs Check.
func (s Schema) Validate(opts map[string]string) error {
	known := map[string]bool{}
	for _, o := range s.Options {
		known[o.Name] = true
	}
	for _, k := range slices.Sorted(maps.Keys(opts)) {
		if !known[k] {
			return fmt.Errorf("provider %s has no option %q: it has %s", s.Name, k, s.optionNames())
		}
	}
	if s.Check == nil {
		return nil
	}
	return s.Check(opts)
}

func (s Schema) optionNames() string {
	if len(s.Options) == 0 {
		return "none"
	}
	var names []string
	for _, o := range s.Options {
		names = append(names, o.Name)
	}
	return strings.Join(names, ", ")
}

// Registry maps provider names to the providers a worker has.
type Registry map[string]Provider

// Get finds a provider by name, with an error that lists the known ones.
func (r Registry) Get(name string) (Provider, error) {
	p, ok := r[name]
	if !ok {
		return nil, Permanent("UnknownProvider", fmt.Errorf("unknown provider %q: this worker has %s", name, strings.Join(r.Names(), ", ")))
	}
	return p, nil
}

// Names lists the registered provider names, sorted.
func (r Registry) Names() []string { return slices.Sorted(maps.Keys(r)) }

// Schemas is a set of provider descriptions, for checking a spec's
// provider and options where no provider runs (the CLI).
type Schemas []Schema

// Validate finds the named provider and checks its options.
func (ss Schemas) Validate(name string, opts map[string]string) error {
	var names []string
	for _, s := range ss {
		if s.Name == name {
			return s.Validate(opts)
		}
		names = append(names, s.Name)
	}
	return fmt.Errorf("--provider %q: use %s", name, strings.Join(names, " or "))
}
