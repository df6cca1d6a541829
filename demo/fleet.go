package demo

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// The inventories of five real public Drupal sites, extracted from their
// composer.lock files (see sites/README.md).
//
//go:embed sites/*.json sites/libraries/*.json
var siteFiles embed.FS

// LibraryAdvisories are the real advisories of the PHP libraries the demo
// sites run (see advisories/SOURCE.md), in their upstream layouts.
//
//go:embed advisories
var libraryAdvisories embed.FS

// LibraryAdvisories returns the folder of the demo's library advisories.
func LibraryAdvisories() fs.FS {
	sub, err := fs.Sub(libraryAdvisories, "advisories")
	if err != nil {
		panic(err) // the embedded folder is there
	}
	return sub
}

// Module is one project (or PHP library) a demo site runs at one moment.
type Module struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Version string `json:"version"`
	Source  string `json:"source,omitempty"`
}

// Change is one project a patch run changed.
type Change struct {
	Name string `json:"name"`
	From string `json:"from_version"`
	To   string `json:"to_version"`
}

// Org is a demo organization with how fast its team patches.
type Org struct {
	Name string
	// SecurityLag and RegularLag bound how many days the team takes to
	// apply a security release and any other release.
	SecurityLag [2]float64
	RegularLag  [2]float64
	// Skip is the chance that a site of the org never applies a release.
	Skip float64
	// PatchEvery is the days between the team's regular patch days; only
	// security releases are applied between them.
	PatchEvery int
}

// Site is a demo site.
type Site struct {
	Org         int
	Name, URL   string
	Description string
	FirstSeen   time.Time
	CoreVersion string
	PHPVersion  string
	modules     []*siteModule
}

type siteModule struct {
	name, typ, source string
	project           *Project // nil: the version never changes
	version           string   // for fixed modules
	start             int      // index of the release run at the start
	adopt             []time.Time
}

// EventKind tells a push from a patch run.
type EventKind int

// Event kinds.
const (
	Push EventKind = iota
	PatchRun
)

// Event is one thing a demo site does at one moment.
type Event struct {
	At      time.Time
	Site    int
	Kind    EventKind
	Modules []Module // a push's whole inventory
	Changes []Change // a patch run's changes
}

// Fleet is a planned demo fleet.
type Fleet struct {
	Start, End time.Time
	Orgs       []Org
	Sites      []*Site
	Projects   map[string]*Project
	Events     []Event
}

// DefaultOrgs are three teams with different habits.
var DefaultOrgs = []Org{
	{Name: "Northwind Digital", SecurityLag: [2]float64{0.2, 2}, RegularLag: [2]float64{3, 20}, Skip: 0.02, PatchEvery: 14},
	{Name: "Acme Public Sector", SecurityLag: [2]float64{1, 9}, RegularLag: [2]float64{10, 60}, Skip: 0.08, PatchEvery: 30},
	{Name: "Bluebird Agency", SecurityLag: [2]float64{2, 30}, RegularLag: [2]float64{20, 120}, Skip: 0.2, PatchEvery: 60},
}

type fixtureSite struct {
	Libraries  []Module `json:"-"`
	Repository string   `json:"repository"`
	Core       string   `json:"drupal_core_version"`
	Packages   []struct {
		Name    string `json:"name"`
		Version string `json:"version"`
		Type    string `json:"type"`
		DOV     string `json:"drupal_org_version"`
	} `json:"packages"`
}

var customNames = []string{"events", "newsroom", "branding", "search_tweaks", "migrate_legacy", "forms_extra"}

// Plan builds a fleet of about sitesPerOrg sites per organization over the
// year that ends at end, reproducibly from seed.
func Plan(end time.Time, sitesPerOrg int, seed uint64) (*Fleet, error) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	end = end.UTC().Truncate(time.Hour)
	f := &Fleet{Start: end.AddDate(-1, 0, 0), End: end, Orgs: DefaultOrgs, Projects: map[string]*Project{}}
	bases, err := loadFixtures()
	if err != nil {
		return nil, err
	}
	for oi, org := range f.Orgs {
		slug := strings.ToLower(strings.Fields(org.Name)[0])
		for i := range sitesPerOrg {
			base := bases[(oi+i)%len(bases)]
			site := &Site{
				Org:         oi,
				Name:        fmt.Sprintf("%s %s %d", org.Name, siteKinds[i%len(siteKinds)], i+1),
				URL:         fmt.Sprintf("https://%s-%d.%s.example", strings.ToLower(siteKinds[i%len(siteKinds)]), i+1, slug),
				Description: "Built from the inventory of " + base.Repository,
				FirstSeen:   f.Start.Add(time.Duration(rng.IntN(60*24)) * time.Hour),
				PHPVersion:  []string{"8.1.31", "8.2.27", "8.3.15"}[rng.IntN(3)],
			}
			if i%7 == 6 { // a site added late in the year
				site.FirstSeen = f.End.Add(-time.Duration(10+rng.IntN(60*24)) * time.Hour)
			}
			f.planSite(site, base, org, rng)
			f.Sites = append(f.Sites, site)
		}
	}
	for si := range f.Sites {
		f.simulate(si, rng)
	}
	sort.SliceStable(f.Events, func(i, j int) bool { return f.Events[i].At.Before(f.Events[j].At) })
	return f, nil
}

var siteKinds = []string{"Main", "Intranet", "Campaign", "Docs", "Shop", "Careers", "Events"}

func loadFixtures() ([]fixtureSite, error) {
	entries, err := siteFiles.ReadDir("sites")
	if err != nil {
		return nil, fmt.Errorf("read demo inventories: %w", err)
	}
	var out []fixtureSite
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := siteFiles.ReadFile(path.Join("sites", e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read demo inventory: %w", err)
		}
		var s fixtureSite
		if err := json.Unmarshal(b, &s); err != nil {
			return nil, fmt.Errorf("parse demo inventory %s: %w", e.Name(), err)
		}
		if b, err := siteFiles.ReadFile(path.Join("sites", "libraries", e.Name())); err == nil {
			var libs []struct{ Name, Version string }
			if err := json.Unmarshal(b, &libs); err != nil {
				return nil, fmt.Errorf("parse demo libraries %s: %w", e.Name(), err)
			}
			for _, l := range libs {
				s.Libraries = append(s.Libraries, Module{Name: l.Name, Type: fleetwatch.ModuleTypeLibrary, Version: l.Version, Source: fleetwatch.SourcePackagist})
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// planSite picks the site's projects (most of its base inventory) and when
// the team adopts each release.
func (f *Fleet) planSite(site *Site, base fixtureSite, org Org, rng *rand.Rand) {
	seen := map[string]bool{}
	for _, p := range base.Packages {
		name := strings.TrimPrefix(p.Name, "drupal/")
		typ := map[string]string{"drupal-core": "core", "drupal-module": "module", "drupal-theme": "theme", "drupal-profile": "profile"}[p.Type]
		if typ == "" || seen[name] || (name == "core-recommended") {
			continue
		}
		if typ == "core" {
			name = "drupal"
		}
		if typ != "core" && rng.Float64() < 0.08 { // variation: not every site runs every module
			continue
		}
		seen[name] = true
		version := p.DOV
		if version == "" {
			version = p.Version
		}
		proj, ok := f.Projects[name]
		if !ok {
			proj = planProject(name, typ, version, f.Start, f.End, rng)
			f.Projects[name] = proj // nil: kept at its version
		}
		m := &siteModule{name: name, typ: typ, source: "drupal.org", project: proj, version: version}
		if proj != nil {
			// Start somewhere among the releases out when the site is first seen.
			out := len(proj.Published(site.FirstSeen))
			if out == 0 {
				out = 1
			}
			m.start = max(0, out-1-rng.IntN(3))
			for i, r := range proj.Releases {
				lag := org.RegularLag
				if r.Security {
					lag = org.SecurityLag
				}
				days := lag[0] + rng.Float64()*(lag[1]-lag[0])
				at := r.Date.Add(time.Duration(days * 24 * float64(time.Hour)))
				if !r.Security { // regular releases wait for the next patch day
					at = nextPatchDay(at, site.FirstSeen, org.PatchEvery)
				}
				if rng.Float64() < org.Skip && i > m.start {
					at = f.End.AddDate(1, 0, 0) // never
				}
				m.adopt = append(m.adopt, at)
			}
		}
		if typ == "core" {
			site.CoreVersion = version
		}
		site.modules = append(site.modules, m)
	}
	// Its PHP libraries, at the lock's versions throughout (no randomness
	// drawn: the rest of the fleet is the same with or without them).
	for _, l := range base.Libraries {
		site.modules = append(site.modules, &siteModule{name: l.Name, typ: l.Type, source: l.Source, version: l.Version})
	}
	for i := 0; i < 1+rng.IntN(3); i++ {
		name := strings.ToLower(strings.Fields(f.Orgs[site.Org].Name)[0]) + "_" + customNames[rng.IntN(len(customNames))]
		if !seen[name] {
			seen[name] = true
			site.modules = append(site.modules, &siteModule{name: name, typ: "module", source: "custom", version: "1.0.0"})
		}
	}
}

// nextPatchDay returns the first patch day at or after t, patch days
// falling every `every` days from the site's first day.
func nextPatchDay(t, first time.Time, every int) time.Time {
	period := time.Duration(every) * 24 * time.Hour
	if !t.After(first) {
		return first
	}
	n := (t.Sub(first) + period - 1) / period
	return first.Add(n * period)
}

// versionAt returns the index of the release m runs at t.
func (m *siteModule) versionAt(t time.Time) int {
	idx := m.start
	for i := m.start + 1; i < len(m.project.Releases); i++ {
		if !m.adopt[i].After(t) && !m.project.Releases[i].Date.After(t) {
			idx = i
		}
	}
	return idx
}

func (s *Site) inventory(t time.Time) []Module {
	out := make([]Module, 0, len(s.modules))
	for _, m := range s.modules {
		v := m.version
		if m.project != nil {
			v = m.project.Releases[m.versionAt(t)].Version
		}
		mod := Module{Name: m.name, Type: m.typ, Version: v}
		if m.source != "drupal.org" {
			mod.Source = m.source
		}
		out = append(out, mod)
	}
	return out
}

// simulate walks a site's year day by day: a push each week, and on a day
// the team applied updates a patch run followed by a push.
func (f *Fleet) simulate(si int, rng *rand.Rand) {
	site := f.Sites[si]
	hour := time.Duration(6+rng.IntN(12)) * time.Hour
	prev := site.inventory(site.FirstSeen)
	f.Events = append(f.Events, Event{At: site.FirstSeen, Site: si, Kind: Push, Modules: prev})
	weekday := rng.IntN(7)
	for day := site.FirstSeen.Truncate(24*time.Hour).AddDate(0, 0, 1); day.Before(f.End); day = day.AddDate(0, 0, 1) {
		at := day.Add(hour)
		if at.After(f.End) {
			break
		}
		inv := site.inventory(at)
		var changes []Change
		for i := range inv {
			if inv[i].Version != prev[i].Version {
				changes = append(changes, Change{Name: inv[i].Name, From: prev[i].Version, To: inv[i].Version})
			}
		}
		if len(changes) > 0 {
			f.Events = append(f.Events, Event{At: at.Add(-30 * time.Minute), Site: si, Kind: PatchRun, Changes: changes})
		}
		if len(changes) > 0 || int(day.Weekday()) == weekday {
			f.Events = append(f.Events, Event{At: at, Site: si, Kind: Push, Modules: inv})
		}
		prev = inv
	}
}
