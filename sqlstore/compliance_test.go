package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
	"github.com/google/go-cmp/cmp"
)

// TestStore_ComplianceFacts checks what the SLA compliance report reads,
// the closures of a period and the open breaches by site, against the rows
// written, for the fleet, an organization and a site: closures outside the
// period, open exposures not yet due, deleted sites and the sites of a
// deleted organization are left out.
func TestStore_ComplianceFacts(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		orgA := mustCreateOrganization(t, s, "A", 0)
		orgB := mustCreateOrganization(t, s, "B", 0)
		orgGone := mustCreateOrganization(t, s, "Gone", 0)
		a1, a2 := mustCreateSite(t, s, orgA.ID, "a1"), mustCreateSite(t, s, orgA.ID, "a2")
		b1 := mustCreateSite(t, s, orgB.ID, "b1")
		bDeleted := mustCreateSite(t, s, orgB.ID, "b deleted")
		gone1 := mustCreateSite(t, s, orgGone.ID, "gone1")
		now := time.Now().UTC().Truncate(time.Second)
		from, to := now.AddDate(0, 0, -90), now

		type exposure struct {
			site            *fleetwatch.Site
			started         time.Time
			due             time.Time
			resolved        *time.Time
			outcome         string
			inPeriod, shown bool
		}
		days := func(n int) time.Time { return now.AddDate(0, 0, -n) }
		closed := func(site *fleetwatch.Site, startedDaysAgo, resolvedDaysAgo int, outcome string) exposure {
			return exposure{site: site, started: days(startedDaysAgo), due: days(startedDaysAgo).AddDate(0, 0, 3),
				resolved: ptr(days(resolvedDaysAgo)), outcome: outcome}
		}
		open := func(site *fleetwatch.Site, startedDaysAgo, dueInDays int) exposure {
			return exposure{site: site, started: days(startedDaysAgo), due: days(startedDaysAgo).AddDate(0, 0, dueInDays)}
		}
		es := []exposure{
			closed(a1, 10, 9, fleetwatch.SLAWithin),
			closed(a1, 30, 20, fleetwatch.SLABreached),
			closed(a1, 200, 100, fleetwatch.SLABreached), // before the period
			closed(a2, 89, 89, fleetwatch.SLAWithin),
			closed(b1, 5, 1, fleetwatch.SLABreached),
			closed(bDeleted, 5, 1, fleetwatch.SLAWithin),
			closed(gone1, 5, 1, fleetwatch.SLAWithin),
			open(a1, 10, 3),  // breached
			open(a1, 12, 3),  // breached
			open(a2, 1, 30),  // not due yet
			open(b1, 100, 1), // breached
			open(bDeleted, 10, 1),
			open(gone1, 10, 1),
		}
		// A project per exposure: a site has one open exposure per project.
		var modules, rows [][]any
		for i, e := range es {
			modules = append(modules, []any{i + 1, fmt.Sprintf("p%d", i+1), "https://www.drupal.org/project/p", "module", "drupal.org", now, now})
			var outcome any
			if e.outcome != "" {
				outcome = e.outcome
			}
			var resolved any
			if e.resolved != nil {
				resolved = *e.resolved
			}
			rows = append(rows, []any{fmt.Sprintf("00000000-0000-4000-8000-%012d", i), e.site.ID, i + 1, e.site.OrganizationID, "1.0", `["2.0"]`,
				fleetwatch.SeverityCritical, e.started, e.started, e.due, resolved, outcome, e.started, e.started})
		}
		if err := s.BulkInsert(ctx, "modules", []string{"id", "module_name", "drupal_link", "type", "source", "created_at", "updated_at"}, modules); err != nil {
			t.Fatal(err)
		}
		if err := s.BulkInsert(ctx, "exposures", []string{"uuid", "site_id", "module_id", "organization_id", "installed_version", "fixed_by",
			"severity", "detected_at", "clock_started_at", "due_at", "resolved_at", "sla_outcome", "created_at", "updated_at"}, rows); err != nil {
			t.Fatal(err)
		}
		for _, q := range []struct {
			sql string
			id  int64
		}{{`UPDATE sites SET is_deleted = $1 WHERE id = $2`, bDeleted.ID}, {`UPDATE organizations SET is_deleted = $1 WHERE id = $2`, orgGone.ID}} {
			if _, err := s.WriterDB().ExecContext(ctx, q.sql, true, q.id); err != nil {
				t.Fatal(err)
			}
		}

		names := map[int64][2]string{orgA.ID: {orgA.UUID, orgA.Name}, orgB.ID: {orgB.UUID, orgB.Name}}
		visible := func(site *fleetwatch.Site) bool { return site.ID != bDeleted.ID && site.OrganizationID != orgGone.ID }
		outcome := func(site *fleetwatch.Site) fleetwatch.ExposureOutcome {
			return fleetwatch.ExposureOutcome{OrganizationUUID: names[site.OrganizationID][0], OrganizationName: names[site.OrganizationID][1],
				SiteUUID: site.UUID, SiteName: site.Name}
		}
		key := func(o fleetwatch.ExposureOutcome) string {
			return fmt.Sprintf("%s %s %s %d", o.SiteUUID, o.ClockStartedAt.Format(time.RFC3339), o.Outcome, o.Count)
		}
		for _, sc := range []struct {
			name  string
			scope fleetwatch.ReportScope
			in    func(*fleetwatch.Site) bool
		}{
			{"fleet", fleetwatch.ReportScope{}, func(*fleetwatch.Site) bool { return true }},
			{"organization", fleetwatch.ReportScope{OrganizationID: orgA.ID}, func(s *fleetwatch.Site) bool { return s.OrganizationID == orgA.ID }},
			{"site", fleetwatch.ReportScope{SiteID: b1.ID}, func(s *fleetwatch.Site) bool { return s.ID == b1.ID }},
			{"deleted site", fleetwatch.ReportScope{SiteID: bDeleted.ID}, func(s *fleetwatch.Site) bool { return s.ID == bDeleted.ID }},
		} {
			t.Run(sc.name, func(t *testing.T) {
				scope := sc.scope
				scope.From, scope.To, scope.Now = from, to, now
				var want, got []fleetwatch.ExposureOutcome
				breaches := map[int64]int{}
				for _, e := range es {
					if !visible(e.site) || !sc.in(e.site) {
						continue
					}
					if e.resolved != nil && !e.resolved.Before(from) && e.resolved.Before(to) {
						o := outcome(e.site)
						o.ClockStartedAt, o.ResolvedAt, o.Outcome = e.started, e.resolved, e.outcome
						want = append(want, o)
					}
					if e.resolved == nil && e.due.Before(now) {
						breaches[e.site.ID]++
					}
				}
				if err := s.ResolvedExposures(ctx, scope, func(o *fleetwatch.ExposureOutcome) error {
					c := *o // the row is reused
					if o.ResolvedAt != nil {
						c.ResolvedAt = ptr(*o.ResolvedAt)
					}
					got = append(got, c)
					return nil
				}); err != nil {
					t.Fatal(err)
				}
				byKey := func(a, b fleetwatch.ExposureOutcome) int { return strings.Compare(key(a), key(b)) }
				slices.SortFunc(want, byKey)
				slices.SortFunc(got, byKey)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("resolved exposures (-want +got):\n%s", diff)
				}

				want = nil
				for _, site := range []*fleetwatch.Site{a1, a2, b1, bDeleted, gone1} {
					if n := breaches[site.ID]; n > 0 {
						o := outcome(site)
						o.Count = n
						want = append(want, o)
					}
				}
				got, err := s.OpenBreaches(ctx, scope)
				if err != nil {
					t.Fatal(err)
				}
				slices.SortFunc(want, byKey)
				slices.SortFunc(got, byKey)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("open breaches (-want +got):\n%s", diff)
				}
			})
		}
	})
}
