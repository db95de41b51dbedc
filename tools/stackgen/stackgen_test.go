package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/herdhq/herd/ambari"
)

func write(t *testing.T, dir, rel, body string) {
	t.Helper()
	p := filepath.Join(dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// generate runs stackgen on dir's stack (written as as) and reads its output.
func generate(t *testing.T, dir, stack, as, release string) ambari.StackDef {
	t.Helper()
	out := filepath.Join(dir, "out.json")
	if err := run(dir, stack, as, release, "test", out); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(out)
	var def ambari.StackDef
	if err := json.Unmarshal(b, &def); err != nil {
		t.Fatal(err)
	}
	return def
}

// Ambari's inheritance: a stack version extends its parent, a service
// extends a common service, which may extend another; what a child gives
// wins, components merge by name, deleted ones go, dependencies add up.
func TestInheritanceIsResolvedAsAmbariDoes(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "common-services/SVC/1.0/metainfo.xml", `<metainfo><services><service><name>SVC</name><version>1.0</version>
 <requiredServices><service>ZOOKEEPER</service></requiredServices>
 <components>
  <component><name>A</name><category>MASTER</category><cardinality>1</cardinality>
   <dependencies><dependency><name>SVC/C</name><scope>host</scope><auto-deploy><enabled>true</enabled></auto-deploy></dependency></dependencies>
   <customCommands><customCommand><name>DECOMMISSION</name></customCommand></customCommands></component>
  <component><name>B</name><category>SLAVE</category><cardinality>1+</cardinality></component>
  <component><name>C</name><category>CLIENT</category></component>
 </components></service>
 <service><name>SVC2</name><version>1.0.x</version><components><component><name>E</name><category>CLIENT</category><cardinality>0+</cardinality></component></components></service>
</services></metainfo>`)
	write(t, dir, "common-services/SVC/2.0/metainfo.xml", `<metainfo><services><service><name>SVC</name><version>2.0</version>
 <extends>common-services/SVC/1.0</extends>
 <components>
  <component><name>A</name><cardinality>1-2</cardinality>
   <auto-deploy><enabled>true</enabled><co-locate>SVC/D</co-locate></auto-deploy>
   <dependencies><dependency><name>SVC/D</name><scope>cluster</scope></dependency></dependencies></component>
  <component><name>B</name><deleted>true</deleted></component>
  <component><name>D</name><category>MASTER</category></component>
 </components></service></services></metainfo>`)
	write(t, dir, "common-services/SVC/1.0/configuration/svc-site.xml", "<configuration/>")
	write(t, dir, "common-services/SVC/2.0/configuration/svc-env.xml", "<configuration/>")
	write(t, dir, "stacks/S/1.0/metainfo.xml", `<metainfo><versions><active>true</active></versions></metainfo>`)
	write(t, dir, "stacks/S/1.0/services/SVC/metainfo.xml", `<metainfo><services>
 <service><name>SVC</name><extends>common-services/SVC/1.0</extends></service>
 <service><name>SVC2</name><extends>common-services/SVC2/1.0.x</extends></service></services></metainfo>`)
	write(t, dir, "stacks/S/2.0/metainfo.xml", `<metainfo><extends>1.0</extends></metainfo>`)
	write(t, dir, "stacks/S/2.0/services/SVC/metainfo.xml", `<metainfo><services><service><name>SVC</name><version>2.0</version><extends>common-services/SVC/2.0</extends></service></services></metainfo>`)
	def := generate(t, dir, "S/2.0", "S/2.0", "9.9")
	if len(def.Services) != 2 || def.Services[0].Name != "SVC" || def.Services[1].Name != "SVC2" {
		t.Fatalf("services (SVC2 inherited from S 1.0): %+v", def.Services)
	}
	svc := def.Services[0]
	if svc.Version != "2.0" || len(svc.RequiredServices) != 1 || strings.Join(svc.ConfigTypes, ",") != "svc-env,svc-site" {
		t.Errorf("service fields: %+v", svc)
	}
	byName := map[string]ambari.ComponentDef{}
	for _, c := range svc.Components {
		byName[c.Name] = c
	}
	if _, ok := byName["B"]; ok || len(byName) != 3 {
		t.Errorf("B is deleted, D added: %v", byName)
	}
	a := byName["A"]
	if a.Category != "MASTER" || a.Cardinality != "1-2" || a.AutoDeploy == nil || a.AutoDeploy.CoLocate != "SVC/D" ||
		len(a.Dependencies) != 2 || a.Dependencies[0].Name != "SVC/C" || a.Dependencies[1].Scope != "cluster" ||
		len(a.CustomCommands) != 1 {
		t.Errorf("A merges its parent's: %+v", a)
	}
	if c := byName["C"]; c.Cardinality != "0+" || c.Category != "CLIENT" {
		t.Errorf("C without a cardinality or a parent is 0+: %+v", c)
	}
	if err := run(dir, "S/3.0", "S/3.0", "9.9", "test", filepath.Join(dir, "S-3.0.json")); err == nil {
		t.Error("a stack that does not exist must be an error")
	}
}

// A vendor's copy of a stack, renamed in its tree, is written under the
// name blueprints use (-as).
func TestStackIsWrittenUnderTheNameAsked(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "stacks/V/3.0/metainfo.xml", `<metainfo><versions><active>true</active></versions></metainfo>`)
	write(t, dir, "stacks/V/3.0/services/SVC/metainfo.xml", `<metainfo><services><service><name>SVC</name><version>1.0</version>
 <components><component><name>A</name><category>MASTER</category><cardinality>1</cardinality></component></components></service></services></metainfo>`)
	def := generate(t, dir, "V/3.0", "S/3.1", "2.7")
	if def.Name != "S" || def.Version != "3.1" || len(def.Services) != 1 || def.Services[0].Components[0].Name != "A" {
		t.Errorf("written as S 3.1 with V 3.0's services: %+v", def)
	}
	if err := run(dir, "V/3.0", "S", "2.7", "copy", filepath.Join(dir, "S.json")); err == nil {
		t.Error("-as without a version must be an error")
	}
}
