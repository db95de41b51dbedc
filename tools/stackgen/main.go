// Command stackgen turns Ambari's own stack definitions (the metainfo.xml
// files under ambari-server/src/main/resources of an apache/ambari
// checkout) into the stack data herd's validator and emulator embed, so a
// stack is added by regenerating, not by typing. generate.sh beside it
// runs it for every stack herd knows, at the Ambari release each follows.
//
//	stackgen -resources DIR -stack HDP/2.6 -ambari 2.6.2 -source "apache/ambari release-2.6.2" -out ambari/stacks/HDP-2.6.json
//
// -as names the stack in the output when the tree holds it under another
// name (a vendor's copy of a stack, renamed).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/herdhq/herd/ambari"
)

func main() {
	dir := flag.String("resources", "", "an Ambari checkout's ambari-server/src/main/resources (stacks/, common-services/)")
	stack := flag.String("stack", "", "NAME/VERSION of the stack, e.g. HDP/2.6")
	release := flag.String("ambari", "", "the Ambari release whose behaviour the stack follows, e.g. 2.6.2")
	source := flag.String("source", "", "where the definitions come from, recorded in the output")
	out := flag.String("out", "", "the JSON file to write")
	as := flag.String("as", "", "NAME/VERSION to give the stack in the output, when the tree names it otherwise (default: -stack)")
	flag.Parse()
	if *as == "" {
		*as = *stack
	}
	if err := run(*dir, *stack, *as, *release, *source, *out); err != nil {
		fmt.Fprintln(os.Stderr, "stackgen:", err)
		os.Exit(1)
	}
}

func run(dir, stack, as, release, source, out string) error {
	name, version, ok := strings.Cut(stack, "/")
	asName, asVersion, asOK := strings.Cut(as, "/")
	if dir == "" || !ok || !asOK || release == "" || out == "" {
		return fmt.Errorf("give -resources, -stack NAME/VERSION, -ambari and -out (and -as as NAME/VERSION)")
	}
	r, err := load(dir)
	if err != nil {
		return err
	}
	services, err := r.stack(name, version)
	if err != nil {
		return err
	}
	def := ambari.StackDef{Name: asName, Version: asVersion, Ambari: release, Source: source}
	for _, s := range services {
		def.Services = append(def.Services, *s)
	}
	sort.Slice(def.Services, func(i, j int) bool { return def.Services[i].Name < def.Services[j].Name })
	b, err := json.MarshalIndent(def, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(out, append(b, '\n'), 0o644)
}
