package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// counterWorld plays a random sequence of the writes that change the
// report counters against a store, on a clock of its own.
type counterWorld struct {
	t     *testing.T
	s     *sqlstore.Store
	rng   *rand.Rand
	now   time.Time
	orgs  []*fleetwatch.Organization
	sites []*fleetwatch.Site
	gone  map[int64]bool // deleted sites
	seed  uint64
	step  string
}

var counterSeverities = []string{fleetwatch.SeverityHighlyCritical, fleetwatch.SeverityCritical,
	fleetwatch.SeverityModeratelyCritical, fleetwatch.SeverityLessCritical, fleetwatch.SeverityNotCritical}

// exposure is an exposure detected now, of a random severity, due a few
// days before or after.
func (w *counterWorld) exposure() *fleetwatch.Exposure {
	sev := counterSeverities[w.rng.IntN(len(counterSeverities))]
	due := w.now.Add(time.Duration(w.rng.IntN(12*24)-2*24) * time.Hour)
	return &fleetwatch.Exposure{Severity: sev, SeverityKnown: true, DetectedAt: w.now, ClockStartedAt: w.now, DueAt: due,
		FixedBy: []string{"9.9"}}
}

// Analyze judges "bad" insecure (with an exposure), "old" outdated.
func (w *counterWorld) Analyze(_ context.Context, changes []fleetwatch.ModuleChange) ([]fleetwatch.ModuleVerdict, error) {
	var out []fleetwatch.ModuleVerdict
	for _, c := range changes {
		v := fleetwatch.ModuleVerdict{SiteID: c.SiteID, ModuleID: c.ModuleID, Status: "current"}
		switch c.ToVersion {
		case "":
			continue
		case "old":
			v.Status, v.UpdateAvailable = "not_current", true
		case "bad":
			v.Status, v.UpdateAvailable, v.SecurityUpdate, v.Exposure = "not_secure", true, true, w.exposure()
		}
		out = append(out, v)
	}
	return out, nil
}

// liveSites returns the sites not deleted.
func (w *counterWorld) liveSites() []*fleetwatch.Site {
	var out []*fleetwatch.Site
	for _, s := range w.sites {
		if !w.gone[s.ID] {
			out = append(out, s)
		}
	}
	return out
}

// push applies a random inventory to a random site.
func (w *counterWorld) push() {
	live := w.liveSites()
	if len(live) == 0 {
		return
	}
	site := live[w.rng.IntN(len(live))]
	var pairs []string
	for _, p := range []string{"a", "b", "c", "d"} {
		if v := []string{"", "old", "bad", "1.0", "1.1"}[w.rng.IntN(5)]; v != "" {
			pairs = append(pairs, p+"="+v)
		}
	}
	w.step = fmt.Sprintf("push %v to site %d", pairs, site.ID)
	snap := snapshotOf(site.ID, w.now, pairs...)
	ctx := context.Background()
	l := &fleetwatch.AuditLog{SiteID: site.ID, Kind: fleetwatch.KindInventory, Data: []byte(`{}`)}
	if err := w.s.EnqueueAuditLogs(ctx, []*fleetwatch.AuditLog{l}); err != nil {
		w.t.Fatal(err)
	}
	claimed, err := w.s.ClaimAuditLogs(ctx, 1, w.now)
	if err != nil || len(claimed) != 1 {
		w.t.Fatalf("claim: %v %v", claimed, err)
	}
	if _, err := w.s.ApplySnapshot(ctx, claimed[0], snap, w); err != nil {
		w.t.Fatal(err)
	}
}

// feedChange re-judges every install of a random project, as a feed or
// advisory change does: some become insecure or secure, the severity of
// open exposures may change (alone, as an advisory re-rated).
func (w *counterWorld) feedChange() {
	p := []string{"a", "b", "c", "d"}[w.rng.IntN(4)]
	ctx := context.Background()
	ins, err := w.s.FindProjectInstalls(ctx, p)
	if err != nil {
		w.t.Fatal(err)
	}
	w.step = fmt.Sprintf("feed change of %s (%d installs)", p, len(ins))
	var vs []*fleetwatch.ModuleVerdict
	for _, in := range ins {
		v := &fleetwatch.ModuleVerdict{SiteID: in.SiteID, ModuleID: in.ModuleID, VersionID: in.VersionID}
		switch w.rng.IntN(3) {
		case 0:
			v.Status = "current"
		case 1:
			v.Status, v.UpdateAvailable = "not_current", true
		default:
			policy := fleetwatch.DefaultSLAPolicy(in.OrganizationID)
			v.Status, v.UpdateAvailable, v.SecurityUpdate, v.Exposure, v.SLA = "not_secure", true, true, w.exposure(), &policy
			v.Severity = v.Exposure.Severity
			// An advisory re-rated: the stored verdict stands, only
			// its open exposure changes.
			v.ExposureOnly = in.Status == "not_secure" && w.rng.IntN(2) == 0
		}
		v.Fingerprint = v.Status + "/" + v.Severity
		vs = append(vs, v)
	}
	if _, err := w.s.SaveAnalyses(ctx, vs, w.now); err != nil {
		w.t.Fatal(err)
	}
}

// openExposures returns the ids of the open exposures of live sites.
func (w *counterWorld) openExposures() []int64 {
	es, _, err := w.s.FindExposures(context.Background(), fleetwatch.ExposureFilter{State: fleetwatch.ExposureOpen,
		ListOptions: fleetwatch.ListOptions{PerPage: 1000}})
	if err != nil {
		w.t.Fatal(err)
	}
	ids := make([]int64, len(es))
	for i, e := range es {
		ids[i] = e.ID
	}
	return ids
}

// accept accepts a random open exposure for a few days, or revokes an
// acceptance in force.
func (w *counterWorld) accept() {
	ctx := context.Background()
	ids := w.openExposures()
	if len(ids) == 0 {
		w.step = "no exposure to accept"
		return
	}
	id := ids[w.rng.IntN(len(ids))]
	if a, err := w.s.FindActiveAcceptance(ctx, id, w.now); err == nil {
		w.step = fmt.Sprintf("revoke the acceptance of exposure %d", id)
		if err := w.s.RevokeAcceptance(ctx, a.ID, w.now, 0); err != nil {
			w.t.Fatal(err)
		}
		return
	}
	days := 1 + w.rng.IntN(5)
	w.step = fmt.Sprintf("accept exposure %d for %d days", id, days)
	a := &fleetwatch.Acceptance{ExposureID: id, Justification: "test", AcceptedAt: w.now,
		ExpiresAt: w.now.AddDate(0, 0, days), DueShift: time.Duration(days) * 24 * time.Hour}
	if err := w.s.CreateAcceptance(ctx, a, 0); err != nil {
		w.t.Fatal(err)
	}
}

// policyChange times the open exposures of an organization again.
func (w *counterWorld) policyChange() {
	org := w.orgs[w.rng.IntN(len(w.orgs))]
	days := w.rng.IntN(10)
	w.step = fmt.Sprintf("policy of organization %d: %d days", org.ID, days)
	if _, err := w.s.UpdateOpenExposureClocks(context.Background(), org.ID, w.now, func(in fleetwatch.SLAInput) fleetwatch.SLAClock {
		return fleetwatch.SLAClock{StartedAt: in.DetectedAt, DueAt: in.DetectedAt.AddDate(0, 0, days).Add(in.Paused)}
	}); err != nil {
		w.t.Fatal(err)
	}
}

// churn deletes a site or (rarely) an organization, or adds a site.
func (w *counterWorld) churn() {
	ctx := context.Background()
	live := w.liveSites()
	switch n := w.rng.IntN(10); {
	case n == 0 && len(w.orgs) > 1:
		i := w.rng.IntN(len(w.orgs))
		org := w.orgs[i]
		w.step = fmt.Sprintf("delete organization %d", org.ID)
		if err := w.s.DeleteOrganization(ctx, org.ID, 0); err != nil {
			w.t.Fatal(err)
		}
		w.orgs = slices.Delete(w.orgs, i, i+1)
		for _, s := range w.sites {
			if s.OrganizationID == org.ID {
				w.gone[s.ID] = true
			}
		}
	case n < 5 && len(live) > 2:
		site := live[w.rng.IntN(len(live))]
		w.step = fmt.Sprintf("delete site %d", site.ID)
		if err := w.s.DeleteSite(ctx, site.ID, 0); err != nil {
			w.t.Fatal(err)
		}
		w.gone[site.ID] = true
	default:
		org := w.orgs[w.rng.IntN(len(w.orgs))]
		site := mustCreateSite(w.t, w.s, org.ID, fmt.Sprintf("site%d", len(w.sites)))
		w.step = fmt.Sprintf("add site %d", site.ID)
		w.sites = append(w.sites, site)
	}
}

// scratchExposure is an exposure as the from-scratch figures read it.
type scratchExposure struct {
	org      int64
	severity string
	span     fleetwatch.ExposureSpan
}

// scratch computes, from the base tables alone, every figure of scope org
// (0: the fleet) that the counters serve.
func (w *counterWorld) scratch(org int64, from time.Time) (*fleetwatch.SummaryReport, *fleetwatch.ExposureDays) {
	ctx := context.Background()
	db := w.s.WriterDB()
	r := &fleetwatch.SummaryReport{}
	var c90, w90, c30, w30 int
	var spans []fleetwatch.ExposureSpan
	rows, err := db.QueryContext(ctx, `SELECT e.organization_id, e.severity, e.detected_at, e.due_at, e.resolved_at, COALESCE(e.sla_outcome, '')
		FROM exposures e JOIN sites s ON s.id = e.site_id JOIN organizations o ON o.id = s.organization_id
		WHERE NOT s.is_deleted AND NOT o.is_deleted AND ($1 = 0 OR e.organization_id = $1)`, org)
	if err != nil {
		w.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var x scratchExposure
		var resolved sql.NullTime
		if err := rows.Scan(&x.org, &x.severity, &x.span.DetectedAt, &x.span.DueAt, &resolved, &x.span.Outcome); err != nil {
			w.t.Fatal(err)
		}
		if resolved.Valid {
			x.span.ResolvedAt = &resolved.Time
		}
		spans = append(spans, x.span)
		if x.span.ResolvedAt == nil {
			r.SecurityUpdates++
			switch x.severity {
			case fleetwatch.SeverityHighlyCritical:
				r.SecurityHighlyCritical++
			case fleetwatch.SeverityCritical:
				r.SecurityCritical++
			case fleetwatch.SeverityModeratelyCritical:
				r.SecurityModerately++
			case fleetwatch.SeverityLessCritical:
				r.SecurityLessCritical++
			case fleetwatch.SeverityNotCritical:
				r.SecurityNotCritical++
			}
			if x.span.DueAt.Before(w.now) {
				r.OverdueExposures++
			}
			continue
		}
		within := x.span.Outcome == fleetwatch.SLAWithin
		if !x.span.ResolvedAt.Before(w.now.AddDate(0, 0, -90)) {
			c90, w90 = c90+1, w90+b2i(within)
		}
		if !x.span.ResolvedAt.Before(w.now.AddDate(0, 0, -30)) {
			c30, w30 = c30+1, w30+b2i(within)
		}
	}
	if err := rows.Err(); err != nil {
		w.t.Fatal(err)
	}
	if c30 > 0 {
		r.Compliance30d = ptr(100 * float64(w30) / float64(c30))
	}
	if c90 > 0 {
		r.Compliance90d = ptr(100 * float64(w90) / float64(c90))
	}
	if err := db.QueryRowContext(ctx, `SELECT count(*),
			COALESCE(sum((SELECT count(*) FROM site_modules sm WHERE sm.site_id = s.id AND sm.update_available AND NOT sm.security_update)), 0),
			COALESCE(sum(CASE WHEN EXISTS (SELECT 1 FROM site_modules sm WHERE sm.site_id = s.id AND sm.security_update) THEN 1 ELSE 0 END), 0)
		FROM sites s JOIN organizations o ON o.id = s.organization_id
		WHERE NOT s.is_deleted AND NOT o.is_deleted AND ($1 = 0 OR s.organization_id = $1)`, org).Scan(
		&r.Sites, &r.UpdatesAvailable, &r.SitesWithSecurity); err != nil {
		w.t.Fatal(err)
	}
	return r, fleetwatch.CountExposureDays(spans, from, w.now)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// trendDays is the days of d as a trend reads them, as text: the overdue
// instants as their difference (a trend's overdue figure is the running
// sum of from less that of to: a pair on one day cancels, and the counters
// may leave such a pair out), the days whose counts are all zero left out.
func trendDays(d *fleetwatch.ExposureDays) string {
	norm := func(c [fleetwatch.InstantKinds]int) [fleetwatch.InstantKinds]int {
		c[fleetwatch.InstantOverdueFrom] -= c[fleetwatch.InstantOverdueTo]
		c[fleetwatch.InstantOverdueTo] = 0
		return c
	}
	var out []string
	for day, c := range d.Days {
		if n := norm(*c); n != ([fleetwatch.InstantKinds]int{}) {
			out = append(out, fmt.Sprintf("%s:%v", day, n))
		}
	}
	slices.Sort(out)
	return fmt.Sprintf("before %v; %s", norm(d.Before), strings.Join(out, " "))
}

// check compares every figure the counters serve, for the fleet and each
// organization, with the one computed from scratch.
func (w *counterWorld) check(i int) {
	w.t.Helper()
	ctx := context.Background()
	from := w.now.UTC().Truncate(24*time.Hour).AddDate(0, 0, -40)
	scopes := []int64{0}
	for _, o := range w.orgs {
		scopes = append(scopes, o.ID)
	}
	for _, org := range scopes {
		sc := fleetwatch.ReportScope{OrganizationID: org, Now: w.now, From: from}
		got, err := w.s.Summary(ctx, sc)
		if err != nil {
			w.t.Fatal(err)
		}
		want, wantDays := w.scratch(org, from)
		got.SitesReporting24h, got.StaleSites, got.Projects, got.AcceptedExposures, got.GeneratedAt = 0, 0, 0, 0, ""
		if diff := summaryDiff(got, want); diff != "" {
			w.t.Fatalf("seed %d, step %d (%s), organization %d: summary differs from scratch: %s", w.seed, i, w.step, org, diff)
		}
		days, err := w.s.ExposureTrendDays(ctx, sc)
		if err != nil {
			w.t.Fatal(err)
		}
		if g, w2 := trendDays(days), trendDays(wantDays); g != w2 {
			w.dump()
			w.t.Fatalf("seed %d, step %d (%s), organization %d: trend days\n got %s\nwant %s", w.seed, i, w.step, org, g, w2)
		}
	}
}

// dump logs every exposure.
func (w *counterWorld) dump() {
	rows, err := w.s.WriterDB().Query(`SELECT id, site_id, organization_id, severity, detected_at, due_at, resolved_at, sla_outcome FROM exposures ORDER BY id`)
	if err != nil {
		w.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, site, org int64
		var sev string
		var det, due time.Time
		var res sql.NullTime
		var out sql.NullString
		if err := rows.Scan(&id, &site, &org, &sev, &det, &due, &res, &out); err != nil {
			w.t.Fatal(err)
		}
		w.t.Logf("exposure %d site %d org %d %s detected %v due %v resolved %v %v", id, site, org, sev, det, due, res, out)
	}
	w.t.Logf("now %v", w.now)
}

// summaryDiff says how got and want differ ("" when they do not).
func summaryDiff(got, want *fleetwatch.SummaryReport) string {
	f := func(p *float64) string {
		if p == nil {
			return "nil"
		}
		return fmt.Sprintf("%.6f", *p)
	}
	g := fmt.Sprintf("%+v 30d=%s 90d=%s", *got, f(got.Compliance30d), f(got.Compliance90d))
	ws := fmt.Sprintf("%+v 30d=%s 90d=%s", *want, f(want.Compliance30d), f(want.Compliance90d))
	gc, wc := *got, *want
	gc.Compliance30d, gc.Compliance90d, wc.Compliance30d, wc.Compliance90d = nil, nil, nil, nil
	if gc == wc && f(got.Compliance30d) == f(want.Compliance30d) && f(got.Compliance90d) == f(want.Compliance90d) {
		return ""
	}
	return "\n got " + g + "\nwant " + ws
}

// TestStore_CountersMatchScratch plays a seeded random sequence of pushes,
// feed changes, acceptances and their revocations, SLA policy changes, and
// site and organization deletions and creations over 50 days, and after
// each step compares every report figure the counters serve (the summary's
// sites, updates, open exposures by severity, overdue, compliance; the
// trends' days) for the fleet and each organization with the figures
// computed from the exposures, sites and site_modules alone.
func TestStore_CountersMatchScratch(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("FLEETWATCH_COUNTERS_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("FLEETWATCH_COUNTERS_SEED: %v", err)
		}
		seed = n
	}
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		w := &counterWorld{t: t, s: s, rng: rand.New(rand.NewPCG(seed, 20)), seed: seed, gone: map[int64]bool{},
			now: time.Now().UTC().Add(-50 * 24 * time.Hour).Truncate(time.Second)}
		s.Now = func() time.Time { return w.now }
		for i := range 3 {
			w.orgs = append(w.orgs, mustCreateOrganization(t, s, fmt.Sprintf("org%d", i), 0))
		}
		for i := range 6 {
			w.sites = append(w.sites, mustCreateSite(t, s, w.orgs[i%3].ID, fmt.Sprintf("site%d", i)))
		}
		steps := 120
		if testing.Short() {
			steps = 40
		}
		for i := range steps {
			w.now = w.now.Add(time.Duration(1+w.rng.IntN(18)) * time.Hour)
			switch n := w.rng.IntN(20); {
			case n < 8:
				w.push()
			case n < 11:
				w.feedChange()
			case n < 14:
				w.accept()
			case n < 16:
				w.policyChange()
			case n < 18:
				w.churn()
			default:
				w.step = "compact the counters"
				if err := s.CompactExposureCounters(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			w.check(i)
		}
	})
}
