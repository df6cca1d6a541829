package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
	"github.com/google/go-cmp/cmp"
)

func TestStore_CreateOrganization(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		admin := mustCreateUser(t, s, "admin@example.com", 0, fleetwatch.RoleAdmin)

		t.Run("OK", func(t *testing.T) {
			before := time.Now().UTC().Add(-time.Second)
			o := &fleetwatch.Organization{Name: "Acme", TaxID: "DE123", IsActive: true}
			if err := s.CreateOrganization(ctx, o, admin.ID); err != nil {
				t.Fatal(err)
			}
			if o.ID == 0 || len(o.UUID) != 36 {
				t.Fatalf("ID, UUID = %d, %q", o.ID, o.UUID)
			}
			if o.CreatedAt.Before(before) || o.CreatedAt.Location() != time.UTC || !o.UpdatedAt.Equal(o.CreatedAt) {
				t.Errorf("CreatedAt, UpdatedAt = %v, %v", o.CreatedAt, o.UpdatedAt)
			}
			if o.CreatedBy == nil || *o.CreatedBy != admin.UUID || o.UpdatedBy == nil || *o.UpdatedBy != admin.UUID {
				t.Errorf("CreatedBy, UpdatedBy = %v, %v, want %s", o.CreatedBy, o.UpdatedBy, admin.UUID)
			}
			byUUID, err := s.FindOrganizationByUUID(ctx, o.UUID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(o, byUUID); diff != "" {
				t.Errorf("FindOrganizationByUUID (-created +found):\n%s", diff)
			}
			byID, err := s.FindOrganizationByID(ctx, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(o, byID); diff != "" {
				t.Errorf("FindOrganizationByID (-created +found):\n%s", diff)
			}
		})

		t.Run("NoCreator", func(t *testing.T) {
			o := &fleetwatch.Organization{Name: "Nobody's"}
			if err := s.CreateOrganization(ctx, o, 0); err != nil {
				t.Fatal(err)
			}
			if o.CreatedBy != nil || o.UpdatedBy != nil || o.IsActive {
				t.Errorf("CreatedBy, UpdatedBy, IsActive = %v, %v, %v", o.CreatedBy, o.UpdatedBy, o.IsActive)
			}
		})
	})
}

func TestStore_FindOrganization_ErrNotFound(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		_, err := s.FindOrganizationByUUID(ctx, "00000000-0000-0000-0000-000000000000")
		wantCode(t, err, fleetwatch.ENOTFOUND)
		if msg := fleetwatch.ErrorMessage(err); msg != "Organization not found." {
			t.Errorf("message = %q", msg)
		}
		_, err = s.FindOrganizationByID(ctx, 12345)
		wantCode(t, err, fleetwatch.ENOTFOUND)
	})
}

func TestStore_UpdateOrganization(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		editor := mustCreateUser(t, s, "editor@example.com", 0, fleetwatch.RoleAdmin)
		o := mustCreateOrganization(t, s, "Acme", 0)

		t.Run("OK", func(t *testing.T) {
			time.Sleep(2 * time.Millisecond) // so updated_at moves
			got, err := s.UpdateOrganization(ctx, o.ID, fleetwatch.OrganizationUpdate{
				Name: ptr("Acme Corp"), IsActive: ptr(false),
			}, editor.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := *o
			want.Name, want.IsActive, want.UpdatedBy = "Acme Corp", false, &editor.UUID
			if diff := cmp.Diff(&want, got, cmpIgnoreUpdatedAt); diff != "" {
				t.Errorf("UpdateOrganization (-want +got):\n%s", diff)
			}
			if !got.UpdatedAt.After(o.UpdatedAt) {
				t.Errorf("UpdatedAt = %v, not after %v", got.UpdatedAt, o.UpdatedAt)
			}
			found, err := s.FindOrganizationByID(ctx, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(got, found); diff != "" {
				t.Errorf("FindOrganizationByID (-updated +found):\n%s", diff)
			}
		})

		t.Run("Nothing", func(t *testing.T) {
			got, err := s.UpdateOrganization(ctx, o.ID, fleetwatch.OrganizationUpdate{}, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != "Acme Corp" || got.UpdatedBy != nil {
				t.Errorf("Name, UpdatedBy = %q, %v", got.Name, got.UpdatedBy)
			}
		})

		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := s.UpdateOrganization(ctx, 9999, fleetwatch.OrganizationUpdate{Name: ptr("x")}, 0)
			wantCode(t, err, fleetwatch.ENOTFOUND)
		})
	})
}

func TestStore_DeleteOrganization(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		admin := mustCreateUser(t, s, "root@example.com", 0, fleetwatch.RoleAdmin)
		gone := mustCreateOrganization(t, s, "Gone", 0)
		kept := mustCreateOrganization(t, s, "Kept", 0)
		goneUser := mustCreateUser(t, s, "alice@gone.example", gone.ID, fleetwatch.RoleMember)
		keptUser := mustCreateUser(t, s, "bob@kept.example", kept.ID, fleetwatch.RoleMember)
		goneSite := mustCreateSite(t, s, gone.ID, "gone-site")
		keptSite := mustCreateSite(t, s, kept.ID, "kept-site")

		if err := s.DeleteOrganization(ctx, gone.ID, admin.ID); err != nil {
			t.Fatal(err)
		}

		_, err := s.FindOrganizationByID(ctx, gone.ID)
		wantCode(t, err, fleetwatch.ENOTFOUND)
		_, err = s.FindOrganizationByUUID(ctx, gone.UUID)
		wantCode(t, err, fleetwatch.ENOTFOUND)
		_, err = s.FindUserByID(ctx, goneUser.ID)
		wantCode(t, err, fleetwatch.ENOTFOUND)
		_, err = s.FindUserByEmail(ctx, goneUser.Email)
		wantCode(t, err, fleetwatch.ENOTFOUND)
		_, err = s.FindSiteByID(ctx, goneSite.ID)
		wantCode(t, err, fleetwatch.ENOTFOUND)
		_, err = s.FindSiteByUUID(ctx, goneSite.UUID)
		wantCode(t, err, fleetwatch.ENOTFOUND)

		orgs, total, err := s.FindOrganizations(ctx, fleetwatch.OrganizationFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if total != 1 || len(orgs) != 1 || orgs[0].ID != kept.ID {
			t.Errorf("FindOrganizations = %d, %v", total, orgs)
		}
		users, total, err := s.FindUsers(ctx, fleetwatch.UserFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if total != 2 || len(users) != 2 || users[0].ID == goneUser.ID || users[1].ID == goneUser.ID {
			t.Errorf("FindUsers = %d, %d users", total, len(users))
		}
		sites, total, err := s.FindSites(ctx, fleetwatch.SiteFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if total != 1 || len(sites) != 1 || sites[0].ID != keptSite.ID {
			t.Errorf("FindSites = %d, %v", total, sites)
		}
		if _, err := s.FindUserByID(ctx, keptUser.ID); err != nil {
			t.Errorf("user of another organization: %v", err)
		}

		// Nothing can be added to, or changed in, a deleted organization.
		err = s.CreateSite(ctx, &fleetwatch.Site{Name: "x", URL: "https://x", OrganizationID: gone.ID}, 0)
		wantCode(t, err, fleetwatch.ENOTFOUND)
		err = s.CreateUser(ctx, &fleetwatch.User{Name: "x", Email: "x@x", Role: fleetwatch.RoleViewer, OrganizationID: gone.ID}, 0)
		wantCode(t, err, fleetwatch.ENOTFOUND)
		_, err = s.UpdateSite(ctx, goneSite.ID, fleetwatch.SiteUpdate{Name: ptr("y")}, 0)
		wantCode(t, err, fleetwatch.ENOTFOUND)
		_, err = s.UpdateUser(ctx, goneUser.ID, fleetwatch.UserUpdate{Name: ptr("y")}, 0)
		wantCode(t, err, fleetwatch.ENOTFOUND)
		_, err = s.UpdateUser(ctx, keptUser.ID, fleetwatch.UserUpdate{OrganizationID: &gone.ID}, 0)
		wantCode(t, err, fleetwatch.ENOTFOUND)
		_, err = s.UpdateOrganization(ctx, gone.ID, fleetwatch.OrganizationUpdate{Name: ptr("y")}, 0)
		wantCode(t, err, fleetwatch.ENOTFOUND)

		// The e-mail address of a user of a deleted organization is free again.
		mustCreateUser(t, s, "ALICE@gone.example", kept.ID, fleetwatch.RoleViewer)

		t.Run("ErrNotFound", func(t *testing.T) {
			wantCode(t, s.DeleteOrganization(ctx, gone.ID, 0), fleetwatch.ENOTFOUND)
			wantCode(t, s.DeleteOrganization(ctx, 9999, 0), fleetwatch.ENOTFOUND)
		})
	})
}

func TestStore_FindOrganizations(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		names := []string{"delta", "Alpha", "charlie", "Bravo", "echo"}
		byName := map[string]*fleetwatch.Organization{}
		for _, n := range names {
			byName[n] = mustCreateOrganization(t, s, n, 0)
		}
		if _, err := s.UpdateOrganization(ctx, byName["echo"].ID, fleetwatch.OrganizationUpdate{IsActive: ptr(false)}, 0); err != nil {
			t.Fatal(err)
		}
		pct := mustCreateOrganization(t, s, "100% Drupal_Shop", 0)
		quote := mustCreateOrganization(t, s, "O'Reilly'; DROP TABLE organizations; --", 0)

		tests := []struct {
			name  string
			f     fleetwatch.OrganizationFilter
			want  []string
			total int
		}{
			{"DefaultSortByName", fleetwatch.OrganizationFilter{}, []string{pct.Name, "Alpha", "Bravo", "charlie", "delta", "echo", quote.Name}, 7},
			{"Page2", fleetwatch.OrganizationFilter{ListOptions: fleetwatch.ListOptions{Page: 2, PerPage: 3}}, []string{"charlie", "delta", "echo"}, 7},
			{"PastTheEnd", fleetwatch.OrganizationFilter{ListOptions: fleetwatch.ListOptions{Page: 9, PerPage: 3}}, []string{}, 7},
			{"NameDesc", fleetwatch.OrganizationFilter{ListOptions: fleetwatch.ListOptions{PerPage: 2, Sort: []fleetwatch.SortField{{Field: "name", Desc: true}}}}, []string{quote.Name, "echo"}, 7},
			{"CreatedAtAsc", fleetwatch.OrganizationFilter{ListOptions: fleetwatch.ListOptions{PerPage: 2, Sort: []fleetwatch.SortField{{Field: "created_at"}}}}, []string{"delta", "Alpha"}, 7},
			{"CreatedAtDesc", fleetwatch.OrganizationFilter{ListOptions: fleetwatch.ListOptions{PerPage: 2, Sort: []fleetwatch.SortField{{Field: "created_at", Desc: true}}}}, []string{quote.Name, pct.Name}, 7},
			{"Q", fleetwatch.OrganizationFilter{ListOptions: fleetwatch.ListOptions{Q: "HAR"}}, []string{"charlie"}, 1},
			{"QTaxID", fleetwatch.OrganizationFilter{ListOptions: fleetwatch.ListOptions{Q: "tax-bra"}}, []string{"Bravo"}, 1},
			{"QPercent", fleetwatch.OrganizationFilter{ListOptions: fleetwatch.ListOptions{Q: "%"}}, []string{pct.Name}, 1},
			{"QUnderscore", fleetwatch.OrganizationFilter{ListOptions: fleetwatch.ListOptions{Q: "_"}}, []string{pct.Name}, 1},
			{"QBackslash", fleetwatch.OrganizationFilter{ListOptions: fleetwatch.ListOptions{Q: `\`}}, []string{}, 0},
			{"QInjection", fleetwatch.OrganizationFilter{ListOptions: fleetwatch.ListOptions{Q: "'; DROP TABLE"}}, []string{quote.Name}, 1},
			{"Inactive", fleetwatch.OrganizationFilter{IsActive: ptr(false)}, []string{"echo"}, 1},
			{"ID", fleetwatch.OrganizationFilter{ID: byName["Bravo"].ID}, []string{"Bravo"}, 1},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				orgs, total, err := s.FindOrganizations(ctx, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				got := []string{}
				for _, o := range orgs {
					got = append(got, o.Name)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" || total != tt.total {
					t.Errorf("total = %d, want %d; names (-want +got):\n%s", total, tt.total, diff)
				}
			})
		}

		t.Run("UnknownSortField", func(t *testing.T) {
			_, _, err := s.FindOrganizations(ctx, fleetwatch.OrganizationFilter{ListOptions: fleetwatch.ListOptions{
				Sort: []fleetwatch.SortField{{Field: "name; DROP TABLE organizations"}}}})
			wantCode(t, err, fleetwatch.EINTERNAL)
		})

		t.Run("EverySortField", func(t *testing.T) {
			for _, f := range fleetwatch.OrganizationSortFields {
				if _, _, err := s.FindOrganizations(ctx, fleetwatch.OrganizationFilter{ListOptions: fleetwatch.ListOptions{
					Sort: []fleetwatch.SortField{{Field: f, Desc: true}}}}); err != nil {
					t.Errorf("sort %s: %v", f, err)
				}
			}
		})
	})
}

// cmpIgnoreUpdatedAt ignores the UpdatedAt fields, which an update moves.
var cmpIgnoreUpdatedAt = cmp.FilterPath(func(p cmp.Path) bool {
	return p.Last().String() == ".UpdatedAt"
}, cmp.Ignore())
