package service

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/drupal"
	"github.com/fleetwatch/fleetwatch/packagist"
)

// fuzzReceived is the arrival time of every fuzzed payload.
var fuzzReceived = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// siteSeeds returns, for the real sites of drupal/testdata/sites, an
// inventory payload as the agent pushes it and the composer.lock it was
// read from.
func siteSeeds(f *testing.F) (inventories, locks [][]byte) {
	f.Helper()
	for _, site := range []string{"boston-gov", "usagov"} {
		b, err := os.ReadFile(filepath.Join("..", "drupal", "testdata", "sites", site+".json"))
		if err != nil {
			f.Fatal(err)
		}
		var s struct {
			Core     string `json:"drupal_core_version"`
			Packages []struct {
				Name, Version, Type string
				DrupalOrgVersion    string `json:"drupal_org_version"`
				Datestamp           string `json:"datestamp"`
			} `json:"packages"`
		}
		if err := json.Unmarshal(b, &s); err != nil {
			f.Fatal(err)
		}
		inv := InventoryPayload{SnapshotID: "seed-" + site, CollectedAt: "2026-11-25T09:00:00Z", Drupal: InventoryDrupal{CoreVersion: s.Core, PHPVersion: "8.3.1"}}
		type pkg struct {
			Name    string `json:"name"`
			Version string `json:"version"`
			Type    string `json:"type"`
			Extra   any    `json:"extra,omitempty"`
		}
		var lock struct {
			Packages []pkg `json:"packages"`
		}
		for _, p := range s.Packages {
			lock.Packages = append(lock.Packages, pkg{p.Name, p.Version, p.Type, map[string]any{"drupal": map[string]string{"version": p.DrupalOrgVersion, "datestamp": p.Datestamp}}})
			name, ok := strings.CutPrefix(p.Name, "drupal/")
			if !ok || p.DrupalOrgVersion == "" {
				continue
			}
			m := InventoryModule{Name: name, Version: p.DrupalOrgVersion, Type: strings.TrimPrefix(p.Type, "drupal-")}
			if m.Type == "core" {
				m.Name, m.Project = "system", "drupal"
			}
			if m.Type != "core" && m.Type != "module" && m.Type != "theme" && m.Type != "profile" {
				continue
			}
			inv.Modules = append(inv.Modules, m)
		}
		for _, v := range []any{inv, lock} {
			out, err := json.Marshal(v)
			if err != nil {
				f.Fatal(err)
			}
			if _, ok := v.(InventoryPayload); ok {
				inventories = append(inventories, out)
			} else {
				locks = append(locks, out)
			}
		}
	}
	return inventories, locks
}

// mustBeInvalid fails unless err is an EINVALID *fleetwatch.Error with a
// message, as the API shows it.
func mustBeInvalid(t *testing.T, err error) {
	t.Helper()
	var e *fleetwatch.Error
	if !errors.As(err, &e) || e.Code != fleetwatch.EINVALID || e.Message == "" {
		t.Fatalf("error %v (%T) is not an EINVALID error with a message", err, err)
	}
}

// FuzzValidateInventory: the accept path and the worker judge a pushed
// inventory alike (both accept or both refuse it, with the same snapshot
// id and hash), refusals are EINVALID, and a snapshot has one entry per
// project in name order.
func FuzzValidateInventory(f *testing.F) {
	inventories, _ := siteSeeds(f)
	for _, b := range inventories {
		f.Add(b)
	}
	f.Add([]byte(`{"modules":[{"name":"token","version":"8.x-1.x-dev","datestamp":"1717000000"},{"name":"ctools","version":"4.1.0","datestamp":1717000001,"enabled":false}]}`))
	f.Add([]byte(`{"drupal":{"core_version":"10.3.6"},"modules":[{"name":"views","project":"drupal","type":"core","version":"10.3.6"}]}`))
	f.Add([]byte(`{"modules": [{"name": "x", "version": 5}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		id, hash, collected, err := ValidateInventory(b, fuzzReceived)
		snap, id2, err2 := ParseInventory(b, 7, fuzzReceived)
		if (err == nil) != (err2 == nil) {
			t.Fatalf("ValidateInventory: %v; ParseInventory: %v", err, err2)
		}
		if err != nil {
			mustBeInvalid(t, err)
			mustBeInvalid(t, err2)
			return
		}
		if id != id2 || hash != snap.Hash || hash == "" {
			t.Fatalf("ValidateInventory = %q, %q; ParseInventory = %q, %q", id, hash, id2, snap.Hash)
		}
		if collected != nil && !collected.Equal(snap.CollectedAt) {
			t.Fatalf("collected at %v, snapshot at %v", collected, snap.CollectedAt)
		}
		if snap.CollectedAt.After(fuzzReceived.Add(MaxFutureSkew)) {
			t.Fatalf("collected in the future: %v", snap.CollectedAt)
		}
		if len(snap.Projects) == 0 || len(snap.Projects) > MaxModules {
			t.Fatalf("%d projects accepted", len(snap.Projects))
		}
		for i, p := range snap.Projects {
			if i > 0 && snap.Projects[i-1].Name >= p.Name {
				t.Fatalf("projects %q and %q out of order or twice", snap.Projects[i-1].Name, p.Name)
			}
			if !validItemName(p) || p.Version == "" || len(p.Version) > MaxVersionLength {
				t.Fatalf("invalid project accepted: %+v", p)
			}
		}
	})
}

// validItemName reports whether an item of a snapshot is named as its
// source requires: a PHP library by a composer package name, a Drupal
// project by a machine name.
func validItemName(p fleetwatch.SnapshotProject) bool {
	if p.Source == fleetwatch.SourcePackagist {
		return p.Type == fleetwatch.ModuleTypeLibrary && packagist.ValidName(p.Name)
	}
	return validName.MatchString(p.Name)
}

// FuzzParseComposerLockPayload: a pushed composer.lock is refused with
// EINVALID or becomes a snapshot of valid projects; core, when present,
// is the project "drupal".
func FuzzParseComposerLockPayload(f *testing.F) {
	_, locks := siteSeeds(f)
	for _, b := range locks {
		f.Add(b)
	}
	f.Add([]byte(`{"packages":[{"name":"drupal/core-recommended","version":"11.0.1","type":"metapackage"}]}`))
	f.Add([]byte(`{"packages":[{"name":"acme/events","version":"1.0.0","type":"drupal-custom-module"}],"packages-dev":[{"name":"drupal/devel","version":"dev-5.x","type":"drupal-module"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		snap, err := ParseComposerLockPayload(b, 7, fuzzReceived)
		if err != nil {
			mustBeInvalid(t, err)
			return
		}
		if len(snap.Projects) == 0 || !snap.CollectedAt.Equal(fuzzReceived) || snap.Hash == "" {
			t.Fatalf("snapshot of %d projects at %v, hash %q", len(snap.Projects), snap.CollectedAt, snap.Hash)
		}
		for _, p := range snap.Projects {
			if !validItemName(p) || p.Version == "" {
				t.Fatalf("invalid project accepted: %+v", p)
			}
			if (p.Type == drupal.TypeCore) != (p.Name == drupal.CoreProject) {
				t.Fatalf("project %q has type %q", p.Name, p.Type)
			}
		}
	})
}

// FuzzParsePatchRun: a patch run is refused with EINVALID or has a known
// status and tool, times not in the future, and finishes after it starts.
func FuzzParsePatchRun(f *testing.F) {
	f.Add([]byte(`{"run_id":"r-1","started_at":"2026-11-25T09:00:00Z","finished_at":"2026-11-25T09:05:00Z","status":"succeeded","tool":"composer","changes":[{"project":"token","from_version":"8.x-1.14","to_version":"8.x-1.15"}]}`))
	f.Add([]byte(`{"status":"partial","changes":[],"notes":"two of three"}`))
	f.Add([]byte(`{"status":"failed","tool":"drush","finished_at":"2026-11-25T08:00:00Z","started_at":"2026-11-25T09:00:00Z","changes":[]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		pr, id, err := ParsePatchRun(b, 7, fuzzReceived, fleetwatch.ToolManual)
		if err != nil {
			mustBeInvalid(t, err)
			return
		}
		switch pr.Status {
		case fleetwatch.PatchRunSucceeded, fleetwatch.PatchRunFailed, fleetwatch.PatchRunPartial:
		default:
			t.Fatalf("status %q accepted", pr.Status)
		}
		switch pr.Tool {
		case fleetwatch.ToolComposer, fleetwatch.ToolDrush, fleetwatch.ToolManual, fleetwatch.ToolAutomaticUpdates:
		default:
			t.Fatalf("tool %q accepted", pr.Tool)
		}
		if len(id) > 100 || pr.RunDate.After(fuzzReceived.Add(MaxFutureSkew)) {
			t.Fatalf("run id %q, run date %v accepted", id, pr.RunDate)
		}
		if pr.StartedAt != nil && pr.FinishedAt != nil && pr.FinishedAt.Before(*pr.StartedAt) {
			t.Fatal("finished before it started")
		}
	})
}

// FuzzParseSort: a sort parameter is refused with EINVALID naming the
// parameter, or gives allowed fields, each once, that print back to a
// parameter parsing to the same.
func FuzzParseSort(f *testing.F) {
	allowed := []string{"name", "created_at", "url", "last_seen_at"}
	for _, s := range []string{"", "name", "-created_at,name", " name , -url ", "name,name", "-", ",", "--name", "nope"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fields, err := ParseSort(s, allowed, fleetwatch.SortField{Field: "name"})
		if err != nil {
			mustBeInvalid(t, err)
			for _, fe := range err.(*fleetwatch.Error).Fields {
				if fe.Parameter != "sort" {
					t.Fatalf("error names %q, not sort", fe.Parameter)
				}
			}
			return
		}
		if len(fields) == 0 {
			t.Fatal("no sort fields without error")
		}
		var parts []string
		seen := map[string]bool{}
		for _, sf := range fields {
			if !slices.Contains(allowed, sf.Field) || seen[sf.Field] {
				t.Fatalf("field %q accepted (twice: %v)", sf.Field, seen[sf.Field])
			}
			seen[sf.Field] = true
			if sf.Desc {
				parts = append(parts, "-"+sf.Field)
			} else {
				parts = append(parts, sf.Field)
			}
		}
		again, err := ParseSort(strings.Join(parts, ","), allowed)
		if err != nil || !slices.Equal(again, fields) {
			t.Fatalf("%q parsed to %v, whose printing %q parses to %v, %v", s, fields, strings.Join(parts, ","), again, err)
		}
	})
}

// FuzzParseDay: the from and to of reports read a date or an RFC 3339
// time, in UTC; a date as the end of a period is the end of that day.
func FuzzParseDay(f *testing.F) {
	for _, s := range []string{"2026-11-25", "2026-11-25T10:00:00Z", "2026-11-25T10:00:00+02:00", "2026-02-30", "25.11.2026", "", "9999-12-31"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		start, ok := parseDay(s, false)
		end, ok2 := parseDay(s, true)
		if ok != ok2 {
			t.Fatalf("%q read as a start: %v, as an end: %v", s, ok, ok2)
		}
		if !ok {
			return
		}
		if start.Location() != time.UTC || end.Location() != time.UTC {
			t.Fatalf("%q not read in UTC: %v, %v", s, start, end)
		}
		if _, err := time.Parse(time.DateOnly, s); err == nil {
			if !end.Equal(start.AddDate(0, 0, 1)) {
				t.Fatalf("the date %q ends at %v, not a day after %v", s, end, start)
			}
		} else if !end.Equal(start) {
			t.Fatalf("the time %q read as %v and %v", s, start, end)
		}
	})
}
