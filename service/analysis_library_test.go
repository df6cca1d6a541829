package service_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/packagist"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// TestAnalysis_Libraries: a site's PHP libraries are judged by the
// advisories of GitHub and FriendsOfPHP (the real fixtures) as Drupal
// projects are by their feeds: unknown before any advisory is read; when
// the advisories arrive, a refresh opens an exposure for each vulnerable
// library with the most severe advisory's severity, every advisory id and
// the versions that fix them; a push of a fixed version resolves it, and
// a library no advisory concerns stays unknown with the reason why.
func TestAnalysis_Libraries(t *testing.T) {
	fixtures := filepath.Join("..", "packagist", "testdata", "advisories")
	set, _, err := packagist.ReadFS(os.DirFS(fixtures))
	if err != nil {
		t.Fatal(err)
	}
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		mirror := t.TempDir()
		in := newIntel(t, s, "file://"+mirror)
		in.feedSrv.publish(t, "drupal", "drupal.8.0.1.xml")
		org := mustOrg(t, s, "Agency")
		site := mustSite(t, s, org.ID, "one")

		in.push(t, site.ID, "drupal=8.0.1", "twig/twig=v3.14.0", "symfony/process=v6.4.12", "acme/unheard-of=1.0.0")
		if m := siteModule(t, s, site.ID, "twig/twig"); m.Status != fleetwatch.ModuleStatusUnknown || m.SecurityUpdate {
			t.Fatalf("twig before any advisory: %+v", m)
		}
		if _, err := in.feeds.RefreshNow(ctx); err != nil {
			t.Fatal(err)
		}
		if got := in.exposures(t, fleetwatch.ExposureFilter{SiteID: site.ID}); len(got) != 0 {
			t.Fatalf("%d exposures with no library advisory", len(got))
		}

		// The advisories arrive in the mirror: the next refresh re-judges
		// the sites that run the libraries they name.
		if err := os.CopyFS(mirror, os.DirFS(fixtures)); err != nil {
			t.Fatal(err)
		}
		res, err := in.feeds.RefreshNow(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if res.Opened != 2 {
			t.Fatalf("refresh with the library advisories opened %d exposures, want 2 (twig, symfony/process): %+v", res.Opened, res)
		}
		open := in.exposures(t, fleetwatch.ExposureFilter{SiteID: site.ID, State: fleetwatch.ExposureOpen})
		byProject := map[string]*fleetwatch.Exposure{}
		for _, e := range open {
			byProject[e.Project] = e
		}
		findings, err := set.Check("twig/twig", "v3.14.0")
		if err != nil || len(findings) == 0 {
			t.Fatalf("fixtures: twig v3.14.0 findings %d, %v", len(findings), err)
		}
		twig := byProject["twig/twig"]
		if twig == nil || twig.InstalledVersion != "v3.14.0" || twig.Severity != fleetwatch.SeverityLessCritical ||
			len(twig.Advisories) != len(findings) || !slices.Contains(twig.Advisories, "GHSA-6377-hfv9-hqf6") ||
			!slices.Contains(twig.FixedBy, "3.14.1") {
			t.Fatalf("twig exposure = %+v", twig)
		}
		if p := byProject["symfony/process"]; p == nil || p.Severity != fleetwatch.SeverityCritical ||
			!slices.Contains(p.Advisories, "GHSA-qq5c-677p-737q") {
			t.Fatalf("symfony/process exposure = %+v", p)
		}
		m := siteModule(t, s, site.ID, "twig/twig")
		if m.Status != "not_secure" || !m.SecurityUpdate || len(m.Reasons) != len(findings) ||
			!strings.Contains(strings.Join(m.Reasons, "\n"), "GHSA-6377-hfv9-hqf6 (CVE-2024-51754): Twig has unguarded calls") {
			t.Fatalf("twig site module = %+v", m)
		}
		if u := siteModule(t, s, site.ID, "acme/unheard-of"); u.Status != fleetwatch.ModuleStatusUnknown || u.SecurityUpdate ||
			len(u.Reasons) != 1 || !strings.Contains(u.Reasons[0], "security advisories only") {
			t.Fatalf("a library no advisory names: %+v", u)
		}

		// A second refresh of the same advisories changes nothing; an
		// upgrade past every fix resolves the exposure.
		if res, err := in.feeds.RefreshNow(ctx); err != nil || res.Opened+res.Resolved+res.Sites != 0 {
			t.Fatalf("second refresh = %+v, %v", res, err)
		}
		fixed := twig.FixedBy[0]
		for _, v := range twig.FixedBy {
			if v > fixed {
				fixed = v
			}
		}
		if f, _ := set.Check("twig/twig", fixed); len(f) != 0 {
			t.Fatalf("fixtures: twig %s still has %d findings", fixed, len(f))
		}
		pushed := in.push(t, site.ID, "drupal=8.0.1", "twig/twig="+fixed, "symfony/process=v6.4.12", "acme/unheard-of=1.0.0")
		if len(pushed.Exposures.Resolved) != 1 || pushed.Exposures.Resolved[0].Project != "twig/twig" ||
			pushed.Exposures.Resolved[0].ResolvedVersion != fixed {
			t.Fatalf("upgrade to twig %s resolved %+v", fixed, pushed.Exposures.Resolved)
		}
	})
}
