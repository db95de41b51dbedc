package main

import (
	"encoding/xml"
	"fmt"
	"os"
	"strings"

	"github.com/herdhq/herd/ambari"
)

// The parts of Ambari's metainfo.xml that herd's stacks carry. Pointers
// tell "not given" (inherited from the parent) from "given empty".

type stackXML struct {
	Extends string `xml:"extends"`
}

type metainfoXML struct {
	Services []serviceXML `xml:"services>service"`
}

type serviceXML struct {
	Name           string    `xml:"name"`
	Version        *string   `xml:"version"`
	Extends        string    `xml:"extends"`
	Deleted        bool      `xml:"deleted"`
	RequiredSvcs   *[]string `xml:"requiredServices>service"`
	ConfigDeps     *[]string `xml:"configuration-dependencies>config-type"`
	ConfigDir      string    `xml:"configuration-dir"`
	ownedTypes     []string  // the configuration files beside the metainfo
	passwords      []ambari.ConfigProperty
	Components     []componentXML `xml:"components>component"`
	CustomCommands []nameXML      `xml:"customCommands>customCommand"`
}

type componentXML struct {
	Name           string          `xml:"name"`
	Category       *string         `xml:"category"`
	Cardinality    *string         `xml:"cardinality"`
	Deleted        bool            `xml:"deleted"`
	Decommission   *string         `xml:"decommissionAllowed"`
	AutoDeploy     *autoDeployXML  `xml:"auto-deploy"`
	Dependencies   []dependencyXML `xml:"dependencies>dependency"`
	CustomCommands []nameXML       `xml:"customCommands>customCommand"`
}

type autoDeployXML struct {
	Enabled  bool   `xml:"enabled"`
	CoLocate string `xml:"co-locate"`
}

type dependencyXML struct {
	Name       string         `xml:"name"`
	Scope      string         `xml:"scope"`
	AutoDeploy *autoDeployXML `xml:"auto-deploy"`
	Conditions []conditionXML `xml:"conditions>condition"`
}

type conditionXML struct {
	Type       string `xml:"type,attr"`
	ConfigType string `xml:"configType"`
	Property   string `xml:"property"`
}

type nameXML struct {
	Name string `xml:"name"`
}

// configurationXML is a configuration file: its properties, of which
// herd keeps the passwords a user must give.
type configurationXML struct {
	Properties []struct {
		Name         string   `xml:"name"`
		RequireInput bool     `xml:"require-input,attr"`
		Types        []string `xml:"property-type"`
		Deleted      bool     `xml:"deleted"`
	} `xml:"property"`
}

// requiredPasswords lists a configuration file's required passwords.
func requiredPasswords(path, typ string) ([]ambari.ConfigProperty, error) {
	if info, err := os.Stat(path); err != nil || info.Size() == 0 {
		return nil, err // a name-only placeholder: no required input
	}
	var c configurationXML
	if err := readXML(path, &c); err != nil {
		return nil, err
	}
	var out []ambari.ConfigProperty
	for _, p := range c.Properties {
		if p.RequireInput && !p.Deleted && strings.Contains(strings.Join(p.Types, " "), "PASSWORD") {
			out = append(out, ambari.ConfigProperty{Type: typ, Name: strings.TrimSpace(p.Name)})
		}
	}
	return out, nil
}

func readXML(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := xml.Unmarshal(b, v); err != nil {
		return fmt.Errorf("parse %s: %w", path, err)
	}
	return nil
}
