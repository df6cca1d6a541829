package drupal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/fleetwatch/fleetwatch/packagist"
)

// ErrNoDrupalPackages is wrapped by ParseComposerLock and ParseDrushPMList
// when the input is well formed but lists no Drupal project.
var ErrNoDrupalPackages = errors.New("no drupal packages")

// ErrInvalidInventory is wrapped by ParseComposerLock and ParseDrushPMList
// when the input is not what they parse (not JSON, wrong shape).
var ErrInvalidInventory = errors.New("invalid inventory")

// Project types of inventory items.
const (
	TypeCore    = "core"
	TypeModule  = "module"
	TypeTheme   = "theme"
	TypeProfile = "profile"
)

// CoreProject is the drupal.org project name of Drupal core.
const CoreProject = "drupal"

// Inventory is the set of Drupal projects a site runs, and from a
// composer.lock the other packages it installs.
type Inventory struct {
	// Items holds one entry per project: core first, then by name.
	Items []Item
	// Libraries holds every composer package that is not one of Items
	// (libraries, plugins, metapackages, asset packages), packages first
	// then packages-dev, each in the lock's order; nil from drush.
	Libraries []packagist.Library
}

// Item is one installed Drupal project.
type Item struct {
	// Name is the drupal.org project name ("ctools"; "drupal" for core).
	Name string
	// Type is TypeCore, TypeModule, TypeTheme or TypeProfile.
	Type string
	// Version is the installed version, in drupal.org form when known
	// ("8.x-1.10", "3.1.1+4-dev"), else as reported.
	Version string
	// Datestamp is the build time of the installed code (unix seconds), 0
	// when unknown; it dates dev checkouts.
	Datestamp int64
	// Source is SourceDrupalOrg or SourceCustom.
	Source string
	// Package is the composer package name ("drupal/ctools"), "" from drush.
	Package string
	// Dev is set for composer packages-dev entries.
	Dev bool
	// SecurityCoverage is composer's extra.drupal.security-coverage.status
	// ("covered", "not-covered"), "" when absent.
	SecurityCoverage string
	// Modules are the extensions drush reported for this project, sorted.
	Modules []string
	// Enabled is false only when drush reported every module of the project
	// as disabled.
	Enabled bool
}

type composerLock struct {
	Packages    []composerPackage `json:"packages"`
	PackagesDev []composerPackage `json:"packages-dev"`
}

type composerPackage struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Type    string `json:"type"`
	// NotificationURL is where composer reports installs: the repository
	// the package came from ("https://packagist.org/downloads/").
	NotificationURL string `json:"notification-url"`
	Extra           struct {
		Drupal struct {
			Version   string          `json:"version"`
			Datestamp json.RawMessage `json:"datestamp"`
			Coverage  struct {
				Status string `json:"status"`
			} `json:"security-coverage"`
		} `json:"drupal"`
	} `json:"extra"`
}

// UnmarshalJSON tolerates an "extra" that is not an object (composer
// allows any JSON there), so that one odd package does not fail a lock.
func (p *composerPackage) UnmarshalJSON(b []byte) error {
	var raw struct {
		Name            string          `json:"name"`
		Version         string          `json:"version"`
		Type            string          `json:"type"`
		NotificationURL string          `json:"notification-url"`
		Extra           json.RawMessage `json:"extra"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	p.Name, p.Version, p.Type, p.NotificationURL = raw.Name, raw.Version, raw.Type, raw.NotificationURL
	if len(raw.Extra) > 0 {
		// Best effort: a malformed extra leaves the drupal.org data empty.
		_ = json.Unmarshal(raw.Extra, &p.Extra)
	}
	return nil
}

// composerTypes maps composer package types to project types and whether
// the type marks custom code.
var composerTypes = map[string]struct {
	typ    string
	custom bool
}{
	"drupal-core":           {TypeCore, false},
	"drupal-module":         {TypeModule, false},
	"drupal-theme":          {TypeTheme, false},
	"drupal-profile":        {TypeProfile, false},
	"drupal-custom-module":  {TypeModule, true},
	"drupal-custom-theme":   {TypeTheme, true},
	"drupal-custom-profile": {TypeProfile, true},
}

// ParseComposerLock extracts the Drupal projects from a composer.lock:
// packages of type drupal-core, drupal-module, drupal-theme and
// drupal-profile (from packages and packages-dev), plus drupal-custom-*
// packages as custom projects. drupal/core (or, failing that,
// drupal/core-recommended) becomes the one "drupal" core item. Every other
// package (libraries, plugins, metapackages) is kept in Libraries with its
// composer version, type and repository. The version is the
// drupal.org form from extra.drupal.version when present, else composer's
// version (with "dev-2.x" turned into "2.x-dev"). Errors wrap
// ErrInvalidInventory or ErrNoDrupalPackages.
func ParseComposerLock(r io.Reader) (Inventory, error) {
	var lock composerLock
	d := json.NewDecoder(r)
	if err := d.Decode(&lock); err != nil {
		return Inventory{}, fmt.Errorf("%w: decode composer.lock: %w", ErrInvalidInventory, err)
	}
	if _, err := d.Token(); err != io.EOF {
		return Inventory{}, fmt.Errorf("%w: decode composer.lock: data after the JSON object", ErrInvalidInventory)
	}
	seen := map[string]bool{}
	seenLibrary := map[string]bool{}
	var inv Inventory
	var coreFallback *Item
	recommended := ""
	library := func(p composerPackage, dev bool) {
		if p.Name == "" || seenLibrary[p.Name] {
			return
		}
		seenLibrary[p.Name] = true
		inv.Libraries = append(inv.Libraries, packagist.Library{Name: p.Name, Version: p.Version, Dev: dev, Type: p.Type, Source: packagist.SourceHost(p.NotificationURL)})
	}
	add := func(p composerPackage, dev bool) {
		if p.Name == "drupal/core-recommended" && coreFallback == nil {
			coreFallback = &Item{Name: CoreProject, Type: TypeCore, Version: composerVersion(p), Source: SourceDrupalOrg, Package: p.Name, Dev: dev, Enabled: true}
			library(p, dev)
			recommended = p.Name
			return
		}
		t, ok := composerTypes[p.Type]
		vendor, name, hasSlash := strings.Cut(p.Name, "/")
		if !ok || !hasSlash || name == "" || (vendor != "drupal" && !t.custom) {
			library(p, dev)
			return
		}
		it := Item{Name: name, Type: t.typ, Version: composerVersion(p), Source: SourceDrupalOrg, Package: p.Name, Dev: dev, Enabled: true,
			Datestamp: datestamp(p.Extra.Drupal.Datestamp), SecurityCoverage: p.Extra.Drupal.Coverage.Status}
		if t.custom {
			it.Source = SourceCustom
		}
		if t.typ == TypeCore {
			it.Name = CoreProject
		}
		if seen[it.Name] {
			return
		}
		seen[it.Name] = true
		inv.Items = append(inv.Items, it)
	}
	for _, p := range lock.Packages {
		add(p, false)
	}
	for _, p := range lock.PackagesDev {
		add(p, true)
	}
	if !seen[CoreProject] && coreFallback != nil {
		// drupal/core-recommended stands for core: it is no library then.
		inv.Items = append(inv.Items, *coreFallback)
		inv.Libraries = slices.DeleteFunc(inv.Libraries, func(l packagist.Library) bool { return l.Name == recommended })
	}
	if len(inv.Items) == 0 {
		return Inventory{}, fmt.Errorf("%w: composer.lock has no drupal/* projects", ErrNoDrupalPackages)
	}
	sortItems(inv.Items)
	return inv, nil
}

// composerVersion returns the drupal.org form of a package's version.
func composerVersion(p composerPackage) string {
	if dv := strings.TrimSpace(p.Extra.Drupal.Version); dv != "" {
		if v, err := Parse(dv); err == nil {
			return v.String()
		}
	}
	cv := strings.TrimSpace(p.Version)
	if len(cv) > 1 && cv[0] == 'v' && cv[1] >= '0' && cv[1] <= '9' {
		cv = cv[1:]
	}
	if v, err := Parse(cv); err == nil {
		return v.String()
	}
	return p.Version
}

// datestamp reads extra.drupal.datestamp, a string or a number.
func datestamp(raw json.RawMessage) int64 {
	s := strings.Trim(string(bytes.TrimSpace(raw)), `"`)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

func sortItems(items []Item) {
	slices.SortFunc(items, func(a, b Item) int {
		if (a.Type == TypeCore) != (b.Type == TypeCore) {
			if a.Type == TypeCore {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
}

// drushExtension is one entry of drush pm:list --format=json.
type drushExtension struct {
	Package     string `json:"package"`
	DisplayName string `json:"display_name"`
	Name        string `json:"name"`
	Type        string `json:"type"`
	Path        string `json:"path"`
	Status      string `json:"status"`
	Version     any    `json:"version"`
	Project     string `json:"project"`
	Datestamp   any    `json:"datestamp"`
}

// ParseDrushPMList folds `drush pm:list --format=json` output (an object
// of machine name to {package, display_name, name, type, path, status,
// version}) into projects. An extension's project is its "project" key when
// present; core extensions (package "Core" or a path under core/) fold into
// "drupal"; any other extension is its own project. Extensions under a
// "custom" directory are custom. A project's version is that of the
// extension named like the project, else of its first extension. Errors
// wrap ErrInvalidInventory or ErrNoDrupalPackages.
func ParseDrushPMList(r io.Reader) (Inventory, error) {
	var list map[string]drushExtension
	d := json.NewDecoder(r)
	if err := d.Decode(&list); err != nil {
		return Inventory{}, fmt.Errorf("%w: decode drush pm:list: %w", ErrInvalidInventory, err)
	}
	if _, err := d.Token(); err != io.EOF {
		return Inventory{}, fmt.Errorf("%w: decode drush pm:list: data after the JSON object", ErrInvalidInventory)
	}
	names := make([]string, 0, len(list))
	for k := range list {
		names = append(names, k)
	}
	slices.Sort(names)
	byProject := map[string]*Item{}
	var order []string
	for _, key := range names {
		ext := list[key]
		machine := ext.Name
		if machine == "" {
			machine = key
		}
		project, typ := drushProject(machine, ext)
		if project == "" {
			continue
		}
		it := byProject[project]
		if it == nil {
			it = &Item{Name: project, Type: typ, Source: SourceDrupalOrg}
			byProject[project] = it
			order = append(order, project)
		}
		it.Modules = append(it.Modules, machine)
		if strings.EqualFold(ext.Status, "enabled") {
			it.Enabled = true
		}
		if isCustomPath(ext.Path) {
			it.Source = SourceCustom
		}
		version := scalarString(ext.Version)
		if version != "" && (it.Version == "" || machine == project) {
			it.Version = canonical(version)
			it.Datestamp = datestampAny(ext.Datestamp)
		}
		if machine == project && typ != TypeCore {
			it.Type = typ
		}
	}
	if len(order) == 0 {
		return Inventory{}, fmt.Errorf("%w: drush pm:list lists no extensions", ErrNoDrupalPackages)
	}
	inv := Inventory{Items: make([]Item, 0, len(order))}
	for _, p := range order {
		it := byProject[p]
		// Keys are sorted, but an extension's "name" may differ from its
		// key, and two keys may name one extension.
		slices.Sort(it.Modules)
		it.Modules = slices.Compact(it.Modules)
		inv.Items = append(inv.Items, *it)
	}
	sortItems(inv.Items)
	return inv, nil
}

// drushProject returns the project an extension belongs to and its type.
func drushProject(machine string, ext drushExtension) (project, typ string) {
	typ = strings.ToLower(strings.TrimSpace(ext.Type))
	switch typ {
	case TypeModule, TypeTheme, TypeProfile:
	case "theme_engine":
		typ = TypeTheme
	default:
		typ = TypeModule
	}
	path := strings.TrimPrefix(ext.Path, "/")
	if ext.Project == CoreProject || strings.EqualFold(ext.Package, "Core") || strings.HasPrefix(path, "core/") {
		return CoreProject, TypeCore
	}
	if ext.Project != "" {
		return ext.Project, typ
	}
	return machine, typ
}

func isCustomPath(path string) bool {
	for seg := range strings.SplitSeq(path, "/") {
		if seg == "custom" {
			return true
		}
	}
	return false
}

// scalarString renders a JSON string or number; null and others are "".
func scalarString(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return ""
}

func datestampAny(v any) int64 {
	n, err := strconv.ParseInt(scalarString(v), 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// StripComposerURLs returns lock, a composer.lock, without the "dist" and
// "source" of its packages (packages and packages-dev): their URLs can
// carry deploy credentials (https://user:token@host/…), and nothing
// Fleetwatch reads comes from them; keys are matched without regard to
// case, as the JSON decoder matches them. Everything else is kept as sent, but
// for the order of the top-level keys. A lock that is not a JSON object
// of package lists is returned as it is, with an error wrapping
// ErrInvalidInventory.
func StripComposerURLs(lock []byte) ([]byte, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(lock, &top); err != nil {
		return lock, fmt.Errorf("%w: decode composer.lock: %w", ErrInvalidInventory, err)
	}
	// Keys are matched as encoding/json matches them (ParseComposerLock
	// reads "Packages" as packages), so no spelling keeps a URL.
	for key, raw := range top {
		if !strings.EqualFold(key, "packages") && !strings.EqualFold(key, "packages-dev") || string(raw) == "null" {
			continue
		}
		var pkgs []map[string]json.RawMessage
		if err := json.Unmarshal(raw, &pkgs); err != nil {
			return lock, fmt.Errorf("%w: decode composer.lock %s: %w", ErrInvalidInventory, key, err)
		}
		for _, p := range pkgs {
			for k := range p {
				if strings.EqualFold(k, "dist") || strings.EqualFold(k, "source") {
					delete(p, k)
				}
			}
		}
		b, err := json.Marshal(pkgs)
		if err != nil {
			return lock, fmt.Errorf("encode composer.lock %s: %w", key, err)
		}
		top[key] = b
	}
	return json.Marshal(top)
}
