package cluster

import (
	"strings"
	"testing"
	"time"

	"github.com/herdhq/herd/ambari"
	"github.com/herdhq/herd/contract"
)

func spec() Spec {
	return Spec{Name: "c1", BlueprintName: "b", Provider: "docker", Image: "herd-node:dev", Domain: "herd.local",
		Blueprint: ambari.Blueprint{Blueprints: ambari.BlueprintInfo{StackName: "HDP", StackVersion: "2.1"},
			HostGroups: []ambari.HostGroup{
				{Name: "master", Cardinality: "1", Components: []ambari.Component{{Name: "NAMENODE"}, {Name: "SECONDARY_NAMENODE"}}},
				{Name: "slaves", Cardinality: "1+", Components: []ambari.Component{{Name: "DATANODE"}, {Name: "HDFS_CLIENT"}}},
			}},
		HostGroups: []HostGroup{{Name: "master", Count: 1}, {Name: "slaves", Count: 3}},
	}
}

func TestNodesAreNamedAndGrouped(t *testing.T) {
	nodes := spec().Nodes()
	if len(nodes) != 4 || spec().Size() != 4 {
		t.Fatalf("want 4 nodes, got %d", len(nodes))
	}
	first, last := nodes[0], nodes[3]
	if first.Name != "c1-1" || first.FQDN != "c1-1.herd.local" || first.Role != contract.RoleServer || first.HostGroup != "master" {
		t.Fatalf("first node: %+v", first)
	}
	if last.Name != "c1-4" || last.Role != contract.RoleAgent || last.HostGroup != "slaves" || last.Index != 4 {
		t.Fatalf("last node: %+v", last)
	}
}

func TestValidate(t *testing.T) {
	if err := spec().Validate(); err != nil {
		t.Fatal(err)
	}
	cases := map[string]func(*Spec){
		"cluster name \"C_1\" is not valid":             func(s *Spec) { s.Name = "C_1" },
		"domain \"local\" is not valid":                 func(s *Spec) { s.Domain = "local" },
		"make image":                                    func(s *Spec) { s.Image = "" },
		"--provider docker":                             func(s *Spec) { s.Provider = "" },
		"host group \"workers\" is not in blueprint":    func(s *Spec) { s.HostGroups[1].Name = "workers" },
		"has 0 nodes":                                   func(s *Spec) { s.HostGroups[1].Count = 0 },
		"cardinality is 1":                              func(s *Spec) { s.HostGroups[0].Count = 2 },
		"blueprint host group \"slaves\" gets no nodes": func(s *Spec) { s.HostGroups = s.HostGroups[:1] },
		"is given twice":                                func(s *Spec) { s.HostGroups[1].Name = "master" },
		"is not valid for the specified stack":          func(s *Spec) { s.Blueprint.HostGroups[1].Components[0].Name = "NOPE" },
		"herd supports at most 10000 in one cluster":    func(s *Spec) { s.HostGroups[1].Count, s.MaxGroupSize = MaxNodes, MaxNodes },
		"disk alert at 101%: give a percentage":         func(s *Spec) { s.DiskAlertPercent = 101 },
	}
	largest := spec()
	largest.HostGroups = []HostGroup{{Name: "master", Count: 1}, {Name: "slaves", Count: MaxNodes - 1}}
	largest.MaxGroupSize = MaxNodes
	if err := largest.Validate(); err != nil {
		t.Fatalf("a cluster of MaxNodes must be valid: %v", err)
	}
	for want, mutate := range cases {
		s := spec()
		s.HostGroups = append([]HostGroup(nil), s.HostGroups...)
		s.Blueprint.HostGroups = append([]ambari.HostGroup(nil), s.Blueprint.HostGroups...)
		s.Blueprint.HostGroups[1].Components = append([]ambari.Component(nil), s.Blueprint.HostGroups[1].Components...)
		mutate(&s)
		if err := s.Validate(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want error containing %q, got %v", want, err)
		}
	}
}

func TestRepairPolicyAndMinNodes(t *testing.T) {
	s := spec()
	s.Repair, s.MinNodes = RepairPolicy{Mode: RepairManual, After: time.Minute}, 2
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if p := (RepairPolicy{}).WithDefaults(); p.Mode != RepairAuto || p.After != DefaultRepairAfter {
		t.Fatalf("defaults: %+v", p)
	}
	for want, mutate := range map[string]func(*Spec){
		`repair mode "sometimes": use auto or manual`: func(s *Spec) { s.Repair.Mode = "sometimes" },
		"repair-after 10ms: give a duration from 1s":  func(s *Spec) { s.Repair.After = 10 * time.Millisecond },
		"--min-nodes 9: give 1 to 4":                  func(s *Spec) { s.MinNodes = 9 },
	} {
		bad := spec()
		mutate(&bad)
		if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %q, got %v", want, err)
		}
	}
}

func TestObservationHealth(t *testing.T) {
	nodes := spec().Nodes()
	obs := Observation{Reachable: true, Members: []MemberObs{
		{Name: "c1-1.herd.local", Serf: "alive", Ambari: "HEALTHY"},
		{Name: "c1-2.herd.local", Serf: "alive", Ambari: "HEARTBEAT_LOST"},
		{Name: "c1-3.herd.local", Serf: "failed"},
	}}
	for i, want := range []NodeHealth{NodeAlive, NodeSuspect, NodeDown, NodeDown} {
		if got, known := obs.HealthOf(nodes[i]); !known || got != want {
			t.Errorf("%s: %s (%v), want %s", nodes[i].Name, got, known, want)
		}
	}
	obs.Members[2].Serf = "left"
	if got, _ := obs.HealthOf(nodes[2]); got != NodeLeft {
		t.Errorf("left: %s", got)
	}
	obs.Members[1].Interruption = "terminate 2026-12-01T21:30:00Z"
	if got, _ := obs.HealthOf(nodes[1]); got != NodeInterrupted || !got.Down() {
		t.Errorf("a spot node told to go is interrupted, and down: %s", got)
	}
	lost := Observation{Reachable: false}
	if got, known := lost.HealthOf(nodes[0]); !known || got != NodeDown {
		t.Errorf("an unreachable server is down: %s %v", got, known)
	}
	if _, known := lost.HealthOf(nodes[1]); known {
		t.Error("nothing is known of agents while the server is unreachable")
	}
}
