package service_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/drupalorg"
	"github.com/fleetwatch/fleetwatch/service"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// feedServer serves release-history fixtures as {project}/current, with
// ETags, and lets a test publish a new feed or break one.
type feedServer struct {
	*httptest.Server
	mu    sync.Mutex
	feeds map[string][]byte // project -> body; nil body: 500
	hits  map[string]int
}

func newFeedServer(t testing.TB) *feedServer {
	fs := &feedServer{feeds: map[string][]byte{}, hits: map[string]int{}}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		project := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/"), "/current")
		fs.mu.Lock()
		body, ok := fs.feeds[project]
		fs.hits[project]++
		fs.mu.Unlock()
		switch {
		case !ok:
			http.NotFound(w, r)
			return
		case body == nil:
			http.Error(w, "<html>upstream down</html>", http.StatusBadGateway)
			return
		}
		sum := sha256.Sum256(body)
		etag := `"` + hex.EncodeToString(sum[:8]) + `"`
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Write(body)
	}))
	t.Cleanup(fs.Close)
	return fs
}

// publish serves the fixture file as the project's feed.
func (fs *feedServer) publish(t testing.TB, project, fixture string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "drupal", "testdata", "release-history", fixture))
	if err != nil {
		t.Fatal(err)
	}
	fs.mu.Lock()
	fs.feeds[project] = b
	fs.mu.Unlock()
}

func (fs *feedServer) set(project string, body []byte) {
	fs.mu.Lock()
	fs.feeds[project] = body
	fs.mu.Unlock()
}

// intel is the analysis under test on one store.
type intel struct {
	store    *sqlstore.Store
	analysis *service.Analysis
	feeds    *service.Feeds
	feedSrv  *feedServer
	now      time.Time
}

// fetched publishes the fixture as project's feed and has Fleetwatch fetch
// it.
func (in *intel) fetched(t testing.TB, project, fixture string) {
	t.Helper()
	in.feedSrv.publish(t, project, fixture)
	if _, _, err := in.feeds.RefreshFeed(context.Background(), project); err != nil {
		t.Fatal(err)
	}
}

func newIntel(t testing.TB, s *sqlstore.Store, advisoryURL string) *intel {
	t.Helper()
	fs := newFeedServer(t)
	client, err := drupalorg.New(drupalorg.Config{FeedURL: fs.URL, AdvisoryURL: advisoryURL, Retries: 0, Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	in := &intel{store: s, feedSrv: fs, now: time.Now().UTC()}
	in.analysis = service.NewAnalysis(s, nil)
	in.analysis.Now = func() time.Time { return in.now }
	in.feeds = &service.Feeds{Store: s, Fetcher: client, Libraries: client, Analysis: in.analysis}
	return in
}

// push applies an inventory of name=version pairs (name=version@datestamp
// for a dev build; a vendor/package name is a PHP library) to the site through the ingest store with the analysis
// as its Analyzer: the verdicts and exposures commit with the snapshot.
func (in *intel) push(t testing.TB, siteID int64, pairs ...string) *fleetwatch.ApplyResult {
	t.Helper()
	ctx := context.Background()
	snap := &fleetwatch.Snapshot{SiteID: siteID, CollectedAt: time.Now().UTC()}
	for _, p := range pairs {
		name, version, _ := strings.Cut(p, "=")
		version, stamp, _ := strings.Cut(version, "@")
		var datestamp int64
		if stamp != "" {
			if _, err := fmt.Sscan(stamp, &datestamp); err != nil {
				t.Fatal(err)
			}
		}
		typ, src := fleetwatch.ModuleTypeModule, fleetwatch.SourceDrupalOrg
		if name == "drupal" {
			typ = fleetwatch.ModuleTypeCore
			snap.CoreVersion = version
		}
		if strings.HasPrefix(name, "custom_") {
			src = fleetwatch.SourceCustom
		}
		if strings.Contains(name, "/") {
			typ, src = fleetwatch.ModuleTypeLibrary, fleetwatch.SourcePackagist
		}
		snap.Projects = append(snap.Projects, fleetwatch.SnapshotProject{Name: name, Type: typ, Source: src, Version: version, Datestamp: datestamp})
	}
	sort.Slice(snap.Projects, func(i, j int) bool { return snap.Projects[i].Name < snap.Projects[j].Name })
	snap.Hash = strings.Join(pairs, ",")
	l := &fleetwatch.AuditLog{SiteID: siteID, Kind: fleetwatch.KindInventory, Data: []byte(`{}`)}
	if err := in.store.EnqueueAuditLogs(ctx, []*fleetwatch.AuditLog{l}); err != nil {
		t.Fatal(err)
	}
	claimed, err := in.store.ClaimAuditLogs(ctx, 1, time.Now())
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %v %v", claimed, err)
	}
	res, err := in.store.ApplySnapshot(ctx, claimed[0], snap, in.analysis)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// status returns "status latest recommended [security updates] severity" of
// a site's project.
func (in *intel) status(t testing.TB, siteID int64, project string) string {
	t.Helper()
	installs, err := in.store.FindSiteInstalls(context.Background(), []int64{siteID})
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range installs {
		if i.Project == project {
			return i.Status
		}
	}
	t.Fatalf("site %d does not run %s", siteID, project)
	return ""
}

func (in *intel) exposures(t testing.TB, f fleetwatch.ExposureFilter) []*fleetwatch.Exposure {
	t.Helper()
	f.PerPage = 500
	es, _, err := in.store.FindExposures(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func mustSite(t testing.TB, s *sqlstore.Store, orgID int64, name string) *fleetwatch.Site {
	t.Helper()
	site := &fleetwatch.Site{Name: name, URL: "https://" + name + ".example", OrganizationID: orgID, IsActive: true}
	if err := s.CreateSite(context.Background(), site, 0); err != nil {
		t.Fatal(err)
	}
	return site
}

func mustOrg(t testing.TB, s *sqlstore.Store, name string) *fleetwatch.Organization {
	t.Helper()
	o := &fleetwatch.Organization{Name: name, IsActive: true}
	if err := s.CreateOrganization(context.Background(), o, 0); err != nil {
		t.Fatal(err)
	}
	return o
}

// advisoryFile writes an api-d7 listing with one advisory that
// aaa_update_test 8.x-1.2 fixes, and returns its file:// URL.
func advisoryFile(t testing.TB, label, vector string) string {
	t.Helper()
	dir := t.TempDir()
	body := fmt.Sprintf(`{"list":[{"type":"sa","nid":"1","title":"AAA Update test - %s - Access bypass - SA-CONTRIB-2026-900",
		"url":"https://www.drupal.org/sa-contrib-2026-900","field_sa_criticality":%q,"field_is_psa":"0",
		"field_project":{"id":"42"},"field_affected_versions":"<1.2.0","created":"1788974270",
		"field_sa_solution":{"value":"<a href=\"/project/aaa_update_test/releases/8.x-1.2\">8.x-1.2</a>"}}]}`, label, vector)
	path := filepath.Join(dir, "sa.json")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return "file://" + path
}

// TestAnalysis_EndToEnd is the story of the issue: sites run a project,
// drupal.org publishes a security release, one refresh flags every site
// with an exposure and a due date; an upgrade resolves it.
func TestAnalysis_EndToEnd(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		in := newIntel(t, s, advisoryFile(t, "Highly critical", "AC:None/A:None/CI:All/II:All/E:Exploit/TD:All"))
		in.feedSrv.publish(t, "aaa_update_test", "aaa_update_test.1_0.xml")
		in.feedSrv.publish(t, "drupal", "drupal.8.0.1.xml")
		org := mustOrg(t, s, "Agency")
		other := mustOrg(t, s, "Other")
		var sites []*fleetwatch.Site
		for i := range 3 {
			sites = append(sites, mustSite(t, s, org.ID, fmt.Sprintf("site%d", i)))
		}
		bystander := mustSite(t, s, other.ID, "bystander")

		// First push: nothing fetched yet, so unknown — never "current".
		for _, site := range sites {
			in.push(t, site.ID, "drupal=8.0.1", "aaa_update_test=8.x-1.0", "custom_events=1.0.0")
		}
		in.push(t, bystander.ID, "drupal=8.0.1", "aaa_update_test=8.x-1.2")
		if got := in.status(t, sites[0].ID, "aaa_update_test"); got != "unknown" {
			t.Fatalf("before any fetch: %s, want unknown", got)
		}
		// The first refresh fetches the fleet's feeds (the scheduler does it
		// at once for new projects).
		res, err := in.feeds.RefreshNow(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Changed) != 2 || res.Advisories != 1 {
			t.Fatalf("first refresh = %+v", res)
		}
		for _, site := range sites {
			if got := in.status(t, site.ID, "aaa_update_test"); got != "current" {
				t.Fatalf("site %d: %s, want current", site.ID, got)
			}
			if got := in.status(t, site.ID, "custom_events"); got != "unknown" {
				t.Fatalf("custom project: %s, want unknown", got)
			}
		}
		if es := in.exposures(t, fleetwatch.ExposureFilter{}); len(es) != 0 {
			t.Fatalf("exposures before the security release: %d", len(es))
		}

		// drupal.org publishes 8.x-1.2, a security release; one refresh.
		in.feedSrv.publish(t, "aaa_update_test", "aaa_update_test.sec.8.x-1.2.xml")
		in.now = in.now.Add(time.Hour)
		res, err = in.feeds.RefreshNow(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Changed) != 1 || res.Changed[0] != "aaa_update_test" || res.Opened != 3 {
			t.Fatalf("second refresh = %+v, want aaa_update_test changed and 3 exposures", res)
		}
		open := in.exposures(t, fleetwatch.ExposureFilter{State: fleetwatch.ExposureOpen})
		if len(open) != 3 {
			t.Fatalf("%d open exposures, want 3", len(open))
		}
		for _, e := range open {
			if in.status(t, e.SiteID, "aaa_update_test") != "not_secure" {
				t.Errorf("site %d not flagged", e.SiteID)
			}
			if e.Severity != fleetwatch.SeverityHighlyCritical || !e.SeverityKnown || len(e.Advisories) != 1 ||
				e.Advisories[0] != "SA-CONTRIB-2026-900" || len(e.FixedBy) != 1 || e.FixedBy[0] != "8.x-1.2" {
				t.Errorf("exposure = %+v", e)
			}
			// The release dates from 2009: the clock starts when the site
			// was first seen, and a highly critical one is due a day later.
			if e.PublishedAt == nil || e.PublishedAt.Year() != 2009 {
				t.Errorf("published_at = %v", e.PublishedAt)
			}
			site, _ := s.FindSiteByID(ctx, e.SiteID)
			if !e.ClockStartedAt.Equal(site.FirstSeenAt.Truncate(time.Microsecond)) || e.DueAt.Sub(e.ClockStartedAt) != 24*time.Hour {
				t.Errorf("clock %v due %v, first seen %v", e.ClockStartedAt, e.DueAt, site.FirstSeenAt)
			}
			if !e.DetectedAt.Equal(in.now.Truncate(time.Microsecond)) {
				t.Errorf("detected_at = %v, want %v", e.DetectedAt, in.now)
			}
		}
		// Organization filter and the bystander on the fixed release.
		if es := in.exposures(t, fleetwatch.ExposureFilter{OrganizationID: other.ID}); len(es) != 0 {
			t.Errorf("bystander exposures: %d", len(es))
		}
		later := in.now.Add(48 * time.Hour)
		if es := in.exposures(t, fleetwatch.ExposureFilter{OverdueAt: &later}); len(es) != 3 {
			t.Errorf("overdue after 2 days: %d, want 3", len(es))
		}

		// A refresh with nothing new changes nothing.
		res, err = in.feeds.RefreshNow(ctx)
		if err != nil || len(res.Changed) != 0 || res.Opened != 0 {
			t.Fatalf("idle refresh = %+v, %v", res, err)
		}

		// One site upgrades: its exposure resolves within the SLA.
		in.now = in.now.Add(time.Hour)
		in.push(t, sites[0].ID, "drupal=8.0.1", "aaa_update_test=8.x-1.2", "custom_events=1.0.0")
		if got := in.status(t, sites[0].ID, "aaa_update_test"); got != "current" {
			t.Fatalf("after upgrade: %s", got)
		}
		resolved := in.exposures(t, fleetwatch.ExposureFilter{State: fleetwatch.ExposureResolved})
		if len(resolved) != 1 || resolved[0].SiteID != sites[0].ID || resolved[0].ResolvedVersion != "8.x-1.2" ||
			resolved[0].SLAOutcome == nil || *resolved[0].SLAOutcome != fleetwatch.SLAWithin {
			t.Fatalf("resolved = %+v", resolved)
		}

		// A site that is first seen now with the insecure release gets its
		// exposure at its push, from the cached feed.
		late := mustSite(t, s, org.ID, "late")
		in.push(t, late.ID, "drupal=8.0.1", "aaa_update_test=8.x-1.0")
		if es := in.exposures(t, fleetwatch.ExposureFilter{SiteID: late.ID, State: fleetwatch.ExposureOpen}); len(es) != 1 {
			t.Fatalf("late site exposures: %d", len(es))
		}

		// Organization isolation through the service: another
		// organization's member sees none of them, and gets 404 for one.
		svc := &service.Exposures{Store: s, Now: func() time.Time { return in.now }}
		outsider := fleetwatch.NewContextWithActor(ctx, &fleetwatch.Actor{UserID: 99, OrganizationID: other.ID, Role: fleetwatch.RoleMember})
		member := fleetwatch.NewContextWithActor(ctx, &fleetwatch.Actor{UserID: 98, OrganizationID: org.ID, Role: fleetwatch.RoleViewer})
		mine, total, err := svc.List(member, fleetwatch.ListOptions{PerPage: 50}, service.ExposureQuery{State: "open"})
		if err != nil || total != 3 || len(mine) != 3 || mine[0].SLAStatus == "" {
			t.Fatalf("member list = %d, %v", total, err)
		}
		if got, total, err := svc.List(outsider, fleetwatch.ListOptions{PerPage: 50}, service.ExposureQuery{SiteID: sites[1].UUID}); err != nil || total != 0 || len(got) != 0 {
			t.Errorf("outsider list by site = %d, %v", total, err)
		}
		if _, err := svc.Get(outsider, mine[0].UUID); fleetwatch.ErrorCode(err) != fleetwatch.ENOTFOUND {
			t.Errorf("outsider get = %v, want not found", err)
		}
		if e, err := svc.Get(member, mine[0].UUID); err != nil || e.UUID != mine[0].UUID {
			t.Errorf("member get = %v", err)
		}
		if _, _, err := svc.List(member, fleetwatch.ListOptions{PerPage: 50}, service.ExposureQuery{Severity: "bad"}); fleetwatch.ErrorCode(err) != fleetwatch.EINVALID {
			t.Errorf("bad severity = %v", err)
		}

		// The feed breaks: the last good copy keeps deciding; a project
		// never fetched stays unknown.
		in.feedSrv.set("aaa_update_test", []byte("<html>maintenance</html>"))
		in.now = in.now.Add(2 * time.Hour)
		if _, err := in.feeds.RefreshNow(ctx); err != nil {
			t.Fatal(err)
		}
		if got := in.status(t, sites[1].ID, "aaa_update_test"); got != "not_secure" {
			t.Errorf("after a broken fetch: %s, want the cached verdict not_secure", got)
		}
		feed, err := s.FindReleaseFeed(ctx, "aaa_update_test")
		if err != nil || feed.Status != fleetwatch.FeedInvalid || feed.Failures != 1 || feed.NextAttempt == nil {
			t.Errorf("broken feed cache = %+v, %v", feed, err)
		}
	})
}

func TestFeeds_RefreshFeed_Unknown(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		in := newIntel(t, s, "")
		org := mustOrg(t, s, "Agency")
		site := mustSite(t, s, org.ID, "one")
		in.feedSrv.set("broken", nil) // 502
		in.feedSrv.set("halfway", []byte(`<?xml version="1.0"?><project><title>x</title><short_name>halfway</short_name><releases><release>`))
		in.push(t, site.ID, "broken=1.0.0", "halfway=1.0.0", "gone=1.0.0")
		if _, err := in.feeds.RefreshNow(ctx); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"broken", "halfway", "gone"} {
			if got := in.status(t, site.ID, p); got != "unknown" {
				t.Errorf("%s: %s, want unknown", p, got)
			}
		}
		f, err := s.FindReleaseFeed(ctx, "gone")
		if err != nil || f.Status != fleetwatch.FeedNotFound {
			t.Errorf("gone = %+v, %v", f, err)
		}
	})
}

func TestSLAStatus(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	due := start.Add(10 * 24 * time.Hour)
	within := fleetwatch.SLAWithin
	tests := []struct {
		name string
		at   time.Time
		e    fleetwatch.Exposure
		want string
	}{
		{"fresh", start.Add(time.Hour), fleetwatch.Exposure{ClockStartedAt: start, DueAt: due}, fleetwatch.SLAWithin},
		{"under 20% left", due.Add(-time.Hour), fleetwatch.Exposure{ClockStartedAt: start, DueAt: due}, fleetwatch.SLAAtRisk},
		{"past due", due.Add(time.Second), fleetwatch.Exposure{ClockStartedAt: start, DueAt: due}, fleetwatch.SLABreached},
		{"frozen", due.Add(time.Hour), fleetwatch.Exposure{ClockStartedAt: start, DueAt: due, SLAOutcome: &within}, fleetwatch.SLAWithin},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.e.SLAStatusAt(tt.at); got != tt.want {
				t.Errorf("SLAStatus = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestAnalysis_AdvisoryArrivesLater: drupal.org publishes a security
// release before its advisory. The exposures open with an unknown severity,
// counted and timed as critical; when the advisory arrives they take its
// severity and id, and their due dates follow; a re-rated advisory moves
// them again. The fleet summary counts them under their severity each time.
func TestAnalysis_AdvisoryArrivesLater(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		dir := t.TempDir()
		write := func(name, body string) {
			t.Helper()
			if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		writeListing := func(body string) { t.Helper(); write("sa.json", body) }
		writeListing(`{"list":[]}`)
		in := newIntel(t, s, "file://"+dir)
		in.feedSrv.publish(t, "aaa_update_test", "aaa_update_test.sec.8.x-1.2.xml")
		in.feedSrv.publish(t, "drupal", "drupal.8.0.1.xml")
		org := mustOrg(t, s, "Agency")
		sites := []*fleetwatch.Site{mustSite(t, s, org.ID, "one"), mustSite(t, s, org.ID, "two")}
		for _, site := range sites {
			in.push(t, site.ID, "drupal=8.0.1", "aaa_update_test=8.x-1.0")
		}
		if _, err := in.feeds.RefreshNow(ctx); err != nil {
			t.Fatal(err)
		}
		detected := in.now.Truncate(time.Microsecond)
		shift := map[int64]time.Duration{} // what acceptances moved each due date by
		check := func(step, severity string, known bool, advisories []string, deadline time.Duration) {
			t.Helper()
			open := in.exposures(t, fleetwatch.ExposureFilter{State: fleetwatch.ExposureOpen})
			if len(open) != 2 {
				t.Fatalf("%s: %d open exposures, want 2", step, len(open))
			}
			for _, e := range open {
				if e.Severity != severity || e.SeverityKnown != known || strings.Join(e.Advisories, ",") != strings.Join(advisories, ",") ||
					strings.Join(e.FixedBy, ",") != "8.x-1.2" {
					t.Errorf("%s: exposure severity %s known %v advisories %v fixed by %v, want %s %v %v 8.x-1.2",
						step, e.Severity, e.SeverityKnown, e.Advisories, e.FixedBy, severity, known, advisories)
				}
				if !e.DetectedAt.Equal(detected) {
					t.Errorf("%s: detected_at %v, want %v (the first detection)", step, e.DetectedAt, detected)
				}
				site, err := s.FindSiteByID(ctx, e.SiteID)
				if err != nil {
					t.Fatal(err)
				}
				// The release dates from 2009: the clock starts when the site
				// was first seen.
				if !e.ClockStartedAt.Equal(site.FirstSeenAt.Truncate(time.Microsecond)) || e.DueAt.Sub(e.ClockStartedAt) != deadline+shift[e.ID] {
					t.Errorf("%s: clock %v due %v (%v), want from %v and %v, plus %v accepted", step, e.ClockStartedAt, e.DueAt,
						e.DueAt.Sub(e.ClockStartedAt), site.FirstSeenAt, deadline, shift[e.ID])
				}
			}
			sum, err := s.Summary(ctx, fleetwatch.ReportScope{OrganizationID: org.ID, Now: in.now})
			if err != nil {
				t.Fatal(err)
			}
			bySeverity := map[string]int{fleetwatch.SeverityHighlyCritical: sum.SecurityHighlyCritical, fleetwatch.SeverityCritical: sum.SecurityCritical,
				fleetwatch.SeverityModeratelyCritical: sum.SecurityModerately, fleetwatch.SeverityLessCritical: sum.SecurityLessCritical,
				fleetwatch.SeverityNotCritical: sum.SecurityNotCritical}
			for sev, n := range bySeverity {
				want := 0
				if sev == severity {
					want = 2
				}
				if n != want {
					t.Errorf("%s: summary counts %d %s exposures, want %d", step, n, sev, want)
				}
			}
			if sum.SecurityUpdates != 2 {
				t.Errorf("%s: summary counts %d open exposures, want 2", step, sum.SecurityUpdates)
			}
		}
		day := 24 * time.Hour
		check("before the advisory", fleetwatch.SeverityCritical, false, nil, 3*day)

		// The risk of one is accepted for two days: its due date moves by
		// that, and keeps the move whatever comes next.
		accepted := in.exposures(t, fleetwatch.ExposureFilter{SiteID: sites[1].ID})[0]
		acc := &fleetwatch.Acceptance{ExposureID: accepted.ID, Justification: "behind a WAF", AcceptedAt: in.now,
			ExpiresAt: in.now.Add(2 * day), DueShift: 2 * day}
		if err := s.CreateAcceptance(ctx, acc, 0); err != nil {
			t.Fatal(err)
		}
		shift[accepted.ID] = 2 * day
		check("one accepted", fleetwatch.SeverityCritical, false, nil, 3*day)

		// The Drupal Security Team's OSV entry comes first: an id and the
		// fix, no risk. The exposures name it, and stay unknown.
		write("osv.json", `{"id": "DRUPAL-CONTRIB-2026-900", "affected": [{"package": {"ecosystem": "Packagist",
			"name": "drupal/aaa_update_test"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.2.0"}]}]}],
			"references": [{"url": "https://www.drupal.org/sa-contrib-2026-900"}]}`)
		in.now = in.now.Add(time.Minute)
		if res, err := in.feeds.RefreshNow(ctx); err != nil || res.Advisories != 1 || res.Sites != 0 {
			t.Fatalf("refresh with the OSV entry = %+v, %v; want no verdict changed", res, err)
		}
		check("the OSV entry arrived", fleetwatch.SeverityCritical, false, []string{"SA-CONTRIB-2026-900"}, 3*day)

		listing := func(label, vector string) string {
			return fmt.Sprintf(`{"list":[{"type":"sa","nid":"1","title":"AAA Update test - %s - Access bypass - SA-CONTRIB-2026-900",
				"url":"https://www.drupal.org/sa-contrib-2026-900","field_sa_criticality":%q,"field_is_psa":"0",
				"field_project":{"id":"42"},"field_affected_versions":"<1.2.0","created":"1788974270",
				"field_sa_solution":{"value":"<a href=\"/project/aaa_update_test/releases/8.x-1.2\">8.x-1.2</a>"}}]}`, label, vector)
		}
		writeListing(listing("Less critical", "AC:Complex/A:Admin/CI:Some/II:None/E:Theoretical/TD:Uncommon"))
		in.now = in.now.Add(time.Hour)
		if res, err := in.feeds.RefreshNow(ctx); err != nil || res.Advisories != 2 || res.Opened != 0 {
			t.Fatalf("refresh with the advisory = %+v, %v", res, err)
		}
		check("the advisory arrived", fleetwatch.SeverityLessCritical, true, []string{"SA-CONTRIB-2026-900"}, 30*day)

		// Nothing new: no exposure is written again.
		var logged bytes.Buffer
		in.analysis.Logger = slog.New(slog.NewTextHandler(&logged, nil))
		in.now = in.now.Add(time.Minute)
		if n, o, r, err := in.analysis.RecomputeProject(ctx, "aaa_update_test"); err != nil || n+o+r != 0 {
			t.Fatalf("idle recompute = %d changed, %d opened, %d resolved, %v", n, o, r, err)
		}
		if strings.Contains(logged.String(), "open exposures updated") {
			t.Errorf("an idle recompute wrote the exposures again: %s", logged.String())
		}
		in.analysis.Logger = slog.New(slog.DiscardHandler)

		writeListing(listing("Highly critical", "AC:None/A:None/CI:All/II:All/E:Exploit/TD:All"))
		in.now = in.now.Add(time.Hour)
		if res, err := in.feeds.RefreshNow(ctx); err != nil || res.Opened != 0 || res.Resolved != 0 {
			t.Fatalf("refresh with the re-rated advisory = %+v, %v", res, err)
		}
		check("the advisory re-rated", fleetwatch.SeverityHighlyCritical, true, []string{"SA-CONTRIB-2026-900"}, day)

		// A policy change times them again, keeping the acceptance's move.
		policy := fleetwatch.DefaultSLAPolicy(org.ID)
		policy.Deadlines.HighlyCritical = 2
		if err := in.analysis.ApplySLAPolicy(ctx, &policy); err != nil {
			t.Fatal(err)
		}
		check("the policy changed", fleetwatch.SeverityHighlyCritical, true, []string{"SA-CONTRIB-2026-900"}, 2*day)
		// Revoked a day later, it gives back what it had not used.
		in.now = in.now.Add(day)
		if err := s.RevokeAcceptance(ctx, acc.ID, in.now, 0); err != nil {
			t.Fatal(err)
		}
		shift[accepted.ID] = 2*day - acc.ExpiresAt.Sub(in.now.Truncate(time.Microsecond)).Truncate(time.Second)
		check("the acceptance revoked", fleetwatch.SeverityHighlyCritical, true, []string{"SA-CONTRIB-2026-900"}, 2*day)
		policy.Deadlines.HighlyCritical = 1
		if err := in.analysis.ApplySLAPolicy(ctx, &policy); err != nil {
			t.Fatal(err)
		}
		check("the policy changed back", fleetwatch.SeverityHighlyCritical, true, []string{"SA-CONTRIB-2026-900"}, day)

		// An upgrade still resolves it, judged by the due date it has now.
		in.push(t, sites[0].ID, "drupal=8.0.1", "aaa_update_test=8.x-1.2")
		resolved := in.exposures(t, fleetwatch.ExposureFilter{State: fleetwatch.ExposureResolved})
		if len(resolved) != 1 || resolved[0].SLAOutcome == nil || resolved[0].Severity != fleetwatch.SeverityHighlyCritical {
			t.Fatalf("resolved = %+v", resolved)
		}
	})
}

// TestFeeds_AdvisorySourcesMerge reads a mirror of every advisory format:
// what several sources say of one advisory is stored as one, the risk from
// whichever has it, drupal.org's own words over the others'.
func TestFeeds_AdvisorySourcesMerge(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		in := newIntel(t, s, "file://"+filepath.Join("..", "drupal", "testdata", "advisories"))
		res, err := in.feeds.RefreshAdvisories(ctx)
		if err != nil || res.Advisories != 38 {
			t.Fatalf("refresh = %+v, %v", res, err)
		}
		core, err := s.FindAdvisoriesByProject(ctx, "drupal")
		if err != nil {
			t.Fatal(err)
		}
		byID := map[string]*fleetwatch.Advisory{}
		for _, a := range core {
			byID[a.AdvisoryID] = a
		}
		// The Drupal Security Team's OSV entry and FriendsOfPHP's: the risk
		// from FriendsOfPHP, the fixes of both.
		a := byID["SA-CORE-2024-001"]
		if a == nil || a.Severity != fleetwatch.SeverityModeratelyCritical || !strings.Contains(a.Source, "friendsofphp") ||
			!strings.Contains(a.Source, "osv") || !slices.Contains(a.FixedVersions, "10.1.8") || !slices.Contains(a.FixedVersions, "10.2.2") {
			t.Errorf("SA-CORE-2024-001 = %+v", a)
		}
		// Read again: each source is named once.
		if _, err := in.feeds.RefreshAdvisories(ctx); err != nil {
			t.Fatal(err)
		}
		again, err := s.FindAdvisoriesByProject(ctx, "drupal")
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range again {
			if x.AdvisoryID == "SA-CORE-2024-001" && x.Source != a.Source {
				t.Errorf("sources after a second read: %q, want %q", x.Source, a.Source)
			}
		}
		// GitHub's three entries for one advisory.
		a = byID["SA-CORE-2018-006"]
		if a == nil || !strings.Contains(a.Source, "ghsa") || !slices.Contains(a.FixedVersions, "8.5.8") {
			t.Errorf("SA-CORE-2018-006 = %+v", a)
		}
		contrib, err := s.FindAdvisoriesByProject(ctx, "key_auth")
		if err != nil || len(contrib) != 1 || contrib[0].RiskScore == nil || *contrib[0].RiskScore != 13 {
			t.Errorf("key_auth advisories = %+v, %v", contrib, err)
		}
	})
}
