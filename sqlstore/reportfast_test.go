package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/service"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
	"github.com/google/go-cmp/cmp"
)

// exposureAnalyzer judges "old" outdated and "bad-<severity>-<days>"
// insecure, opening an exposure detected at At and due days later (a
// negative number: already overdue).
type exposureAnalyzer struct{ At time.Time }

func (a *exposureAnalyzer) Analyze(_ context.Context, changes []fleetwatch.ModuleChange) ([]fleetwatch.ModuleVerdict, error) {
	var out []fleetwatch.ModuleVerdict
	for _, c := range changes {
		v := fleetwatch.ModuleVerdict{SiteID: c.SiteID, ModuleID: c.ModuleID, Status: "current"}
		switch {
		case c.ToVersion == "":
			continue
		case c.ToVersion == "old":
			v.Status, v.UpdateAvailable = "not_current", true
		case strings.HasPrefix(c.ToVersion, "bad-"):
			var sev string
			var days int
			parts := strings.Split(c.ToVersion, "-")
			sev = parts[1]
			fmt.Sscan(parts[2], &days)
			v.Status, v.UpdateAvailable, v.SecurityUpdate, v.Severity = "not_secure", true, true, sev
			v.Exposure = &fleetwatch.Exposure{FixedBy: []string{"9.9"}, Severity: sev, SeverityKnown: true,
				DetectedAt: a.At, ClockStartedAt: a.At, DueAt: a.At.AddDate(0, 0, days)}
		}
		out = append(out, v)
	}
	return out, nil
}

// scratchSummary computes the summary the slow way: every row joined with
// its site and organization, nothing from counters or special indexes.
func scratchSummary(t *testing.T, db *sql.DB, sc fleetwatch.ReportScope) *fleetwatch.SummaryReport {
	t.Helper()
	ctx := context.Background()
	where, args := "NOT s.is_deleted AND NOT o.is_deleted", []any{}
	if sc.OrganizationID != 0 {
		args = append(args, sc.OrganizationID)
		where += fmt.Sprintf(" AND s.organization_id = $%d", len(args))
	}
	if sc.SiteID != 0 {
		args = append(args, sc.SiteID)
		where += fmt.Sprintf(" AND s.id = $%d", len(args))
	}
	from := ` JOIN sites s ON s.id = x.site_id JOIN organizations o ON o.id = s.organization_id WHERE ` + where
	count := func(q string, extra ...any) int {
		t.Helper()
		var n int
		if err := db.QueryRowContext(ctx, q, append(append([]any{}, args...), extra...)...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	p := func(i int) string { return fmt.Sprintf("$%d", len(args)+i) }
	r := &fleetwatch.SummaryReport{}
	r.Sites = count(`SELECT count(*) FROM (SELECT id AS site_id FROM sites) x` + from)
	r.SitesReporting24h = count(`SELECT count(*) FROM (SELECT id AS site_id FROM sites) x`+from+` AND s.last_seen_at >= `+fmt.Sprintf("$%d", len(args)+1), sc.Now.Add(-24*time.Hour))
	r.StaleSites = count(`SELECT count(*) FROM (SELECT id AS site_id FROM sites) x`+from+` AND s.is_active AND (s.last_seen_at IS NULL OR s.last_seen_at < `+fmt.Sprintf("$%d", len(args)+1)+`)`, sc.Now.Add(-fleetwatch.StaleAfter))
	r.UpdatesAvailable = count(`SELECT count(*) FROM site_modules x` + from + ` AND x.update_available AND NOT x.security_update`)
	r.Projects = count(`SELECT count(DISTINCT x.module_id) FROM site_modules x` + from)
	r.SitesWithSecurity = count(`SELECT count(DISTINCT x.site_id) FROM site_modules x` + from + ` AND x.security_update`)
	now := sc.Now
	for sev, dst := range map[string]*int{fleetwatch.SeverityHighlyCritical: &r.SecurityHighlyCritical, fleetwatch.SeverityCritical: &r.SecurityCritical,
		fleetwatch.SeverityModeratelyCritical: &r.SecurityModerately, fleetwatch.SeverityLessCritical: &r.SecurityLessCritical, fleetwatch.SeverityNotCritical: &r.SecurityNotCritical} {
		*dst = count(`SELECT count(*) FROM exposures x`+from+` AND x.resolved_at IS NULL AND x.severity = `+p(1), sev)
		r.SecurityUpdates += *dst
	}
	r.OverdueExposures = count(`SELECT count(*) FROM exposures x`+from+` AND x.resolved_at IS NULL AND x.due_at < `+p(1), now)
	r.AcceptedExposures = count(`SELECT count(*) FROM exposures x`+from+` AND x.resolved_at IS NULL AND EXISTS
		(SELECT 1 FROM exposure_acceptances a WHERE a.exposure_id = x.id AND a.revoked_at IS NULL AND a.expires_at > `+p(1)+`)`, now)
	for _, w := range []struct {
		days int
		dst  **float64
	}{{30, &r.Compliance30d}, {90, &r.Compliance90d}} {
		since := now.AddDate(0, 0, -w.days)
		closed := count(`SELECT count(*) FROM exposures x`+from+` AND x.resolved_at >= `+p(1), since)
		within := count(`SELECT count(*) FROM exposures x`+from+` AND x.resolved_at >= `+p(1)+` AND x.sla_outcome = 'within'`, since)
		if closed > 0 {
			pct := 100 * float64(within) / float64(closed)
			*w.dst = &pct
		}
	}
	return r
}

// TestStore_ReportFiguresMatchScratch checks the summary (counters, index
// probes, anti-joins), the security-updates list (its index-first page)
// and the daily rollups against a from-scratch computation, for every
// scope, after ingests, feed changes, closures, acceptances and deletions.
func TestStore_ReportFiguresMatchScratch(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		db := s.WriterDB()
		orgA := mustCreateOrganization(t, s, "A", 0)
		orgB := mustCreateOrganization(t, s, "B", 0)
		orgC := mustCreateOrganization(t, s, "C", 0)
		a1, a2 := mustCreateSite(t, s, orgA.ID, "a1"), mustCreateSite(t, s, orgA.ID, "a2")
		b1, b2 := mustCreateSite(t, s, orgB.ID, "b1"), mustCreateSite(t, s, orgB.ID, "b2")
		c1 := mustCreateSite(t, s, orgC.ID, "c1")
		mustCreateSite(t, s, orgA.ID, "a3 never seen") // stale: active and never pushed
		now := time.Now().UTC().Truncate(time.Second)
		an := &exposureAnalyzer{}
		apply := func(site *fleetwatch.Site, daysAgo int, pairs ...string) {
			t.Helper()
			at := now.Add(-time.Duration(daysAgo)*24*time.Hour - time.Hour)
			an.At = at
			mustApplyWith(t, s, snapshotOf(site.ID, at, pairs...), an)
		}
		// A history over 100 days: exposures opened, closed in time and
		// late, projects updated and dropped.
		apply(a1, 100, "p1=old", "p2=bad-critical-3", "p3=1.0", "p4=bad-highly_critical-1")
		apply(a2, 95, "p1=1.0", "p2=bad-critical-3", "p5=old")
		apply(b1, 80, "p1=old", "p6=bad-less_critical-30", "p7=bad-not_critical-90")
		apply(b2, 70, "p3=old", "p8=bad-moderately_critical-7")
		apply(c1, 60, "p9=bad-critical-3", "p1=old")
		apply(a1, 50, "p1=old", "p2=2.0", "p3=1.0", "p4=bad-highly_critical-1") // p2 closed late
		apply(b1, 45, "p1=1.0", "p6=2.0", "p7=bad-not_critical-90")             // p6 closed in time
		apply(a2, 20, "p2=2.0", "p5=old", "p10=bad-critical-30")                // p1 dropped, p2 closed late
		apply(b2, 10, "p3=2.0", "p8=bad-moderately_critical-7", "p11=bad-highly_critical-40")
		apply(a1, 5, "p1=old", "p3=old", "p4=2.0", "p12=bad-less_critical-60") // p4 closed late
		apply(b1, 2, "p7=2.0", "p1=old")                                       // p7 closed in time
		apply(a1, 1, "p1=old", "p3=old", "p4=bad-highly_critical-1")           // p4 reopened, p12 closed
		apply(b1, 0, "p7=2.0", "p1=old", "p13=bad-critical-3")                 // opened today
		// An out-of-order snapshot changes history, not the present.
		apply(b2, 40, "p3=old", "p8=bad-moderately_critical-7")
		// A feed change: p1 of a1 is now current.
		installs, err := s.FindProjectInstalls(ctx, "p1")
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range installs {
			if in.SiteID == a1.ID {
				if _, err := s.SaveAnalyses(ctx, []*fleetwatch.ModuleVerdict{{SiteID: in.SiteID, ModuleID: in.ModuleID, VersionID: in.VersionID,
					Status: "current", Fingerprint: "feed"}}, now.Add(-24*time.Hour)); err != nil {
					t.Fatal(err)
				}
			}
		}
		// Feed changes as SaveAnalyses writes them, counting the exposures and
		// sites itself (the triggers paused): p1 becomes insecure on every
		// site running it, in three organizations at once; later a fix is
		// out for two of them, one resolved late, one in time. The writes
		// after it (acceptances, deletions) are counted by the triggers
		// again.
		dueDays := map[int64]int{a1.ID: 2, b1.ID: 30, c1.ID: 60}
		installs, err = s.FindProjectInstalls(ctx, "p1")
		if err != nil {
			t.Fatal(err)
		}
		var insecure, fixed []*fleetwatch.ModuleVerdict
		opened := now.AddDate(0, 0, -20)
		for _, in := range installs {
			days, ok := dueDays[in.SiteID]
			if !ok {
				continue
			}
			insecure = append(insecure, &fleetwatch.ModuleVerdict{SiteID: in.SiteID, ModuleID: in.ModuleID, VersionID: in.VersionID,
				Status: "not_secure", UpdateAvailable: true, SecurityUpdate: true, Severity: fleetwatch.SeverityCritical, Fingerprint: "insecure",
				Exposure: &fleetwatch.Exposure{FixedBy: []string{"9.9"}, Severity: fleetwatch.SeverityCritical, SeverityKnown: true,
					DetectedAt: opened, ClockStartedAt: opened, DueAt: opened.AddDate(0, 0, days)}})
			if in.SiteID != c1.ID {
				fixed = append(fixed, &fleetwatch.ModuleVerdict{SiteID: in.SiteID, ModuleID: in.ModuleID, VersionID: in.VersionID,
					Status: "current", Fingerprint: "fixed"})
			}
		}
		if len(insecure) != 3 {
			t.Fatalf("p1 runs on %d of a1, b1, c1", len(insecure))
		}
		if ch, err := s.SaveAnalyses(ctx, insecure, opened); err != nil || len(ch.Opened) != 3 {
			t.Fatalf("feed change opened %d exposures: %v", len(ch.Opened), err)
		}
		if ch, err := s.SaveAnalyses(ctx, fixed, now.AddDate(0, 0, -5)); err != nil || len(ch.Resolved) != 2 {
			t.Fatalf("feed change resolved %d exposures: %v", len(ch.Resolved), err)
		} else if outcomes := *ch.Resolved[0].SLAOutcome + " " + *ch.Resolved[1].SLAOutcome; outcomes != "breached within" {
			t.Fatalf("feed change resolved exposures %s, want one breached and one within (in site order)", outcomes)
		}
		// p4's advisory arrives: a1's exposure, open since yesterday, is rated
		// less critical and timed again (due 30 days after the site was
		// first seen, its detection being earlier), counted by SaveAnalyses
		// as it moves from one severity and due day to others.
		p4, err := s.FindProjectInstalls(ctx, "p4")
		if err != nil || len(p4) != 1 || p4[0].SiteID != a1.ID {
			t.Fatalf("p4 installs: %v, %v", p4, err)
		}
		before, _, err := s.FindExposures(ctx, fleetwatch.ExposureFilter{SiteID: a1.ID, Project: "p4", State: fleetwatch.ExposureOpen, ListOptions: fleetwatch.ListOptions{PerPage: 10}})
		if err != nil || len(before) != 1 || before[0].Severity != fleetwatch.SeverityHighlyCritical {
			t.Fatalf("a1's open p4 exposure: %v, %v", before, err)
		}
		policy := fleetwatch.DefaultSLAPolicy(orgA.ID)
		rated := &fleetwatch.ModuleVerdict{SiteID: a1.ID, ModuleID: p4[0].ModuleID, VersionID: p4[0].VersionID,
			Status: "not_secure", UpdateAvailable: true, SecurityUpdate: true, Severity: fleetwatch.SeverityLessCritical, Fingerprint: "rated",
			Exposure: &fleetwatch.Exposure{FixedBy: []string{"9.9"}, Advisories: []string{"SA-CONTRIB-2026-901"},
				Severity: fleetwatch.SeverityLessCritical, SeverityKnown: true, DetectedAt: now, ClockStartedAt: now, DueAt: now.AddDate(0, 0, 30)},
			SLA: &policy}
		ch, err := s.SaveAnalyses(ctx, []*fleetwatch.ModuleVerdict{rated}, now.Add(-time.Hour))
		if err != nil || ch.Updated != 1 || len(ch.Opened)+len(ch.Resolved) != 0 {
			t.Fatalf("advisory updated %d exposures, opened %d, resolved %d: %v", ch.Updated, len(ch.Opened), len(ch.Resolved), err)
		}
		site, err := s.FindSiteByID(ctx, a1.ID)
		if err != nil || site.FirstSeenAt == nil || !site.FirstSeenAt.After(before[0].DetectedAt) {
			t.Fatalf("a1 first seen at %v, want after %v: %v", site.FirstSeenAt, before[0].DetectedAt, err)
		}
		after, _, err := s.FindExposures(ctx, fleetwatch.ExposureFilter{SiteID: a1.ID, Project: "p4", State: fleetwatch.ExposureOpen, ListOptions: fleetwatch.ListOptions{PerPage: 10}})
		if err != nil || len(after) != 1 || after[0].ID != before[0].ID || after[0].Severity != fleetwatch.SeverityLessCritical ||
			!after[0].DetectedAt.Equal(before[0].DetectedAt) || !after[0].DueAt.Equal(site.FirstSeenAt.Truncate(time.Microsecond).AddDate(0, 0, 30)) ||
			strings.Join(after[0].Advisories, ",") != "SA-CONTRIB-2026-901" {
			t.Fatalf("a1's p4 exposure after its advisory: %+v, %v", after, err)
		}
		// An acceptance, and a revoked one.
		open, _, err := s.FindExposures(ctx, fleetwatch.ExposureFilter{OrganizationID: orgB.ID, State: fleetwatch.ExposureOpen, ListOptions: fleetwatch.ListOptions{PerPage: 10}})
		if err != nil || len(open) < 2 {
			t.Fatalf("open exposures of B: %v %v", open, err)
		}
		for i, e := range open[:2] {
			acc := &fleetwatch.Acceptance{ExposureID: e.ID, Justification: "compensating control", AcceptedAt: now.Add(-time.Hour), ExpiresAt: now.AddDate(0, 0, 10)}
			if err := s.CreateAcceptance(ctx, acc, 0); err != nil {
				t.Fatal(err)
			}
			if i == 1 {
				if err := s.RevokeAcceptance(ctx, acc.ID, now.Add(-time.Minute), 0); err != nil {
					t.Fatal(err)
				}
			}
		}
		// A deleted site and a deleted organization keep their rows.
		if err := s.DeleteSite(ctx, a2.ID, 0); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteOrganization(ctx, orgC.ID, 0); err != nil {
			t.Fatal(err)
		}

		scopes := map[string]fleetwatch.ReportScope{
			"fleet":         {Now: now},
			"organization":  {OrganizationID: orgB.ID, Now: now},
			"site":          {OrganizationID: orgA.ID, SiteID: a1.ID, Now: now},
			"deleted site":  {SiteID: a2.ID, Now: now},
			"deleted org":   {OrganizationID: orgC.ID, Now: now},
			"other org now": {OrganizationID: orgA.ID, Now: now.AddDate(0, 0, 30)},
			// The 30 and 90 days start a minute before the closures (at the
			// time of the ingest).
			"fleet, 30 days cut": {Now: now.AddDate(0, 0, 30).Add(-time.Minute)},
			"fleet, 90 days cut": {Now: now.AddDate(0, 0, 90).Add(-time.Minute)},
		}
		// The counters, as the triggers leave them and folded.
		for _, pass := range []string{"counters as written", "counters compacted"} {
			if pass == "counters compacted" {
				if err := s.CompactExposureCounters(ctx); err != nil {
					t.Fatal(err)
				}
				if err := s.CompactExposureCounters(ctx); err != nil {
					t.Fatal(err)
				}
			}
			for name, sc := range scopes {
				got, err := s.Summary(ctx, sc)
				if err != nil {
					t.Fatal(err)
				}
				want := scratchSummary(t, db, sc)
				got.GeneratedAt = ""
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s: summary differs from the scratch computation (-scratch +summary), %s:\n%s", name, pass, diff)
				}
				if name == "fleet" && (got.SecurityUpdates == 0 || got.AcceptedExposures != 1 || got.Compliance90d == nil || got.OverdueExposures == 0) {
					t.Errorf("the fixture lacks cases: %+v", got)
				}
				// The index-first page equals the joined one, page by page.
				var fast, slow []string
				var fastTotal, slowTotal int
				for page := 1; page <= 4; page++ {
					rows, total, err := s.SecurityUpdates(ctx, sc, fleetwatch.ListOptions{Page: page, PerPage: 2})
					if err != nil {
						t.Fatal(err)
					}
					fastTotal = total
					for _, r := range rows {
						fast = append(fast, r.ExposureUUID+" "+r.SiteName+" "+r.Project+" "+fmt.Sprint(r.AcceptedUntil != nil))
					}
				}
				rows, total, err := s.SecurityUpdates(ctx, sc, fleetwatch.ListOptions{PerPage: 100, Sort: []fleetwatch.SortField{{Field: "project"}}})
				if err != nil {
					t.Fatal(err)
				}
				slowTotal = total
				byUUID := map[string]*fleetwatch.SecurityUpdateRow{}
				for _, r := range rows {
					byUUID[r.ExposureUUID] = r
				}
				sort.Slice(rows, func(i, j int) bool {
					if !rows[i].DueAt.Equal(rows[j].DueAt) {
						return rows[i].DueAt.Before(rows[j].DueAt)
					}
					return false
				})
				for _, r := range rows {
					slow = append(slow, r.ExposureUUID+" "+r.SiteName+" "+r.Project+" "+fmt.Sprint(r.AcceptedUntil != nil))
				}
				if len(slow) > 8 {
					slow = slow[:8]
				}
				if fastTotal != slowTotal || fastTotal != want.SecurityUpdates || !sameSet(fast, slow) {
					t.Errorf("%s: security updates by deadline (%d) %v\nby project (%d) %v\nsummary: %d", name, fastTotal, fast, slowTotal, slow, want.SecurityUpdates)
				}
			}

			// Exposure instants by day: the database's count equals the count
			// of the spans, for each scope and for periods that start after
			// exposures opened and end before some closed.
			for name, sc := range scopes {
				for _, period := range [][2]time.Time{
					{now.AddDate(0, 0, -120).Truncate(24 * time.Hour), now},
					{now.AddDate(0, 0, -60).Truncate(24 * time.Hour), now.AddDate(0, 0, -7).Add(5 * time.Hour)},
				} {
					sc.From, sc.To = period[0], period[1]
					spans, err := s.ExposureSpans(ctx, sc)
					if err != nil {
						t.Fatal(err)
					}
					got, err := s.ExposureDays(ctx, sc)
					if err != nil {
						t.Fatal(err)
					}
					want := fleetwatch.CountExposureDays(spans, sc.From, sc.Now)
					if want.Days == nil {
						want.Days = map[string]*[fleetwatch.InstantKinds]int{}
					}
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("%s from %s: exposure days (-spans +database):\n%s", name, sc.From.Format(time.DateOnly), diff)
					}
					// The counters give every figure of the trend.
					counted, err := s.ExposureTrendDays(ctx, sc)
					if err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff(trendFigures(sc, want), trendFigures(sc, counted)); diff != "" {
						t.Errorf("%s from %s, %s: trend figures (-spans +counters):\n%s", name, sc.From.Format(time.DateOnly), pass, diff)
					}
				}
			}

		}

		// Rollups: each day's outdated count equals the history's.
		r := &service.Reports{Store: s, Now: func() time.Time { return now }}
		if err := r.Rollup(ctx); err != nil {
			t.Fatal(err)
		}
		from, to := now.AddDate(0, 0, -120).Format(time.DateOnly), now.Format(time.DateOnly)
		for _, org := range []int64{0, orgA.ID, orgB.ID} {
			roll, err := s.DailyOutdated(ctx, org, from, to)
			if err != nil {
				t.Fatal(err)
			}
			byDay := map[string]int{}
			for _, d := range roll {
				byDay[d.Day] += d.Outdated
			}
			checked := 0
			for day := now.AddDate(0, 0, -110).Truncate(24 * time.Hour); !day.After(now); day = day.AddDate(0, 0, 1) {
				end := day.AddDate(0, 0, 1)
				if end.After(now) {
					end = now
				}
				q := `SELECT count(*) FROM site_module_history h JOIN sites s ON s.id = h.site_id JOIN organizations o ON o.id = s.organization_id
					WHERE NOT s.is_deleted AND NOT o.is_deleted AND h.status = 'not_current' AND h.valid_from < $1 AND (h.valid_to IS NULL OR h.valid_to >= $1)`
				args := []any{end}
				if org != 0 {
					q += ` AND s.organization_id = $2`
					args = append(args, org)
				}
				var want int
				if err := db.QueryRowContext(ctx, q, args...).Scan(&want); err != nil {
					t.Fatal(err)
				}
				if got := byDay[day.Format(time.DateOnly)]; got != want {
					t.Errorf("organization %d, %s: rollup %d outdated, history %d", org, day.Format(time.DateOnly), got, want)
				}
				checked += want
			}
			if checked == 0 {
				t.Errorf("organization %d: no outdated updates in the fixture", org)
			}
		}
	})
}

// trendFigures are the figures a trend takes from exposure days: for each
// day of the period, the open, new, resolved, resolved within and overdue
// exposures.
func trendFigures(sc fleetwatch.ReportScope, d *fleetwatch.ExposureDays) []string {
	var out []string
	cum := d.Before
	for day := sc.From; day.Before(sc.To) && day.Before(sc.Now); day = day.AddDate(0, 0, 1) {
		key := day.Format(time.DateOnly)
		start := cum
		if c := d.Days[key]; c != nil {
			for k := range cum {
				cum[k] += c[k]
			}
		}
		out = append(out, fmt.Sprintf("%s open %d new %d resolved %d within %d overdue %d", key,
			cum[fleetwatch.InstantDetected]-cum[fleetwatch.InstantResolved],
			cum[fleetwatch.InstantDetected]-start[fleetwatch.InstantDetected],
			cum[fleetwatch.InstantResolved]-start[fleetwatch.InstantResolved],
			cum[fleetwatch.InstantResolvedWithin]-start[fleetwatch.InstantResolvedWithin],
			cum[fleetwatch.InstantOverdueFrom]-cum[fleetwatch.InstantOverdueTo]))
	}
	return out
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	a, b = append([]string{}, a...), append([]string{}, b...)
	sort.Strings(a)
	sort.Strings(b)
	return cmp.Equal(a, b)
}
