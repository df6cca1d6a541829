package demo

import (
	"bytes"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch/drupal"
)

func TestPlan(t *testing.T) {
	end := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	f, err := Plan(end, 13, 42)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Sites) != 39 || len(f.Orgs) != 3 {
		t.Fatalf("%d sites in %d orgs", len(f.Sites), len(f.Orgs))
	}
	again, _ := Plan(end, 13, 42)
	if len(again.Events) != len(f.Events) {
		t.Errorf("the same seed planned %d then %d events", len(f.Events), len(again.Events))
	}
	var pushes, runs int
	last := time.Time{}
	for _, e := range f.Events {
		if e.At.Before(last) {
			t.Fatal("events out of order")
		}
		last = e.At
		if e.At.After(end) || e.At.Before(f.Start) {
			t.Errorf("event at %v outside the year", e.At)
		}
		switch e.Kind {
		case Push:
			pushes++
			if len(e.Modules) < 20 {
				t.Errorf("push of %d modules", len(e.Modules))
			}
		case PatchRun:
			runs++
			for _, c := range e.Changes {
				if c.From == c.To || c.To == "" {
					t.Errorf("patch run change %+v", c)
				}
			}
		}
	}
	if pushes < 39*40 || runs < 39 {
		t.Errorf("%d pushes and %d patch runs in a year", pushes, runs)
	}
	t.Logf("%d sites, %d projects, %d pushes, %d patch runs", len(f.Sites), len(f.Projects), pushes, runs)
}

// TestFeeds checks the generated feeds parse as drupal.org's and make
// Drupal's rules flag what the demo meant: a version older than a security
// release is not secure, the newest is current.
func TestFeeds(t *testing.T) {
	end := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	f, err := Plan(end, 5, 7)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for name, p := range f.Projects {
		if p == nil {
			continue
		}
		proj, err := drupal.ParseReleaseHistory(bytes.NewReader(p.Feed(end)))
		if err != nil {
			t.Fatalf("feed of %s: %v", name, err)
		}
		newest := p.Releases[len(p.Releases)-1]
		if r := drupal.Evaluate(drupal.Input{Project: proj, Installed: newest.Version, Source: "drupal.org", Now: end}); r.Status != drupal.StatusCurrent {
			t.Errorf("%s %s: %s %v, want current", name, newest.Version, r.Status, r.Reasons)
		}
		for i, r := range p.Releases {
			if !r.Security || i == 0 {
				continue
			}
			older := p.Releases[i-1]
			if got := drupal.Evaluate(drupal.Input{Project: proj, Installed: older.Version, Source: "drupal.org", Now: end}); got.Status != drupal.StatusNotSecure {
				t.Errorf("%s %s before security release %s: %s %v", name, older.Version, r.Version, got.Status, got.Reasons)
			}
			// Before the security release was out, the same version was fine.
			before, _ := drupal.ParseReleaseHistory(bytes.NewReader(p.Feed(r.Date.Add(-time.Hour))))
			if got := drupal.Evaluate(drupal.Input{Project: before, Installed: older.Version, Source: "drupal.org", Now: end}); got.Status == drupal.StatusNotSecure {
				t.Errorf("%s %s flagged before %s was published", name, older.Version, r.Version)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no security release planned")
	}
}
