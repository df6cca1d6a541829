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

func TestIdentityProviders(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		org := mustCreateOrganization(t, s, "Acme", 0)
		gone := mustCreateOrganization(t, s, "Gone", 0)
		p := &fleetwatch.IdentityProvider{Slug: "corp", Name: "Corp SSO", IssuerURL: "https://id.example.com", ClientID: "fw",
			ClientSecret: "v1:sealed", Scopes: []string{"email", "groups"}, GroupsClaim: "groups", Enabled: true,
			AutoProvision: true, MFAValues: []string{"mfa"},
			GroupMappings: []fleetwatch.GroupMapping{
				{Group: "ops", OrganizationID: org.ID, Role: fleetwatch.RoleMember},
				{Group: "old", OrganizationID: gone.ID, Role: fleetwatch.RoleViewer},
				{Group: "root", Role: fleetwatch.RoleAdmin},
			}}
		if err := s.CreateIdentityProvider(ctx, p); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteOrganization(ctx, gone.ID, 0); err != nil {
			t.Fatal(err)
		}
		got, err := s.FindIdentityProviderBySlug(ctx, "corp")
		if err != nil {
			t.Fatal(err)
		}
		// The mapping to a deleted organization maps to nothing.
		want := []fleetwatch.GroupMapping{
			{Group: "ops", OrganizationID: org.ID, OrganizationUUID: &org.UUID, Role: fleetwatch.RoleMember},
			{Group: "root", Role: fleetwatch.RoleAdmin},
		}
		if diff := cmp.Diff(want, got.GroupMappings); diff != "" {
			t.Errorf("mappings (-want +got):\n%s", diff)
		}
		if got.ClientSecret != "v1:sealed" || !got.ClientSecretSet || !cmp.Equal(got.Scopes, p.Scopes) || !cmp.Equal(got.MFAValues, p.MFAValues) || !got.AutoProvision || got.AllowEmailLinking {
			t.Errorf("read back %+v", got)
		}
		dup := &fleetwatch.IdentityProvider{Slug: "corp", Name: "Other", IssuerURL: "https://x", ClientID: "x", GroupsClaim: "groups"}
		wantCode(t, s.CreateIdentityProvider(ctx, dup), fleetwatch.ECONFLICT)

		got.Name, got.GroupMappings, got.Enabled = "Renamed", nil, false
		if err := s.UpdateIdentityProvider(ctx, got); err != nil {
			t.Fatal(err)
		}
		again, err := s.FindIdentityProviderByUUID(ctx, p.UUID)
		if err != nil {
			t.Fatal(err)
		}
		if again.Name != "Renamed" || again.Enabled || len(again.GroupMappings) != 0 {
			t.Errorf("after update: %+v", again)
		}

		// Identities and SSO sessions.
		u := mustCreateUser(t, s, "ann@example.com", org.ID, fleetwatch.RoleMember)
		wantCode(t, func() error { _, err := s.FindUserIdentity(ctx, p.ID, "sub-1"); return err }(), fleetwatch.ENOTFOUND)
		if err := s.LinkUserIdentity(ctx, &fleetwatch.UserIdentity{ProviderID: p.ID, Subject: "sub-1", UserID: u.ID, Email: u.Email}); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.LinkUserIdentity(ctx, &fleetwatch.UserIdentity{ProviderID: p.ID, Subject: "sub-1", UserID: u.ID}), fleetwatch.ECONFLICT)
		id, err := s.FindUserIdentity(ctx, p.ID, "sub-1")
		if err != nil || id.UserID != u.ID {
			t.Fatalf("identity %+v, %v", id, err)
		}
		sess := &fleetwatch.Session{UserID: u.ID, CreatedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}
		if err := s.CreateSession(ctx, sess, "hash"); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateSSOSession(ctx, &fleetwatch.SSOSession{SessionID: sess.ID, ProviderID: p.ID, IDToken: "v1:tok"}); err != nil {
			t.Fatal(err)
		}
		ss, err := s.FindSSOSession(ctx, sess.ID)
		if err != nil || ss.ProviderID != p.ID || ss.IDToken != "v1:tok" {
			t.Fatalf("sso session %+v, %v", ss, err)
		}

		// Deleting the provider removes its links and sessions' records.
		if err := s.DeleteIdentityProvider(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.DeleteIdentityProvider(ctx, p.ID), fleetwatch.ENOTFOUND)
		wantCode(t, func() error { _, err := s.FindSSOSession(ctx, sess.ID); return err }(), fleetwatch.ENOTFOUND)
		wantCode(t, func() error { _, err := s.FindUserIdentity(ctx, p.ID, "sub-1"); return err }(), fleetwatch.ENOTFOUND)
	})
}

func TestPasswordSignInPolicy(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		org := mustCreateOrganization(t, s, "Acme", 0)
		for _, want := range []bool{false, true, false} {
			if err := s.SetPasswordSignInDisabled(ctx, org.ID, want, 0); err != nil {
				t.Fatal(err)
			}
			got, err := s.PasswordSignInDisabled(ctx, org.ID)
			if err != nil || got != want {
				t.Errorf("disabled = %v, %v; want %v", got, err, want)
			}
		}
		if got, err := s.PasswordSignInDisabled(ctx, org.ID+1000); err != nil || got {
			t.Errorf("an organization without a policy: %v, %v", got, err)
		}
	})
}
