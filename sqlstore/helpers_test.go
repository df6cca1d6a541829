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

// checkOpenLinks fails unless every site_modules row names the open
// interval of its own site and project, with its start, version and build,
// and every open interval is named by one.
func checkOpenLinks(tb testing.TB, s *sqlstore.Store) {
	tb.Helper()
	for _, q := range []string{
		`SELECT count(*) FROM site_modules sm LEFT JOIN site_module_history h ON h.id = sm.history_id
			LEFT JOIN module_versions mv ON mv.id = sm.current_version_id
			WHERE h.id IS NULL OR h.site_id <> sm.site_id OR h.module_id <> sm.module_id OR h.valid_to IS NOT NULL
				OR sm.history_from IS NULL OR h.valid_from <> sm.history_from
				OR h.version <> mv.version_number OR mv.id IS NULL OR h.datestamp <> sm.datestamp`,
		`SELECT count(*) FROM site_module_history h
			WHERE h.valid_to IS NULL AND NOT EXISTS (SELECT 1 FROM site_modules sm WHERE sm.history_id = h.id)`,
	} {
		var n int
		if err := s.ReaderDB().QueryRowContext(context.Background(), q).Scan(&n); err != nil {
			tb.Fatal(err)
		}
		if n != 0 {
			tb.Errorf("%d rows break the link of site_modules to their open intervals: %s", n, q)
		}
	}
}
