package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// demoArgs are the arguments of `fleetwatch demo` on cfg's database.
func demoArgs(t *testing.T, cfg Config, extra ...string) []string {
	t.Helper()
	return append([]string{"demo", "--database-url", cfg.DatabaseURL, "--bcrypt-cost", "4", "--secret-key", cfg.SecretKey,
		"--release-feed-url", cfg.ReleaseFeedURL, "--advisory-url", cfg.AdvisoryURL, "--log-level", "error",
		"--mirror", t.TempDir()}, extra...)
}

// exposureCounts counts open exposures and resolved ones by SLA outcome.
func exposureCounts(t *testing.T, s *sqlstore.Store) (open, within, breached int) {
	t.Helper()
	ctx := context.Background()
	_, open, err := s.FindExposures(ctx, fleetwatch.ExposureFilter{ListOptions: fleetwatch.ListOptions{Page: 1, PerPage: 1}, State: fleetwatch.ExposureOpen})
	if err != nil {
		t.Fatal(err)
	}
	for page := 1; ; page++ {
		es, total, err := s.FindExposures(ctx, fleetwatch.ExposureFilter{ListOptions: fleetwatch.ListOptions{Page: page, PerPage: fleetwatch.MaxPerPage}, State: fleetwatch.ExposureResolved})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			switch {
			case e.SLAOutcome == nil:
				t.Errorf("resolved exposure %s without an outcome", e.UUID)
			case *e.SLAOutcome == fleetwatch.SLAWithin:
				within++
			default:
				breached++
			}
			if e.ResolvedAt.Before(e.DetectedAt) {
				t.Errorf("exposure %s resolved at %v before it was detected at %v", e.UUID, e.ResolvedAt, e.DetectedAt)
			}
		}
		if len(es) == 0 || page*fleetwatch.MaxPerPage >= total {
			return open, within, breached
		}
	}
}

var adminLine = regexp.MustCompile(`(?m)^\s+admin@demo\.example\s+(\S+)\s+admin\b`)

// TestDemo_LoadsOnceSafely loads a small demo fleet (the default is 39
// sites) and checks that the analysis made exposures of every kind, that a
// second run changes nothing, and that the printed password signs in.
func TestDemo_LoadsOnceSafely(t *testing.T) {
	cfg := testConfig(t, sqlstoretest.SQLite)
	var out, errOut bytes.Buffer
	if err := run(context.Background(), demoArgs(t, cfg, "--sites-per-org", "2"), &out, &errOut); err != nil {
		t.Fatalf("demo: %v\n%s", err, errOut.String())
	}
	t.Log(out.String())
	if !strings.Contains(out.String(), "Loaded 3 organizations, 6 sites") {
		t.Errorf("summary: %s", out.String())
	}
	m := adminLine.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no admin password printed:\n%s", out.String())
	}

	store, err := sqlstore.Open(context.Background(), cfg.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	open, within, breached := exposureCounts(t, store)
	if open == 0 || within == 0 || breached == 0 {
		t.Errorf("exposures: %d open, %d resolved within, %d breached; want some of each", open, within, breached)
	}
	// The library advisories are read as the year goes, as a weekly refresh
	// would: the sites' vulnerable libraries are found in the weeks they were
	// published, not all on the demo's last day.
	var libraryExposures, earlier int
	for page := 1; ; page++ {
		es, total, err := store.FindExposures(context.Background(), fleetwatch.ExposureFilter{ListOptions: fleetwatch.ListOptions{Page: page, PerPage: fleetwatch.MaxPerPage}})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			if strings.Contains(e.Project, "/") { // a vendor/package name: a PHP library
				libraryExposures++
				if e.DetectedAt.Before(time.Now().AddDate(0, 0, -30)) {
					earlier++
				}
			}
		}
		if page*fleetwatch.MaxPerPage >= total {
			break
		}
	}
	if libraryExposures == 0 || earlier == 0 {
		t.Errorf("library exposures: %d, of which %d found more than 30 days ago; want some of both", libraryExposures, earlier)
	}
	_, sites, err := store.FindSites(context.Background(), fleetwatch.SiteFilter{})
	if err != nil {
		t.Fatal(err)
	}
	store.Close()

	t.Run("SecondRun", func(t *testing.T) {
		var again bytes.Buffer
		if err := run(context.Background(), demoArgs(t, cfg), &again, &errOut); err != nil {
			t.Fatalf("second demo: %v\n%s", err, errOut.String())
		}
		if !strings.Contains(again.String(), "already loaded") {
			t.Errorf("second run printed %s", again.String())
		}
		if m2 := adminLine.FindStringSubmatch(again.String()); m2 == nil || m2[1] != m[1] {
			t.Errorf("second run printed admin password %v, want %s", m2, m[1])
		}
		store, err := sqlstore.Open(context.Background(), cfg.DatabaseURL)
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		if _, n, err := store.FindSites(context.Background(), fleetwatch.SiteFilter{}); err != nil || n != sites {
			t.Errorf("sites after a second run: %d %v, want %d", n, err, sites)
		}
		if o, w, b := exposureCounts(t, store); o != open || w != within || b != breached {
			t.Errorf("exposures after a second run: %d/%d/%d, want %d/%d/%d", o, w, b, open, within, breached)
		}
	})

	t.Run("SignIn", func(t *testing.T) {
		srv := startMain(t, cfg)
		status, body := call(t, "POST", srv.URL()+"/api/v1/auth/login", "", map[string]string{"email": "admin@demo.example", "password": m[1]})
		if status != 200 {
			t.Fatalf("login with the printed password: %d %v", status, body)
		}
		token := body["data"].(map[string]any)["access_token"].(string)
		status, body = call(t, "GET", srv.URL()+"/api/v1/reports/summary", token, nil)
		if status != 200 {
			t.Errorf("summary report: %d %v", status, body)
		}
	})
}

// TestDemo_RefusesOtherData runs the demo on a database with a user of its
// own: without --force it refuses and writes nothing.
func TestDemo_RefusesOtherData(t *testing.T) {
	cfg := testConfig(t, sqlstoretest.SQLite)
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"users", "create", "--database-url", cfg.DatabaseURL, "--bcrypt-cost", "4",
		"--secret-key", cfg.SecretKey, "--email", "ops@example.com", "--password", "ops-password", "--role", "admin"}, &out, &errOut); err != nil {
		t.Fatalf("users create: %v %s", err, errOut.String())
	}
	err := run(context.Background(), demoArgs(t, cfg, "--sites-per-org", "1"), &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("demo on a database with a user: %v, want a refusal that names --force", err)
	}
	store, err := sqlstore.Open(context.Background(), cfg.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, n, err := store.FindOrganizations(context.Background(), fleetwatch.OrganizationFilter{}); err != nil || n != 0 {
		t.Fatalf("organizations after a refusal: %d %v", n, err)
	}
}
