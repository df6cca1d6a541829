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

func TestStore_CreateActivity(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		org := mustCreateOrganization(t, s, "Acme", 0)
		u := mustCreateUser(t, s, "alice@example.com", org.ID, fleetwatch.RoleOrgAdmin)

		t.Run("OK", func(t *testing.T) {
			a := &fleetwatch.ActivityLog{OrganizationID: org.ID, UserID: u.ID, Action: "site.deleted",
				TargetType: "site", TargetUUID: "c0ffee00-0000-0000-0000-000000000000", RemoteAddr: "192.0.2.1",
				Details: `{"name":"Acme","reason":"test"}`}
			if err := s.CreateActivity(ctx, a); err != nil {
				t.Fatal(err)
			}
			if a.ID == 0 || len(a.UUID) != 36 || a.CreatedAt.IsZero() || a.CreatedAt.Location() != time.UTC {
				t.Fatalf("ID, UUID, CreatedAt = %d, %q, %v", a.ID, a.UUID, a.CreatedAt)
			}
			if a.OrganizationUUID == nil || *a.OrganizationUUID != org.UUID || a.UserUUID == nil || *a.UserUUID != u.UUID {
				t.Errorf("OrganizationUUID, UserUUID = %v, %v", a.OrganizationUUID, a.UserUUID)
			}
			// Names, not ids: who did it and where, as people read them.
			if a.OrganizationName == nil || *a.OrganizationName != "Acme" || a.UserName == nil || *a.UserName != u.Name {
				t.Errorf("OrganizationName, UserName = %v, %v; want Acme, %q", a.OrganizationName, a.UserName, u.Name)
			}
			var details map[string]string
			if err := json.Unmarshal([]byte(a.Details), &details); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(map[string]string{"name": "Acme", "reason": "test"}, details); diff != "" {
				t.Errorf("Details (-want +got):\n%s", diff)
			}
			got, total, err := s.FindActivity(ctx, fleetwatch.ActivityFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if total != 1 || len(got) != 1 {
				t.Fatalf("FindActivity = %d, %d entries", total, len(got))
			}
			if diff := cmp.Diff(a, got[0]); diff != "" {
				t.Errorf("FindActivity (-created +found):\n%s", diff)
			}
		})

		t.Run("Anonymous", func(t *testing.T) {
			at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
			a := &fleetwatch.ActivityLog{Action: "user.login_failed", RemoteAddr: "198.51.100.7", CreatedAt: at}
			if err := s.CreateActivity(ctx, a); err != nil {
				t.Fatal(err)
			}
			if a.OrganizationUUID != nil || a.UserUUID != nil || a.OrganizationName != nil || a.UserName != nil || a.Details != "{}" || !a.CreatedAt.Equal(at) {
				t.Errorf("entry = %+v", a)
			}
		})

		t.Run("BadDetails", func(t *testing.T) {
			err := s.CreateActivity(ctx, &fleetwatch.ActivityLog{Action: "x", Details: "{not json"})
			wantCode(t, err, fleetwatch.EINTERNAL)
		})
	})
}

func TestStore_FindActivity(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		acme := mustCreateOrganization(t, s, "Acme", 0)
		other := mustCreateOrganization(t, s, "Other", 0)
		base := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
		for i, e := range []struct {
			org    int64
			action string
		}{
			{acme.ID, "user.login"}, {acme.ID, "site.deleted"}, {other.ID, "user.login"},
			{acme.ID, "user.login"}, {0, "user.login_failed"},
		} {
			a := &fleetwatch.ActivityLog{OrganizationID: e.org, Action: e.action, TargetType: "user",
				CreatedAt: base.Add(time.Duration(i) * time.Minute)}
			if err := s.CreateActivity(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		// Deleting an organization keeps its trail.
		if err := s.DeleteOrganization(ctx, other.ID, 0); err != nil {
			t.Fatal(err)
		}

		minutes := func(entries []*fleetwatch.ActivityLog) []int {
			out := []int{}
			for _, a := range entries {
				out = append(out, int(a.CreatedAt.Sub(base)/time.Minute))
			}
			return out
		}
		tests := []struct {
			name  string
			f     fleetwatch.ActivityFilter
			want  []int
			total int
		}{
			{"NewestFirst", fleetwatch.ActivityFilter{}, []int{4, 3, 2, 1, 0}, 5},
			{"OldestFirst", fleetwatch.ActivityFilter{ListOptions: fleetwatch.ListOptions{PerPage: 2, Page: 2, Sort: []fleetwatch.SortField{{Field: "created_at"}}}}, []int{2, 3}, 5},
			{"Organization", fleetwatch.ActivityFilter{OrganizationID: acme.ID}, []int{3, 1, 0}, 3},
			{"DeletedOrganization", fleetwatch.ActivityFilter{OrganizationID: other.ID}, []int{2}, 1},
			{"Action", fleetwatch.ActivityFilter{Action: "user.login"}, []int{3, 2, 0}, 3},
			{"Q", fleetwatch.ActivityFilter{ListOptions: fleetwatch.ListOptions{Q: "FAILED"}}, []int{4}, 1},
			{"QUnderscore", fleetwatch.ActivityFilter{ListOptions: fleetwatch.ListOptions{Q: "_"}}, []int{4}, 1},
			{"ActionThenTime", fleetwatch.ActivityFilter{ListOptions: fleetwatch.ListOptions{Sort: []fleetwatch.SortField{{Field: "action"}, {Field: "created_at", Desc: true}}}}, []int{1, 3, 2, 0, 4}, 5},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				entries, total, err := s.FindActivity(ctx, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, minutes(entries)); diff != "" || total != tt.total {
					t.Errorf("total = %d, want %d; minutes (-want +got):\n%s", total, tt.total, diff)
				}
			})
		}
		t.Run("UnknownSortField", func(t *testing.T) {
			_, _, err := s.FindActivity(ctx, fleetwatch.ActivityFilter{ListOptions: fleetwatch.ListOptions{Sort: []fleetwatch.SortField{{Field: "id"}}}})
			wantCode(t, err, fleetwatch.EINTERNAL)
		})
	})
}
