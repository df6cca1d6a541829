package sqlstore_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/sqlstore"
)

func ptr[T any](v T) *T { return &v }

// mustCreateOrganization creates an active organization called name.
func mustCreateOrganization(tb testing.TB, s *sqlstore.Store, name string, by int64) *fleetwatch.Organization {
	tb.Helper()
	o := &fleetwatch.Organization{Name: name, TaxID: "TAX-" + name, IsActive: true}
	if err := s.CreateOrganization(context.Background(), o, by); err != nil {
		tb.Fatal(err)
	}
	return o
}

// mustCreateUser creates an active user of the organization (0: none).
func mustCreateUser(tb testing.TB, s *sqlstore.Store, email string, orgID int64, role string) *fleetwatch.User {
	tb.Helper()
	u := &fleetwatch.User{Name: "User " + email, Email: email, OrganizationID: orgID, Role: role,
		IsActive: true, HashedPassword: "$2a$04$hash"}
	if err := s.CreateUser(context.Background(), u, 0); err != nil {
		tb.Fatal(err)
	}
	return u
}

// mustCreateSite creates an active site of the organization.
func mustCreateSite(tb testing.TB, s *sqlstore.Store, orgID int64, name string) *fleetwatch.Site {
	tb.Helper()
	site := &fleetwatch.Site{Name: name, URL: fmt.Sprintf("https://%s.example", name), OrganizationID: orgID, IsActive: true}
	if err := s.CreateSite(context.Background(), site, 0); err != nil {
		tb.Fatal(err)
	}
	return site
}

// wantCode fails unless err carries the fleetwatch error code.
func wantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if got := fleetwatch.ErrorCode(err); got != code {
		tb.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}
