package sqlstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
	"github.com/google/go-cmp/cmp"
)

func TestStore_CreateSite(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		member := mustCreateUser(t, s, "member@example.com", 0, fleetwatch.RoleAdmin)
		org := mustCreateOrganization(t, s, "Acme", 0)

		t.Run("OK", func(t *testing.T) {
			first := time.Date(2026, 1, 2, 3, 4, 5, 600_000_000, time.UTC)
			last := time.Date(2026, 11, 25, 10, 0, 0, 1000, time.FixedZone("", 5*3600+1800))
			site := &fleetwatch.Site{
				URL: "https://www.acme.example", Name: "Acme", Description: "Main site",
				OrganizationID: org.ID, IsActive: true, FirstSeenAt: &first, LastSeenAt: &last,
				CoreVersion: "10.3.6", PHPVersion: "8.3.1",
			}
			if err := s.CreateSite(ctx, site, member.ID); err != nil {
				t.Fatal(err)
			}
			if site.ID == 0 || len(site.UUID) != 36 || site.OrganizationUUID != org.UUID {
				t.Fatalf("ID, UUID, OrganizationUUID = %d, %q, %q", site.ID, site.UUID, site.OrganizationUUID)
			}
			if site.CreatedBy == nil || *site.CreatedBy != member.UUID || site.UpdatedBy == nil || *site.UpdatedBy != member.UUID {
				t.Errorf("CreatedBy, UpdatedBy = %v, %v", site.CreatedBy, site.UpdatedBy)
			}
			if !site.FirstSeenAt.Equal(first) || !site.LastSeenAt.Equal(last) || site.LastSeenAt.Location() != time.UTC {
				t.Errorf("FirstSeenAt, LastSeenAt = %v, %v", site.FirstSeenAt, site.LastSeenAt)
			}
			for name, find := range map[string]func() (*fleetwatch.Site, error){
				"ByUUID": func() (*fleetwatch.Site, error) { return s.FindSiteByUUID(ctx, site.UUID) },
				"ByID":   func() (*fleetwatch.Site, error) { return s.FindSiteByID(ctx, site.ID) },
			} {
				got, err := find()
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if diff := cmp.Diff(site, got); diff != "" {
					t.Errorf("%s (-created +found):\n%s", name, diff)
				}
			}
		})

		t.Run("NeverSeen", func(t *testing.T) {
			site := mustCreateSite(t, s, org.ID, "new")
			if site.FirstSeenAt != nil || site.LastSeenAt != nil || site.CreatedBy != nil {
				t.Errorf("site = %+v", site)
			}
		})

		t.Run("ErrNotFound", func(t *testing.T) {
			err := s.CreateSite(ctx, &fleetwatch.Site{URL: "https://x", Name: "x", OrganizationID: 9999}, 0)
			wantCode(t, err, fleetwatch.ENOTFOUND)
			err = s.CreateSite(ctx, &fleetwatch.Site{URL: "https://x", Name: "x"}, 0)
			wantCode(t, err, fleetwatch.ENOTFOUND)
		})
	})
}

func TestStore_FindSite_ErrNotFound(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		_, err := s.FindSiteByUUID(ctx, "nope")
		wantCode(t, err, fleetwatch.ENOTFOUND)
		if msg := fleetwatch.ErrorMessage(err); msg != "Site not found." {
			t.Errorf("message = %q", msg)
		}
		_, err = s.FindSiteByID(ctx, 1)
		wantCode(t, err, fleetwatch.ENOTFOUND)
	})
}

func TestStore_UpdateSite(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		editor := mustCreateUser(t, s, "editor@example.com", 0, fleetwatch.RoleAdmin)
		org := mustCreateOrganization(t, s, "Acme", 0)
		site := mustCreateSite(t, s, org.ID, "acme")

		t.Run("OK", func(t *testing.T) {
			got, err := s.UpdateSite(ctx, site.ID, fleetwatch.SiteUpdate{
				URL: ptr("https://new.example"), Name: ptr("New"), Description: ptr("d"), IsActive: ptr(false),
			}, editor.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := *site
			want.URL, want.Name, want.Description, want.IsActive = "https://new.example", "New", "d", false
			want.UpdatedBy = &editor.UUID
			if diff := cmp.Diff(&want, got, cmpIgnoreUpdatedAt); diff != "" {
				t.Errorf("UpdateSite (-want +got):\n%s", diff)
			}
			found, err := s.FindSiteByID(ctx, site.ID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(got, found); diff != "" {
				t.Errorf("FindSiteByID (-updated +found):\n%s", diff)
			}
		})

		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := s.UpdateSite(ctx, 9999, fleetwatch.SiteUpdate{Name: ptr("x")}, 0)
			wantCode(t, err, fleetwatch.ENOTFOUND)
		})
	})
}

func TestStore_DeleteSite(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		org := mustCreateOrganization(t, s, "Acme", 0)
		site := mustCreateSite(t, s, org.ID, "acme")
		kept := mustCreateSite(t, s, org.ID, "kept")
		if err := s.DeleteSite(ctx, site.ID, 0); err != nil {
			t.Fatal(err)
		}
		_, err := s.FindSiteByID(ctx, site.ID)
		wantCode(t, err, fleetwatch.ENOTFOUND)
		_, err = s.FindSiteByUUID(ctx, site.UUID)
		wantCode(t, err, fleetwatch.ENOTFOUND)
		_, err = s.UpdateSite(ctx, site.ID, fleetwatch.SiteUpdate{Name: ptr("x")}, 0)
		wantCode(t, err, fleetwatch.ENOTFOUND)
		wantCode(t, s.DeleteSite(ctx, site.ID, 0), fleetwatch.ENOTFOUND)
		sites, total, err := s.FindSites(ctx, fleetwatch.SiteFilter{URL: site.URL})
		if err != nil || total != 0 || len(sites) != 0 {
			t.Errorf("FindSites(URL of deleted) = %v, %d, %v", sites, total, err)
		}
		if _, err := s.FindSiteByID(ctx, kept.ID); err != nil {
			t.Error(err)
		}
	})
}

func TestStore_FindSites(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		acme := mustCreateOrganization(t, s, "Acme", 0)
		other := mustCreateOrganization(t, s, "Other", 0)
		for _, n := range []string{"gamma", "Alpha", "beta"} {
			mustCreateSite(t, s, acme.ID, n)
		}
		seen := time.Now().UTC()
		special := &fleetwatch.Site{URL: "https://shop.example/100%_off", Name: "Shop", Description: `Sale: 50% off C:\temp`,
			OrganizationID: other.ID, IsActive: false, LastSeenAt: &seen}
		if err := s.CreateSite(ctx, special, 0); err != nil {
			t.Fatal(err)
		}

		tests := []struct {
			name  string
			f     fleetwatch.SiteFilter
			want  []string
			total int
		}{
			{"DefaultSortByName", fleetwatch.SiteFilter{}, []string{"Alpha", "beta", "gamma", "Shop"}, 4},
			{"Organization", fleetwatch.SiteFilter{OrganizationID: acme.ID, ListOptions: fleetwatch.ListOptions{PerPage: 2, Page: 2}}, []string{"gamma"}, 3},
			{"URLDesc", fleetwatch.SiteFilter{ListOptions: fleetwatch.ListOptions{PerPage: 2, Sort: []fleetwatch.SortField{{Field: "url", Desc: true}}}}, []string{"Shop", "gamma"}, 4},
			{"LastSeenDesc", fleetwatch.SiteFilter{ListOptions: fleetwatch.ListOptions{PerPage: 2, Sort: []fleetwatch.SortField{{Field: "last_seen_at", Desc: true}}}}, []string{"Shop", "beta"}, 4},
			{"LastSeenAscNullsLast", fleetwatch.SiteFilter{ListOptions: fleetwatch.ListOptions{Sort: []fleetwatch.SortField{{Field: "last_seen_at"}}}}, []string{"Shop", "gamma", "Alpha", "beta"}, 4},
			{"CreatedAtDesc", fleetwatch.SiteFilter{ListOptions: fleetwatch.ListOptions{Sort: []fleetwatch.SortField{{Field: "created_at", Desc: true}}}}, []string{"Shop", "beta", "Alpha", "gamma"}, 4},
			{"Inactive", fleetwatch.SiteFilter{IsActive: ptr(false)}, []string{"Shop"}, 1},
			{"Active", fleetwatch.SiteFilter{IsActive: ptr(true)}, []string{"Alpha", "beta", "gamma"}, 3},
			{"URL", fleetwatch.SiteFilter{URL: "https://beta.example"}, []string{"beta"}, 1},
			{"QURL", fleetwatch.SiteFilter{ListOptions: fleetwatch.ListOptions{Q: "ALPHA.EXAMPLE"}}, []string{"Alpha"}, 1},
			{"QDescription", fleetwatch.SiteFilter{ListOptions: fleetwatch.ListOptions{Q: "sale"}}, []string{"Shop"}, 1},
			{"QPercent", fleetwatch.SiteFilter{ListOptions: fleetwatch.ListOptions{Q: "0%"}}, []string{"Shop"}, 1},
			{"QUnderscore", fleetwatch.SiteFilter{ListOptions: fleetwatch.ListOptions{Q: "%_"}}, []string{"Shop"}, 1},
			{"QBackslash", fleetwatch.SiteFilter{ListOptions: fleetwatch.ListOptions{Q: `C:\t`}}, []string{"Shop"}, 1},
			{"QNoMatch", fleetwatch.SiteFilter{ListOptions: fleetwatch.ListOptions{Q: "a_p"}}, []string{}, 0},
			{"QInjection", fleetwatch.SiteFilter{ListOptions: fleetwatch.ListOptions{Q: "'; DROP TABLE sites; --"}}, []string{}, 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				sites, total, err := s.FindSites(ctx, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				got := []string{}
				for _, site := range sites {
					got = append(got, site.Name)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" || total != tt.total {
					t.Errorf("total = %d, want %d; names (-want +got):\n%s", total, tt.total, diff)
				}
			})
		}

		t.Run("EverySortField", func(t *testing.T) {
			for _, f := range fleetwatch.SiteSortFields {
				if _, _, err := s.FindSites(ctx, fleetwatch.SiteFilter{ListOptions: fleetwatch.ListOptions{
					Sort: []fleetwatch.SortField{{Field: f}}}}); err != nil {
					t.Errorf("sort %s: %v", f, err)
				}
			}
			_, _, err := s.FindSites(ctx, fleetwatch.SiteFilter{ListOptions: fleetwatch.ListOptions{Sort: []fleetwatch.SortField{{Field: "is_deleted"}}}})
			wantCode(t, err, fleetwatch.EINTERNAL)
		})
	})
}

// TestStore_ConcurrentWrites checks that writers do not fail with
// SQLITE_BUSY (or anything else) when many write at once.
func TestStore_ConcurrentWrites(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		org := mustCreateOrganization(t, s, "Acme", 0)
		const n = 20
		var wg sync.WaitGroup
		errs := make(chan error, 2*n)
		for i := range n {
			wg.Go(func() {
				site := &fleetwatch.Site{Name: fmt.Sprintf("site-%02d", i), URL: fmt.Sprintf("https://%d.example", i), OrganizationID: org.ID}
				if err := s.CreateSite(ctx, site, 0); err != nil {
					errs <- err
					return
				}
				if _, err := s.UpdateSite(ctx, site.ID, fleetwatch.SiteUpdate{Description: ptr("updated")}, 0); err != nil {
					errs <- err
				}
			})
			// Readers run meanwhile.
			wg.Go(func() {
				if _, _, err := s.FindSites(ctx, fleetwatch.SiteFilter{OrganizationID: org.ID}); err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		sites, total, err := s.FindSites(ctx, fleetwatch.SiteFilter{OrganizationID: org.ID, ListOptions: fleetwatch.ListOptions{PerPage: 100}})
		if err != nil {
			t.Fatal(err)
		}
		if total != n || len(sites) != n {
			t.Fatalf("total = %d, len = %d, want %d", total, len(sites), n)
		}
		for _, site := range sites {
			if site.Description != "updated" {
				t.Errorf("%s: Description = %q", site.Name, site.Description)
			}
		}
	})
}
