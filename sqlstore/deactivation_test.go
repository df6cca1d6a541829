package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

func TestDeactivation_Store(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		now := time.Now()
		newSession := func(u *fleetwatch.User, refresh string) *fleetwatch.Session {
			t.Helper()
			sess := &fleetwatch.Session{UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
			if err := s.CreateSession(ctx, sess, refresh); err != nil {
				t.Fatal(err)
			}
			return sess
		}
		revoked := func(sess *fleetwatch.Session) bool {
			t.Helper()
			st, err := s.FindSessionStanding(ctx, sess.UUID)
			if err != nil {
				t.Fatal(err)
			}
			return st.Revoked
		}
		org := mustCreateOrganization(t, s, "Acme", 0)
		other := mustCreateOrganization(t, s, "Other", 0)
		member := mustCreateUser(t, s, "member@acme.example", org.ID, fleetwatch.RoleMember)
		admin := mustCreateUser(t, s, "admin@acme.example", org.ID, fleetwatch.RoleAdmin)
		bystander := mustCreateUser(t, s, "ann@other.example", other.ID, fleetwatch.RoleMember)

		t.Run("User", func(t *testing.T) {
			a, b := newSession(member, "hash-a"), newSession(member, "hash-b")
			keep := newSession(bystander, "hash-c")
			if _, err := s.UpdateUser(ctx, member.ID, fleetwatch.UserUpdate{IsActive: ptr(false)}, 0); err != nil {
				t.Fatal(err)
			}
			if !revoked(a) || !revoked(b) {
				t.Error("deactivating a user left a session open")
			}
			if revoked(keep) {
				t.Error("deactivating a user ended another user's session")
			}
			// Reactivation does not bring the old sessions back.
			if _, err := s.UpdateUser(ctx, member.ID, fleetwatch.UserUpdate{IsActive: ptr(true)}, 0); err != nil {
				t.Fatal(err)
			}
			if !revoked(a) || !revoked(b) {
				t.Error("reactivating a user reopened a session")
			}
		})

		t.Run("Organization", func(t *testing.T) {
			m, ad, keep := newSession(member, "hash-m"), newSession(admin, "hash-ad"), newSession(bystander, "hash-k")
			site := mustCreateSite(t, s, org.ID, "acme")
			key := &fleetwatch.APIKey{Kind: fleetwatch.KeyKindSite, Name: "push", Prefix: "fwk_abc", Hash: "key-hash", OrganizationID: org.ID, SiteID: site.ID}
			if err := s.CreateAPIKey(ctx, key, 0); err != nil {
				t.Fatal(err)
			}
			if k, err := s.FindAPIKeyByHash(ctx, "key-hash"); err != nil || !k.OrganizationActive {
				t.Fatalf("key of an active organization: %+v %v", k, err)
			}
			if _, err := s.UpdateOrganization(ctx, org.ID, fleetwatch.OrganizationUpdate{IsActive: ptr(false)}, 0); err != nil {
				t.Fatal(err)
			}
			if !revoked(m) {
				t.Error("deactivating an organization left its member's session open")
			}
			if revoked(ad) || revoked(keep) {
				t.Error("deactivating an organization ended a platform admin's or another organization's session")
			}
			st, err := s.FindSessionStanding(ctx, ad.UUID)
			if err != nil || st.OrganizationActive {
				t.Errorf("standing of a user of an inactive organization: %+v %v", st, err)
			}
			if st, err := s.FindSessionStanding(ctx, keep.UUID); err != nil || !st.OrganizationActive {
				t.Errorf("standing of a user of an active organization: %+v %v", st, err)
			}
			k, err := s.FindAPIKeyByHash(ctx, "key-hash")
			if err != nil || k.OrganizationActive {
				t.Fatalf("key of an inactive organization: %+v %v", k, err)
			}
			// A push read with the key before the deactivation is not stored.
			l := &fleetwatch.AuditLog{SiteID: site.ID, KeyID: k.ID, Kind: fleetwatch.KindInventory, Data: []byte(`{}`)}
			wantCode(t, s.EnqueueAuditLogs(ctx, []*fleetwatch.AuditLog{l}), fleetwatch.EORGINACTIVE)
			var n int
			if err := s.WriterDB().QueryRowContext(ctx, `SELECT count(*) FROM audit_logs WHERE site_id = $1`, site.ID).Scan(&n); err != nil || n != 0 {
				t.Errorf("%d pushes stored for an inactive organization (%v)", n, err)
			}
			// Reactivated, its keys work again; its users sign in afresh.
			if _, err := s.UpdateOrganization(ctx, org.ID, fleetwatch.OrganizationUpdate{IsActive: ptr(true)}, 0); err != nil {
				t.Fatal(err)
			}
			if err := s.EnqueueAuditLogs(ctx, []*fleetwatch.AuditLog{l}); err != nil {
				t.Errorf("push after reactivation: %v", err)
			}
			if !revoked(m) {
				t.Error("reactivating the organization reopened a session")
			}
		})
	})
}
