package sqlstore_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// TestSchema checks the constraints of the tables that no store method
// writes yet, the same on both databases.
func TestSchema(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		db := s.WriterDB()
		org := mustCreateOrganization(t, s, "Acme", 0)
		site := mustCreateSite(t, s, org.ID, "acme")
		at := time.Now().UTC()
		exec := func(q string, args ...any) error {
			_, err := db.ExecContext(ctx, q, args...)
			return err
		}
		mustExec := func(q string, args ...any) {
			t.Helper()
			if err := exec(q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		mustFail := func(what, q string, args ...any) {
			t.Helper()
			if err := exec(q, args...); err == nil {
				t.Errorf("%s: no error", what)
			}
		}

		mustExec(`INSERT INTO modules (module_name, drupal_link, type, source, created_at, updated_at)
			VALUES ('ctools', 'https://www.drupal.org/project/ctools', 'module', 'drupal.org', $1, $1)`, at)
		mustFail("duplicate module", `INSERT INTO modules (module_name, created_at, updated_at) VALUES ('ctools', $1, $1)`, at)
		mustFail("bad module type", `INSERT INTO modules (module_name, type, created_at, updated_at) VALUES ('x', 'plugin', $1, $1)`, at)
		mustFail("bad module source", `INSERT INTO modules (module_name, source, created_at, updated_at) VALUES ('x', 'github', $1, $1)`, at)

		mustExec(`INSERT INTO module_versions (module_id, version_number, release_date, is_security_update,
				is_insecure, core_compatibility, security_covered, severity, created_at, updated_at)
			SELECT id, '4.1.0', $1, TRUE, FALSE, '^10 || ^11', TRUE, 'critical', $1, $1 FROM modules WHERE module_name = 'ctools'`, at)
		mustFail("duplicate version", `INSERT INTO module_versions (module_id, version_number, created_at, updated_at)
			SELECT id, '4.1.0', $1, $1 FROM modules WHERE module_name = 'ctools'`, at)
		mustFail("bad severity", `INSERT INTO module_versions (module_id, version_number, severity, created_at, updated_at)
			SELECT id, '4.2.0', 'bad', $1, $1 FROM modules WHERE module_name = 'ctools'`, at)

		mustExec(`INSERT INTO site_modules (site_id, module_id, current_version_id, update_available, security_update,
				status, latest_version, recommended_version, created_at, updated_at)
			SELECT $1, m.id, v.id, TRUE, TRUE, 'not_secure', '4.1.1', '4.1.1', $2, $2
			FROM modules m JOIN module_versions v ON v.module_id = m.id WHERE m.module_name = 'ctools'`, site.ID, at)
		mustFail("security_update without not_secure", `UPDATE site_modules SET status = 'current'`)
		mustFail("bad status", `UPDATE site_modules SET status = 'fine', security_update = FALSE`)
		mustFail("unknown site", `INSERT INTO site_modules (site_id, module_id, created_at, updated_at)
			SELECT 9999, id, $1, $1 FROM modules`, at)

		mustExec(`INSERT INTO audit_logs (uuid, site_id, kind, client_id, data, created_at)
			VALUES ('a1', $1, 'inventory', 'snap-1', $2, $3)`, site.ID, []byte(`{"modules":[]}`), at)
		mustFail("duplicate client id", `INSERT INTO audit_logs (uuid, site_id, kind, client_id, data, created_at)
			VALUES ('a2', $1, 'inventory', 'snap-1', $2, $3)`, site.ID, []byte(`{}`), at)
		mustExec(`INSERT INTO audit_logs (uuid, site_id, kind, data, created_at) VALUES ('a3', $1, 'patch_run', $2, $3)`, site.ID, []byte(`{}`), at)
		mustExec(`INSERT INTO audit_logs (uuid, site_id, kind, data, created_at) VALUES ('a4', $1, 'patch_run', $2, $3)`, site.ID, []byte(`{}`), at)
		mustFail("bad audit status", `UPDATE audit_logs SET status = 'done'`)
		mustFail("bad audit kind", `INSERT INTO audit_logs (uuid, site_id, kind, created_at) VALUES ('a5', $1, 'drush', $2)`, site.ID, at)
		var data []byte
		var status string
		var attempts int
		if err := db.QueryRowContext(ctx, `SELECT data, status, attempts FROM audit_logs WHERE uuid = 'a1'`).Scan(&data, &status, &attempts); err != nil {
			t.Fatal(err)
		}
		if string(data) != `{"modules":[]}` || status != "queued" || attempts != 0 {
			t.Errorf("audit log = %s, %s, %d", data, status, attempts)
		}
		if s.Dialect() == "postgres" {
			// Payloads are compressed with lz4 (00018) where the server has it.
			var lz4 bool
			if err := db.QueryRowContext(ctx, `SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'`).Scan(&lz4); err != nil {
				t.Fatal(err)
			}
			if !lz4 {
				t.Log("this PostgreSQL has no lz4; payloads stay with pglz")
			} else {
				big := []byte(`{"modules":[` + strings.Repeat(`{"name":"ctools","version":"4.1.0"},`, 400) + `{}]}`)
				mustExec(`INSERT INTO audit_logs (uuid, site_id, kind, data, created_at) VALUES ('a6', $1, 'inventory', $2, $3)`, site.ID, big, at)
				var method string
				if err := db.QueryRowContext(ctx, `SELECT pg_column_compression(data) FROM audit_logs WHERE uuid = 'a6'`).Scan(&method); err != nil {
					t.Fatal(err)
				}
				if method != "lz4" {
					t.Errorf("payload compressed with %q, want lz4", method)
				}
			}
		}

		mustExec(`INSERT INTO patch_runs (uuid, site_id, run_date, status, tool, changes, created_at)
			VALUES ('p1', $1, $2, 'succeeded', 'composer', $3, $2)`, site.ID, at, `[{"name":"ctools","from_version":"4.1.0","to_version":"4.1.1"}]`)
		mustFail("bad tool", `INSERT INTO patch_runs (uuid, site_id, run_date, status, tool, created_at)
			VALUES ('p2', $1, $2, 'succeeded', 'ftp', $2)`, site.ID, at)
		mustFail("bad patch status", `INSERT INTO patch_runs (uuid, site_id, run_date, status, tool, created_at)
			VALUES ('p3', $1, $2, 'ok', 'drush', $2)`, site.ID, at)
		mustFail("bad changes", `INSERT INTO patch_runs (uuid, site_id, run_date, status, tool, changes, created_at)
			VALUES ('p4', $1, $2, 'failed', 'drush', '[', $2)`, site.ID, at)
		mustCreateUser(t, s, "u@example.com", org.ID, fleetwatch.RoleViewer)
		mustFail("bad preferences", `UPDATE users SET notification_preferences = '{'`)
		mustFail("unknown creator", `UPDATE sites SET created_by = 9999`)
	})
}

// TestTimeRoundTrip checks that times come back equal, in UTC, with
// microsecond precision, whatever zone they were written in.
func TestTimeRoundTrip(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		org := mustCreateOrganization(t, s, "Acme", 0)
		for _, in := range []time.Time{
			time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC),
			time.Date(2026, 11, 25, 10, 0, 0, 123456789, time.UTC),
			time.Date(1999, 12, 31, 23, 59, 59, 999999999, time.FixedZone("X", -(9*3600+30*60))),
			time.Date(2038, 1, 19, 3, 14, 8, 1000, time.FixedZone("Y", 14*3600)),
			time.Now(), // with a monotonic reading
		} {
			site := &fleetwatch.Site{Name: "t", URL: "https://t", OrganizationID: org.ID, FirstSeenAt: &in, LastSeenAt: &in}
			if err := s.CreateSite(ctx, site, 0); err != nil {
				t.Fatal(err)
			}
			got, err := s.FindSiteByID(ctx, site.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := in.UTC().Truncate(time.Microsecond)
			if got.LastSeenAt.Location() != time.UTC || !got.LastSeenAt.Equal(want) || got.LastSeenAt.String() != want.String() {
				t.Errorf("wrote %v, read %v, want %v", in, got.LastSeenAt, want)
			}
			if got.CreatedAt.Location() != time.UTC || got.CreatedAt.Nanosecond()%1000 != 0 {
				t.Errorf("CreatedAt = %v", got.CreatedAt)
			}
		}
		// Comparisons in SQL order times as time, not as text.
		var n int
		if err := s.ReaderDB().QueryRowContext(ctx, `SELECT count(*) FROM sites WHERE last_seen_at > $1`,
			time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n < 2 { // the one with nanoseconds, 2038 (and now, if after 2026-11-25 10:00)
			t.Errorf("later than 2026-11-25 10:00: %d sites", n)
		}
	})
}

func TestSQLite_ReadersAreReadOnly(t *testing.T) {
	s := sqlstoretest.MustOpen(t, sqlstoretest.SQLite)
	_, err := s.ReaderDB().ExecContext(context.Background(), `DELETE FROM users`)
	if err == nil || !strings.Contains(err.Error(), "readonly") {
		t.Errorf("write through a reader: %v, want a read-only error", err)
	}
}

// TestSQLite_TwoProcesses checks that two stores on one SQLite file (two
// processes, say) write at the same time without SQLITE_BUSY errors.
func TestSQLite_TwoProcesses(t *testing.T) {
	ctx := context.Background()
	url := sqlstoretest.NewDatabaseURL(t, sqlstoretest.SQLite)
	var stores []*sqlstore.Store
	for range 2 {
		s, err := sqlstore.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores = append(stores, s)
	}
	if err := stores[0].Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	org := mustCreateOrganization(t, stores[0], "Acme", 0)
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		wg.Go(func() {
			s := stores[i%2]
			site := &fleetwatch.Site{Name: fmt.Sprint(i), URL: "https://x", OrganizationID: org.ID}
			if err := s.CreateSite(ctx, site, 0); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if _, total, err := stores[1].FindSites(ctx, fleetwatch.SiteFilter{}); err != nil || total != 40 {
		t.Errorf("FindSites total = %d, %v", total, err)
	}
}

func TestEscapeLike(t *testing.T) {
	for in, want := range map[string]string{
		"plain":   "plain",
		"100%":    `100\%`,
		"a_b":     `a\_b`,
		`C:\x`:    `C:\\x`,
		`%_\`:     `\%\_\\`,
		"'; --":   "'; --",
		"":        "",
		"ünïcode": "ünïcode",
	} {
		if got := sqlstore.EscapeLike(in); got != want {
			t.Errorf("EscapeLike(%q) = %q, want %q", in, got, want)
		}
	}
}
