package sqlstore_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
	"github.com/google/go-cmp/cmp"
)

func TestStore_CreateUser(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		admin := mustCreateUser(t, s, "admin@example.com", 0, fleetwatch.RoleAdmin)
		org := mustCreateOrganization(t, s, "Acme", admin.ID)

		t.Run("OK", func(t *testing.T) {
			login := time.Date(2026, 11, 25, 10, 0, 0, 123456789, time.FixedZone("CET", 3600))
			u := &fleetwatch.User{
				Name: "Alice", Email: "Alice@Example.com", OrganizationID: org.ID, Role: fleetwatch.RoleOrgAdmin,
				IsActive: true, LastLogin: &login, HashedPassword: "$2a$12$abc", TOTPSecret: "enc:secret", TOTPEnabled: true,
				NotificationPreferences: json.RawMessage(`{"email":{"security":true}}`),
			}
			if err := s.CreateUser(ctx, u, admin.ID); err != nil {
				t.Fatal(err)
			}
			if u.ID == 0 || len(u.UUID) != 36 || u.OrganizationUUID == nil || *u.OrganizationUUID != org.UUID {
				t.Fatalf("ID, UUID, OrganizationUUID = %d, %q, %v", u.ID, u.UUID, u.OrganizationUUID)
			}
			if u.CreatedBy == nil || *u.CreatedBy != admin.UUID {
				t.Errorf("CreatedBy = %v", u.CreatedBy)
			}
			wantLogin := login.UTC().Truncate(time.Microsecond)
			if u.LastLogin == nil || !u.LastLogin.Equal(wantLogin) || u.LastLogin.Location() != time.UTC {
				t.Errorf("LastLogin = %v, want %v", u.LastLogin, wantLogin)
			}
			if u.HashedPassword != "$2a$12$abc" || u.TOTPSecret != "enc:secret" || !u.TOTPEnabled || u.Role != fleetwatch.RoleOrgAdmin {
				t.Errorf("user = %+v", u)
			}
			var prefs map[string]any
			if err := json.Unmarshal(u.NotificationPreferences, &prefs); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(map[string]any{"email": map[string]any{"security": true}}, prefs); diff != "" {
				t.Errorf("NotificationPreferences (-want +got):\n%s", diff)
			}
			for name, find := range map[string]func() (*fleetwatch.User, error){
				"ByUUID":  func() (*fleetwatch.User, error) { return s.FindUserByUUID(ctx, u.UUID) },
				"ByID":    func() (*fleetwatch.User, error) { return s.FindUserByID(ctx, u.ID) },
				"ByEmail": func() (*fleetwatch.User, error) { return s.FindUserByEmail(ctx, "aLICE@example.COM") },
			} {
				got, err := find()
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if diff := cmp.Diff(u, got); diff != "" {
					t.Errorf("%s (-created +found):\n%s", name, diff)
				}
			}
		})

		t.Run("Defaults", func(t *testing.T) {
			u := mustCreateUser(t, s, "plain@example.com", 0, fleetwatch.RoleAdmin)
			if u.OrganizationID != 0 || u.OrganizationUUID != nil || u.LastLogin != nil || u.TOTPEnabled {
				t.Errorf("user = %+v", u)
			}
			if string(u.NotificationPreferences) != "{}" {
				t.Errorf("NotificationPreferences = %s", u.NotificationPreferences)
			}
		})

		t.Run("ErrConflict", func(t *testing.T) {
			err := s.CreateUser(ctx, &fleetwatch.User{Name: "Bob", Email: "ALICE@example.COM", Role: fleetwatch.RoleViewer, OrganizationID: org.ID}, 0)
			wantCode(t, err, fleetwatch.ECONFLICT)
			if msg := fleetwatch.ErrorMessage(err); msg != "Email is already in use." {
				t.Errorf("message = %q", msg)
			}
		})

		t.Run("ErrNotFound", func(t *testing.T) {
			err := s.CreateUser(ctx, &fleetwatch.User{Name: "Bob", Email: "bob@example.com", Role: fleetwatch.RoleViewer, OrganizationID: 9999}, 0)
			wantCode(t, err, fleetwatch.ENOTFOUND)
		})

		t.Run("BadRole", func(t *testing.T) {
			err := s.CreateUser(ctx, &fleetwatch.User{Name: "Eve", Email: "eve@example.com", Role: "root"}, 0)
			wantCode(t, err, fleetwatch.EINTERNAL)
		})
	})
}

func TestStore_FindUser_ErrNotFound(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		_, err := s.FindUserByUUID(ctx, "nope")
		wantCode(t, err, fleetwatch.ENOTFOUND)
		if msg := fleetwatch.ErrorMessage(err); msg != "User not found." {
			t.Errorf("message = %q", msg)
		}
		_, err = s.FindUserByID(ctx, 1)
		wantCode(t, err, fleetwatch.ENOTFOUND)
		_, err = s.FindUserByEmail(ctx, "nobody@example.com")
		wantCode(t, err, fleetwatch.ENOTFOUND)
		// LIKE metacharacters are not wildcards in an exact match.
		mustCreateUser(t, s, "ab@example.com", 0, fleetwatch.RoleAdmin)
		_, err = s.FindUserByEmail(ctx, "a_@example.com")
		wantCode(t, err, fleetwatch.ENOTFOUND)
	})
}

func TestStore_UpdateUser(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		admin := mustCreateUser(t, s, "admin@example.com", 0, fleetwatch.RoleAdmin)
		org := mustCreateOrganization(t, s, "Acme", 0)
		other := mustCreateOrganization(t, s, "Other", 0)
		u := mustCreateUser(t, s, "alice@example.com", org.ID, fleetwatch.RoleMember)
		mustCreateUser(t, s, "bob@example.com", org.ID, fleetwatch.RoleMember)

		t.Run("OK", func(t *testing.T) {
			got, err := s.UpdateUser(ctx, u.ID, fleetwatch.UserUpdate{
				Name: ptr("Alice B."), Email: ptr("alice.b@example.com"), Role: ptr(fleetwatch.RoleViewer),
				IsActive: ptr(false), OrganizationID: &other.ID, HashedPassword: ptr("$2a$12$new"),
			}, admin.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := *u
			want.Name, want.Email, want.Role, want.IsActive = "Alice B.", "alice.b@example.com", fleetwatch.RoleViewer, false
			want.OrganizationID, want.OrganizationUUID, want.HashedPassword = other.ID, &other.UUID, "$2a$12$new"
			want.UpdatedBy = &admin.UUID
			if diff := cmp.Diff(&want, got, cmpIgnoreUpdatedAt); diff != "" {
				t.Errorf("UpdateUser (-want +got):\n%s", diff)
			}
			if got.UpdatedAt.Before(u.UpdatedAt) {
				t.Errorf("UpdatedAt went back: %v < %v", got.UpdatedAt, u.UpdatedAt)
			}
		})

		t.Run("RemoveOrganization", func(t *testing.T) {
			got, err := s.UpdateUser(ctx, u.ID, fleetwatch.UserUpdate{OrganizationID: ptr(int64(0)), Role: ptr(fleetwatch.RoleAdmin)}, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got.OrganizationID != 0 || got.OrganizationUUID != nil {
				t.Errorf("OrganizationID, OrganizationUUID = %d, %v", got.OrganizationID, got.OrganizationUUID)
			}
		})

		t.Run("SameEmailOtherCase", func(t *testing.T) {
			if _, err := s.UpdateUser(ctx, u.ID, fleetwatch.UserUpdate{Email: ptr("ALICE.B@example.com")}, 0); err != nil {
				t.Fatal(err)
			}
		})

		t.Run("ErrConflict", func(t *testing.T) {
			_, err := s.UpdateUser(ctx, u.ID, fleetwatch.UserUpdate{Email: ptr("Bob@Example.com")}, 0)
			wantCode(t, err, fleetwatch.ECONFLICT)
		})

		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := s.UpdateUser(ctx, 9999, fleetwatch.UserUpdate{Name: ptr("x")}, 0)
			wantCode(t, err, fleetwatch.ENOTFOUND)
			_, err = s.UpdateUser(ctx, u.ID, fleetwatch.UserUpdate{OrganizationID: ptr(int64(9999))}, 0)
			wantCode(t, err, fleetwatch.ENOTFOUND)
		})
	})
}

func TestStore_DeleteUser(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		u := mustCreateUser(t, s, "alice@example.com", 0, fleetwatch.RoleAdmin)
		if err := s.DeleteUser(ctx, u.ID, 0); err != nil {
			t.Fatal(err)
		}
		_, err := s.FindUserByID(ctx, u.ID)
		wantCode(t, err, fleetwatch.ENOTFOUND)
		_, err = s.FindUserByUUID(ctx, u.UUID)
		wantCode(t, err, fleetwatch.ENOTFOUND)
		_, err = s.FindUserByEmail(ctx, u.Email)
		wantCode(t, err, fleetwatch.ENOTFOUND)
		if _, total, err := s.FindUsers(ctx, fleetwatch.UserFilter{}); err != nil || total != 0 {
			t.Errorf("FindUsers total = %d, %v", total, err)
		}
		wantCode(t, s.DeleteUser(ctx, u.ID, 0), fleetwatch.ENOTFOUND)
		wantCode(t, s.SetLastLogin(ctx, u.ID, time.Now()), fleetwatch.ENOTFOUND)
		// The address is free again.
		again := mustCreateUser(t, s, "Alice@example.com", 0, fleetwatch.RoleAdmin)
		if again.ID == u.ID {
			t.Error("deleted user came back")
		}
	})
}

func TestStore_SetLastLogin(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		u := mustCreateUser(t, s, "alice@example.com", 0, fleetwatch.RoleAdmin)
		at := time.Date(2026, 11, 25, 9, 30, 15, 999999999, time.FixedZone("PST", -8*3600))
		if err := s.SetLastLogin(ctx, u.ID, at); err != nil {
			t.Fatal(err)
		}
		got, err := s.FindUserByID(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := at.UTC().Truncate(time.Microsecond)
		if got.LastLogin == nil || !got.LastLogin.Equal(want) || got.LastLogin.Location() != time.UTC {
			t.Errorf("LastLogin = %v, want %v", got.LastLogin, want)
		}
		if !got.UpdatedAt.Equal(u.UpdatedAt) {
			t.Errorf("UpdatedAt moved: %v -> %v", u.UpdatedAt, got.UpdatedAt)
		}
	})
}

func TestStore_FindUsers(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		acme := mustCreateOrganization(t, s, "Acme", 0)
		other := mustCreateOrganization(t, s, "Other", 0)
		mustCreateUser(t, s, "root@example.com", 0, fleetwatch.RoleAdmin)
		carol := mustCreateUser(t, s, "carol@acme.example", acme.ID, fleetwatch.RoleOrgAdmin)
		mustCreateUser(t, s, "alice@acme.example", acme.ID, fleetwatch.RoleMember)
		bob := mustCreateUser(t, s, "bob_100%@acme.example", acme.ID, fleetwatch.RoleViewer)
		mustCreateUser(t, s, "dave@other.example", other.ID, fleetwatch.RoleMember)
		if _, err := s.UpdateUser(ctx, bob.ID, fleetwatch.UserUpdate{IsActive: ptr(false)}, 0); err != nil {
			t.Fatal(err)
		}
		if err := s.SetLastLogin(ctx, carol.ID, time.Now()); err != nil {
			t.Fatal(err)
		}

		emails := func(users []*fleetwatch.User) []string {
			out := []string{}
			for _, u := range users {
				out = append(out, u.Email)
			}
			return out
		}
		tests := []struct {
			name  string
			f     fleetwatch.UserFilter
			want  []string
			total int
		}{
			{"All", fleetwatch.UserFilter{ListOptions: fleetwatch.ListOptions{Sort: []fleetwatch.SortField{{Field: "email"}}}},
				[]string{"alice@acme.example", "bob_100%@acme.example", "carol@acme.example", "dave@other.example", "root@example.com"}, 5},
			{"Organization", fleetwatch.UserFilter{OrganizationID: acme.ID, ListOptions: fleetwatch.ListOptions{PerPage: 2, Sort: []fleetwatch.SortField{{Field: "email", Desc: true}}}},
				[]string{"carol@acme.example", "bob_100%@acme.example"}, 3},
			{"Role", fleetwatch.UserFilter{Role: fleetwatch.RoleMember, ListOptions: fleetwatch.ListOptions{Sort: []fleetwatch.SortField{{Field: "email"}}}},
				[]string{"alice@acme.example", "dave@other.example"}, 2},
			{"Inactive", fleetwatch.UserFilter{IsActive: ptr(false)}, []string{"bob_100%@acme.example"}, 1},
			{"Email", fleetwatch.UserFilter{Email: "CAROL@acme.example"}, []string{"carol@acme.example"}, 1},
			{"QName", fleetwatch.UserFilter{ListOptions: fleetwatch.ListOptions{Q: "user ROOT"}}, []string{"root@example.com"}, 1},
			{"QPercent", fleetwatch.UserFilter{ListOptions: fleetwatch.ListOptions{Q: "0%@"}}, []string{"bob_100%@acme.example"}, 1},
			{"QUnderscore", fleetwatch.UserFilter{ListOptions: fleetwatch.ListOptions{Q: "b_1"}}, []string{"bob_100%@acme.example"}, 1},
			{"QInjection", fleetwatch.UserFilter{ListOptions: fleetwatch.ListOptions{Q: "'; DROP TABLE users; --"}}, []string{}, 0},
			{"LastLoginDesc", fleetwatch.UserFilter{ListOptions: fleetwatch.ListOptions{PerPage: 1, Sort: []fleetwatch.SortField{{Field: "last_login", Desc: true}}}},
				[]string{"carol@acme.example"}, 5},
			{"RoleThenEmail", fleetwatch.UserFilter{OrganizationID: acme.ID, ListOptions: fleetwatch.ListOptions{Sort: []fleetwatch.SortField{{Field: "role"}, {Field: "email", Desc: true}}}},
				[]string{"alice@acme.example", "carol@acme.example", "bob_100%@acme.example"}, 3},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				users, total, err := s.FindUsers(ctx, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, emails(users)); diff != "" || total != tt.total {
					t.Errorf("total = %d, want %d; e-mails (-want +got):\n%s", total, tt.total, diff)
				}
			})
		}

		t.Run("EverySortField", func(t *testing.T) {
			for _, f := range fleetwatch.UserSortFields {
				if _, _, err := s.FindUsers(ctx, fleetwatch.UserFilter{ListOptions: fleetwatch.ListOptions{
					Sort: []fleetwatch.SortField{{Field: f}}}}); err != nil {
					t.Errorf("sort %s: %v", f, err)
				}
			}
			_, _, err := s.FindUsers(ctx, fleetwatch.UserFilter{ListOptions: fleetwatch.ListOptions{Sort: []fleetwatch.SortField{{Field: "hashed_password"}}}})
			wantCode(t, err, fleetwatch.EINTERNAL)
		})
	})
}
