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
)

func TestStore_PlatformSites(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		acme := mustCreateOrganization(t, s, "Acme", 0)
		beta := mustCreateOrganization(t, s, "Beta", 0)
		create := func(orgID int64, name, core, php string, active bool) *fleetwatch.Site {
			site := &fleetwatch.Site{OrganizationID: orgID, Name: name, URL: "https://" + name + ".example", IsActive: active, CoreVersion: core, PHPVersion: php}
			if err := s.CreateSite(ctx, site, 0); err != nil {
				t.Fatal(err)
			}
			return site
		}
		a1 := create(acme.ID, "a1", "10.3.6", "8.1.27", true)
		create(acme.ID, "silent", "", "", true)
		create(acme.ID, "inactive", "10.3.6", "8.1.27", false)
		b1 := create(beta.ID, "b1", "", "7.4.33", true)
		gone := create(beta.ID, "gone", "9.5.0", "8.0.1", true)
		if err := s.DeleteSite(ctx, gone.ID, 0); err != nil {
			t.Fatal(err)
		}
		names := func(ps []*fleetwatch.PlatformSite) (out []string) {
			for _, p := range ps {
				out = append(out, p.OrganizationName+"/"+p.Name+"/"+p.CoreVersion+"/"+p.PHPVersion)
			}
			return out
		}
		for _, tc := range []struct {
			org, site int64
			want      []string
		}{
			{0, 0, []string{"Acme/a1/10.3.6/8.1.27", "Beta/b1//7.4.33"}},
			{beta.ID, 0, []string{"Beta/b1//7.4.33"}},
			{0, a1.ID, []string{"Acme/a1/10.3.6/8.1.27"}},
			{beta.ID, a1.ID, nil},
		} {
			got, err := s.PlatformSites(ctx, tc.org, tc.site)
			if err != nil {
				t.Fatal(err)
			}
			if g := names(got); len(g) != len(tc.want) || (len(g) > 0 && g[0] != tc.want[0]) || (len(g) > 1 && g[1] != tc.want[1]) {
				t.Errorf("PlatformSites(%d, %d) = %v, want %v", tc.org, tc.site, g, tc.want)
			}
		}
		if got, _ := s.PlatformSites(ctx, 0, b1.ID); len(got) != 1 || got[0].UUID != b1.UUID || got[0].OrganizationUUID != beta.UUID || got[0].URL != b1.URL {
			t.Errorf("PlatformSites(b1) = %+v", got)
		}
	})
}

func TestStore_ClaimPlatformNotices(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		o := mustCreateOrganization(t, s, "Acme", 0)
		site := mustCreateSite(t, s, o.ID, "a")
		now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
		soon := fleetwatch.PlatformNotice{SiteID: site.ID, Product: fleetwatch.PlatformPHP, Cycle: "8.2", Milestone: fleetwatch.PlatformMilestoneEndsSoon, CreatedAt: now}
		ended := soon
		ended.Milestone = fleetwatch.PlatformMilestoneEnded
		got, err := s.ClaimPlatformNotices(ctx, []fleetwatch.PlatformNotice{soon})
		if err != nil || len(got) != 1 {
			t.Fatalf("first claim = %v, %v", got, err)
		}
		got, err = s.ClaimPlatformNotices(ctx, []fleetwatch.PlatformNotice{soon, ended})
		if err != nil || len(got) != 1 || got[0].Milestone != fleetwatch.PlatformMilestoneEnded {
			t.Fatalf("second claim = %+v, %v; want only the ended milestone", got, err)
		}
		if got, err = s.ClaimPlatformNotices(ctx, []fleetwatch.PlatformNotice{soon, ended}); err != nil || len(got) != 0 {
			t.Fatalf("third claim = %+v, %v; want none", got, err)
		}
		// Another cycle is another notice.
		next := soon
		next.Cycle = "8.3"
		if got, err = s.ClaimPlatformNotices(ctx, []fleetwatch.PlatformNotice{next}); err != nil || len(got) != 1 {
			t.Fatalf("new cycle claim = %+v, %v", got, err)
		}
		// A fleet's first announcement: more notices than one statement
		// holds, claimed once each, whatever repeats them.
		var many []fleetwatch.PlatformNotice
		for i := range 700 {
			n := soon
			n.Cycle = fmt.Sprintf("7.%d", i)
			many = append(many, n)
		}
		byCycle := func(a, b fleetwatch.PlatformNotice) int { return strings.Compare(a.Cycle, b.Cycle) }
		for _, claim := range []struct{ notices, want []fleetwatch.PlatformNotice }{
			{append(many[:400:400], many[0]), many[:400]},
			{many, many[400:]},
		} {
			got, err := s.ClaimPlatformNotices(ctx, claim.notices)
			if err != nil {
				t.Fatal(err)
			}
			slices.SortFunc(got, byCycle)
			want := slices.SortedFunc(slices.Values(claim.want), byCycle)
			if !slices.Equal(got, want) {
				t.Fatalf("claim of %d notices returned %d, want the %d not claimed before", len(claim.notices), len(got), len(want))
			}
		}
		// A notice of an unknown site changes nothing.
		bad := soon
		bad.SiteID = 999999
		if _, err := s.ClaimPlatformNotices(ctx, []fleetwatch.PlatformNotice{next, bad}); err == nil {
			t.Fatal("claim for an unknown site: no error")
		}
	})
}
