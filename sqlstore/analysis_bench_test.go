package sqlstore_test

import (
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/packagist"
	"github.com/fleetwatch/fleetwatch/service"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

func readFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("..", "drupal", "testdata", "release-history", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// cacheFeed stores body as the project's cached feed.
func cacheFeed(tb testing.TB, s *sqlstore.Store, project string, body []byte) {
	tb.Helper()
	sum := sha256.Sum256(body)
	at := time.Now().UTC()
	if err := s.SaveReleaseFeed(context.Background(), &fleetwatch.ReleaseFeed{Project: project, Body: body,
		ContentHash: hex.EncodeToString(sum[:]), Status: fleetwatch.FeedOK, FetchedAt: &at, CheckedAt: &at}); err != nil {
		tb.Fatal(err)
	}
}

// seedFleet creates n sites of one organization that run each of projects
// at version, and their history, with bulk SQL: the ingest path is
// measured elsewhere.
func seedFleet(tb testing.TB, s *sqlstore.Store, n int, version string, projects ...string) {
	tb.Helper()
	ctx := context.Background()
	db := s.WriterDB()
	org := mustCreateOrganization(tb, s, "Fleet", 0)
	t := time.Now().UTC().Truncate(time.Microsecond)
	exec := func(q string, args ...any) {
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			tb.Fatalf("%v: %s", err, q[:min(len(q), 80)])
		}
	}
	for i := 0; i < n; i += 500 {
		var vals []string
		var args []any
		for j := i; j < min(i+500, n); j++ {
			k := len(args)
			vals = append(vals, fmt.Sprintf("($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)", k+1, k+2, k+3, k+4, k+5, k+6, k+7, k+8))
			args = append(args, fmt.Sprintf("00000000-0000-4000-8000-%012d", j), fmt.Sprintf("https://s%d.example", j),
				fmt.Sprintf("s%d", j), org.ID, "8.0.1", t, t, t)
		}
		exec(`INSERT INTO sites (uuid, url, name, organization_id, core_version, first_seen_at, created_at, updated_at)
			VALUES `+strings.Join(vals, ", "), args...)
	}
	for _, p := range projects {
		exec(`INSERT INTO modules (module_name, created_at, updated_at) VALUES ($1, $2, $2)`, p, t)
		exec(`INSERT INTO module_versions (module_id, version_number, created_at, updated_at)
			SELECT id, $1, $2, $2 FROM modules WHERE module_name = $3`, version, t, p)
		exec(`INSERT INTO site_modules (site_id, module_id, current_version_id, created_at, updated_at, analyzed_at)
			SELECT s.id, m.id, mv.id, $1, $1, $1 FROM sites s, modules m JOIN module_versions mv ON mv.module_id = m.id
			WHERE m.module_name = $2`, t, p)
		// Each row's open history row, as the ingest leaves it.
		exec(`INSERT INTO site_module_changes (site_id, module_id, version, status, valid_from)
			SELECT s.id, m.id, $1, 'unknown', $2 FROM sites s, modules m WHERE m.module_name = $3`, version, t, p)
		exec(`UPDATE site_modules SET history_id = (SELECT h.id FROM site_module_changes h
				WHERE h.site_id = site_modules.site_id AND h.module_id = site_modules.module_id), history_from = $1
			WHERE module_id = (SELECT id FROM modules WHERE module_name = $2)`, t, p)
	}
	if err := s.RebuildCounters(ctx); err != nil {
		tb.Fatal(err)
	}
}

// vacuumBetween does what the database's upkeep does between feed or
// advisory changes, which come hours apart: on PostgreSQL autovacuum of
// the tables a re-judging writes (so that back-to-back changes do not
// measure the bloat of the previous iteration), on SQLite the leader's
// RefreshStatistics.
func vacuumBetween(b *testing.B, s *sqlstore.Store, backend sqlstoretest.Backend) {
	b.Helper()
	if backend != sqlstoretest.Postgres {
		if err := s.RefreshStatistics(context.Background()); err != nil {
			b.Fatal(err)
		}
		return
	}
	if _, err := s.WriterDB().ExecContext(context.Background(), `VACUUM ANALYZE site_modules, exposures, sites`); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkRecomputeProject measures what one feed change costs: the status
// of one project across 10,000 sites recomputed, and 10,000 exposures opened
// (or resolved), in one transaction. Each iteration flips the feed between
// "no security release" and "8.x-1.2 is a security release". The sites run
// that project alone.
func BenchmarkRecomputeProject(b *testing.B) {
	benchmarkRecomputeProject(b, 0)
}

// BenchmarkRecomputeProject_WideSites is the same feed change on sites that
// run 59 other projects as well, 12 of them with an update and 2 of those
// with a security update, as real sites do: the counts of every site
// change, and keeping them must not cost a read of all its projects.
func BenchmarkRecomputeProject_WideSites(b *testing.B) {
	benchmarkRecomputeProject(b, 59)
}

func benchmarkRecomputeProject(b *testing.B, others int) {
	for _, backend := range sqlstoretest.Backends(b) {
		b.Run(backend.Name, func(b *testing.B) {
			s := sqlstoretest.MustOpen(b, backend)
			const sites = 10000
			projects := []string{"aaa_update_test"}
			for i := range others {
				projects = append(projects, fmt.Sprintf("other_%03d", i))
			}
			seedFleet(b, s, sites, "8.x-1.0", projects...)
			if others > 0 {
				markOutstanding(b, s, "other_012", "other_002")
			}
			plain, sec := readFixture(b, "aaa_update_test.1_0.xml"), readFixture(b, "aaa_update_test.sec.8.x-1.2.xml")
			an := service.NewAnalysis(s, nil)
			ctx := context.Background()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				body := plain
				if i%2 == 0 {
					body = sec
				}
				cacheFeed(b, s, "aaa_update_test", body)
				vacuumBetween(b, s, backend)
				b.StartTimer()
				changed, opened, resolved, err := an.RecomputeProject(ctx, "aaa_update_test")
				if err != nil {
					b.Fatal(err)
				}
				if changed != sites || opened+resolved != sites {
					b.Fatalf("changed %d, opened %d, resolved %d; want %d", changed, opened, resolved, sites)
				}
			}
		})
	}
}

// markOutstanding gives every site's rows of the projects named before
// updatesBelow an update, and of those named before securityBelow a
// security update, as if their feeds had said so, and recounts.
func markOutstanding(tb testing.TB, s *sqlstore.Store, updatesBelow, securityBelow string) {
	tb.Helper()
	for _, q := range []struct{ set, below string }{
		{`status = 'not_current', update_available = TRUE`, updatesBelow},
		{`status = 'not_secure', update_available = TRUE, security_update = TRUE`, securityBelow},
	} {
		if _, err := s.WriterDB().ExecContext(context.Background(), `UPDATE site_modules SET `+q.set+`
			WHERE module_id IN (SELECT id FROM modules WHERE module_name < $1 AND module_name <> 'aaa_update_test')`, q.below); err != nil {
			tb.Fatal(err)
		}
	}
	if err := s.RebuildCounters(context.Background()); err != nil {
		tb.Fatal(err)
	}
}

// advisorySource serves one advisory of aaa_update_test, fixed by
// 8.x-1.2, rated as severity says.
type advisorySource struct{ severity, label string }

func (advisorySource) FetchFeed(context.Context, string, string, string) (*fleetwatch.FeedResponse, error) {
	return nil, fmt.Errorf("not served")
}

func (a advisorySource) FetchAdvisories(context.Context) ([]*fleetwatch.Advisory, error) {
	return []*fleetwatch.Advisory{{AdvisoryID: "SA-CONTRIB-2026-900", Project: "aaa_update_test", Title: "AAA Update test - " + a.label,
		RiskLabel: a.label, Severity: a.severity, FixedVersions: []string{"8.x-1.2"}, Source: "bench"}}, nil
}

// BenchmarkRecomputeProject_AdvisoryRerated measures an advisory that
// changes the severity of 10,000 open exposures: their site_modules rows
// re-judged and each exposure's severity, advisory and SLA clock updated,
// in one transaction. Each iteration rates the advisory the other way.
func BenchmarkRecomputeProject_AdvisoryRerated(b *testing.B) {
	for _, backend := range sqlstoretest.Backends(b) {
		b.Run(backend.Name, func(b *testing.B) {
			s := sqlstoretest.MustOpen(b, backend)
			const sites = 10000
			seedFleet(b, s, sites, "8.x-1.0", "aaa_update_test")
			cacheFeed(b, s, "aaa_update_test", readFixture(b, "aaa_update_test.sec.8.x-1.2.xml"))
			an := service.NewAnalysis(s, nil)
			ctx := context.Background()
			if _, opened, _, err := an.RecomputeProject(ctx, "aaa_update_test"); err != nil || opened != sites {
				b.Fatalf("opened %d exposures, want %d: %v", opened, sites, err)
			}
			rates := []advisorySource{{fleetwatch.SeverityLessCritical, "Less critical"}, {fleetwatch.SeverityHighlyCritical, "Highly critical"}}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				feeds := &service.Feeds{Store: s, Fetcher: rates[i%2], Analysis: an}
				vacuumBetween(b, s, backend)
				b.StartTimer()
				res, err := feeds.RefreshAdvisories(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if res.Sites != sites || res.Opened+res.Resolved != 0 {
					b.Fatalf("advisory re-judged %d sites, opened %d, resolved %d; want %d, 0, 0", res.Sites, res.Opened, res.Resolved, sites)
				}
			}
			b.StopTimer()
			es, _, err := s.FindExposures(ctx, fleetwatch.ExposureFilter{Severity: rates[(b.N-1)%2].severity, State: fleetwatch.ExposureOpen,
				ListOptions: fleetwatch.ListOptions{PerPage: 1}})
			if err != nil || len(es) != 1 || strings.Join(es[0].Advisories, ",") != "SA-CONTRIB-2026-900" {
				b.Fatalf("open exposures rated %s: %+v, %v", rates[(b.N-1)%2].severity, es, err)
			}
		})
	}
}

// BenchmarkAnalyzeInventory measures the worker's analysis of a new
// 150-project inventory: the verdicts of every project from cached feeds.
func BenchmarkAnalyzeInventory(b *testing.B) {
	s := sqlstoretest.MustOpen(b, sqlstoretest.SQLite)
	feeds := []string{"aaa_update_test.sec.8.x-1.2.xml", "aaa_update_test.1_0.xml", "semver_test.8.1.0.xml",
		"drupal.sec.8.0.2.xml", "update_test_base_theme.1_1-sec.xml"}
	var changes []fleetwatch.ModuleChange
	for i := range 150 {
		p := fmt.Sprintf("project_%03d", i)
		body := strings.Replace(string(readFixture(b, feeds[i%len(feeds)])), "<short_name>", "<short_name>"+p+"_", 1)
		cacheFeed(b, s, p, []byte(body))
		changes = append(changes, fleetwatch.ModuleChange{SiteID: 1, ModuleID: int64(i + 1), Project: p,
			Source: fleetwatch.SourceDrupalOrg, ToVersion: []string{"8.x-1.0", "8.x-1.0", "8.1.0", "8.0.1", "8.x-1.0"}[i%len(feeds)]})
	}
	an := service.NewAnalysis(s, nil)
	ctx := context.Background()
	if _, err := an.Analyze(ctx, changes); err != nil { // warms the parsed feeds, as a running server has
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// A build time of its own makes every install of the iteration one
		// the parsed feeds have not evaluated yet: what is measured is a
		// new inventory's analysis, not the feeds' remembered evaluations.
		for k := range changes {
			changes[k].Datestamp = int64(i + 1)
		}
		vs, err := an.Analyze(ctx, changes)
		if err != nil || len(vs) != 150 {
			b.Fatalf("%d verdicts, %v", len(vs), err)
		}
	}
}

// libraryAdvisories reads the real GitHub and FriendsOfPHP advisories of
// packagist/testdata.
func libraryAdvisories(tb testing.TB) *packagist.Set {
	tb.Helper()
	set, _, err := packagist.ReadFS(os.DirFS(filepath.Join("..", "packagist", "testdata", "advisories")))
	if err != nil {
		tb.Fatal(err)
	}
	return set
}

// lockLibraries returns the packages (and dev packages) of a real composer.lock of
// packagist/testdata that are not Drupal projects, as library changes of
// site 1.
func lockLibraries(tb testing.TB, site string) []fleetwatch.ModuleChange {
	tb.Helper()
	f, err := os.Open(filepath.Join("..", "packagist", "testdata", "composer-locks", site+".composer.lock.gz"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatal(err)
	}
	var lock struct {
		Packages    []struct{ Name, Version string } `json:"packages"`
		PackagesDev []struct{ Name, Version string } `json:"packages-dev"`
	}
	if err := json.NewDecoder(z).Decode(&lock); err != nil {
		tb.Fatal(err)
	}
	var out []fleetwatch.ModuleChange
	for _, p := range append(lock.Packages, lock.PackagesDev...) {
		if !strings.HasPrefix(p.Name, "drupal/") {
			out = append(out, fleetwatch.ModuleChange{SiteID: 1, ModuleID: int64(len(out) + 1), Project: p.Name,
				Source: fleetwatch.SourcePackagist, ToVersion: p.Version})
		}
	}
	return out
}

// BenchmarkAnalyzeLibraries measures the worker's analysis of a new
// inventory's PHP libraries — every library of a real site's lock file,
// repeated to 300 — against the stored advisories: one read of the
// libraries' advisories and a Composer-constraint check of each.
func BenchmarkAnalyzeLibraries(b *testing.B) {
	s := sqlstoretest.MustOpen(b, sqlstoretest.SQLite)
	ctx := context.Background()
	if _, err := s.SaveLibraryAdvisories(ctx, libraryAdvisories(b).Advisories()); err != nil {
		b.Fatal(err)
	}
	libs := lockLibraries(b, "boston-gov")
	changes := libs
	for i := 0; len(changes) < 300; i++ {
		c := libs[i%len(libs)]
		c.SiteID, c.ModuleID = 2+int64(i/len(libs)), int64(len(changes)+1)
		changes = append(changes, c)
	}
	an := service.NewAnalysis(s, nil)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		vs, err := an.Analyze(ctx, changes)
		if err != nil || len(vs) != 300 {
			b.Fatalf("%d verdicts, %v", len(vs), err)
		}
	}
	b.StopTimer()
	vs, _ := an.Analyze(ctx, changes[:len(libs)])
	flagged := 0
	for _, v := range vs {
		if v.SecurityUpdate {
			flagged++
		}
	}
	if flagged != 14 { // packagist/testdata/golden/boston-gov.txt
		b.Fatalf("%d of boston-gov's %d libraries flagged, want 14", flagged, len(libs))
	}
}

// libraryFetcher serves a fixed set of library advisories.
type libraryFetcher struct{ set *packagist.Set }

func (f libraryFetcher) FetchLibraryAdvisories(context.Context) (*packagist.Set, error) {
	return f.set, nil
}

// noAdvisories is a drupal.org source with no advisories and no feeds.
type noAdvisories struct{}

func (noAdvisories) FetchFeed(context.Context, string, string, string) (*fleetwatch.FeedResponse, error) {
	return nil, fmt.Errorf("not served")
}

func (noAdvisories) FetchAdvisories(context.Context) ([]*fleetwatch.Advisory, error) { return nil, nil }

// BenchmarkRefreshAdvisories_Library measures a library advisory
// re-judging 10,000 sites that run twig/twig v3.14.0: the refresh stores the
// advisories, finds the one package whose advisories changed, and re-judges
// its sites, whose open exposures change severity, in one transaction. The
// first refresh brings the advisory (critical); each iteration then rates
// it the other way (critical, less critical), as a source's update does.
func BenchmarkRefreshAdvisories_Library(b *testing.B) {
	real := libraryAdvisories(b).Advisories()
	withExtra := func(severity string) *packagist.Set {
		set := packagist.NewSet()
		for _, a := range real {
			set.Add(*a)
		}
		extra := packagist.Advisory{ID: "GHSA-2222-3333-4444", GHSAs: []string{"GHSA-2222-3333-4444"}, Title: "Bench advisory",
			Severity: severity, Sources: []string{packagist.SourceGHSA},
			Ranges: []packagist.Range{{Package: "twig/twig", Affected: "<3.99.0", Fixed: "3.99.0", Source: packagist.SourceGHSA}}}
		if err := extra.Compile(); err != nil {
			b.Fatal(err)
		}
		set.Add(extra)
		return set
	}
	sets := []*packagist.Set{withExtra(fleetwatch.SeverityLessCritical), withExtra(fleetwatch.SeverityHighlyCritical)}
	for _, backend := range sqlstoretest.Backends(b) {
		b.Run(backend.Name, func(b *testing.B) {
			s := sqlstoretest.MustOpen(b, backend)
			const sites = 10000
			seedFleet(b, s, sites, "v3.14.0", "twig/twig")
			ctx := context.Background()
			if _, err := s.WriterDB().ExecContext(ctx, `UPDATE modules SET source = 'packagist', type = 'library' WHERE module_name = 'twig/twig'`); err != nil {
				b.Fatal(err)
			}
			an := service.NewAnalysis(s, nil)
			first := &service.Feeds{Store: s, Fetcher: noAdvisories{}, Libraries: libraryFetcher{withExtra(fleetwatch.SeverityCritical)}, Analysis: an}
			if res, err := first.RefreshAdvisories(ctx); err != nil || res.Opened != sites {
				b.Fatalf("first refresh opened %d exposures, want %d: %v", res.Opened, sites, err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				feeds := &service.Feeds{Store: s, Fetcher: noAdvisories{}, Libraries: libraryFetcher{sets[i%2]}, Analysis: an}
				vacuumBetween(b, s, backend)
				b.StartTimer()
				res, err := feeds.RefreshAdvisories(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if res.Sites != sites || res.Opened+res.Resolved != 0 {
					b.Fatalf("re-rated advisory re-judged %d sites, opened %d, resolved %d; want %d, 0, 0", res.Sites, res.Opened, res.Resolved, sites)
				}
			}
			b.StopTimer()
			es, _, err := s.FindExposures(ctx, fleetwatch.ExposureFilter{State: fleetwatch.ExposureOpen, ListOptions: fleetwatch.ListOptions{PerPage: 1}})
			if want := []string{fleetwatch.SeverityLessCritical, fleetwatch.SeverityHighlyCritical}[(b.N-1)%2]; err != nil || len(es) != 1 || es[0].Severity != want {
				b.Fatalf("open exposure after the last refresh: %+v, %v; want severity %s", es, err, want)
			}
		})
	}
}
