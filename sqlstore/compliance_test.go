package sqlstore_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestStore_ComplianceFacts checks what the SLA compliance report reads,
// the organizations and sites named, the closures of a period and the open
// breaches, against the rows written, for the fleet, an organization and a
// site: closures outside the period and open exposures not yet due are left
// out, and so are deleted sites and the sites of a deleted organization
// from the sites named.
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

		visible := func(site *fleetwatch.Site) bool { return site.ID != bDeleted.ID && site.OrganizationID != orgGone.ID }
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
				want := &fleetwatch.ComplianceFacts{}
				for _, o := range []*fleetwatch.Organization{orgA, orgB} {
					if sc.scope.OrganizationID == 0 && sc.scope.SiteID == 0 || sc.scope.OrganizationID == o.ID ||
						sc.scope.SiteID == b1.ID && o.ID == orgB.ID || sc.scope.SiteID == bDeleted.ID && o.ID == orgB.ID {
						want.Organizations = append(want.Organizations, fleetwatch.ComplianceOrganization{ID: o.ID, UUID: o.UUID, Name: o.Name})
					}
				}
				for _, site := range []*fleetwatch.Site{a1, a2, b1, bDeleted, gone1} {
					if visible(site) && sc.in(site) {
						want.Sites = append(want.Sites, fleetwatch.ComplianceSite{ID: site.ID, OrganizationID: site.OrganizationID, UUID: site.UUID, Name: site.Name})
					}
				}
				for _, e := range es {
					// Deleted sites' too, the sites named leave them out;
					// none without a site named.
					if !sc.in(e.site) || len(want.Sites) == 0 {
						continue
					}
					if e.resolved != nil && !e.resolved.Before(from) && e.resolved.Before(to) {
						want.Closures = append(want.Closures, fleetwatch.Closure{SiteID: e.site.ID, ClockStartedAt: e.started, ResolvedAt: *e.resolved,
							Within: e.outcome == fleetwatch.SLAWithin})
					}
					if e.resolved == nil && e.due.Before(now) {
						want.Breaches = append(want.Breaches, e.site.ID)
					}
				}
				got, err := s.ComplianceFacts(ctx, scope)
				if err != nil {
					t.Fatal(err)
				}
				// In no order.
				slices.SortFunc(got.Organizations, func(a, b fleetwatch.ComplianceOrganization) int { return cmp.Compare(a.ID, b.ID) })
				slices.SortFunc(got.Sites, func(a, b fleetwatch.ComplianceSite) int { return cmp.Compare(a.ID, b.ID) })
				slices.Sort(got.Breaches)
				slices.Sort(want.Breaches)
				byStart := func(a, b fleetwatch.Closure) int { return a.ClockStartedAt.Compare(b.ClockStartedAt) }
				slices.SortFunc(got.Closures, byStart)
				slices.SortFunc(want.Closures, byStart)
				if diff := gocmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("compliance facts (-want +got):\n%s", diff)
				}
			})
		}
	})
}
