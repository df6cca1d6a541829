package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
	_ "modernc.org/sqlite"
)

// TestStore_BackupTo copies a SQLite database while another connection
// holds an uncommitted write: the copy has what was committed and not the
// rest, and opens as a database of its own. PostgreSQL answers with pg_dump.
func TestStore_BackupTo(t *testing.T) {
	for _, b := range sqlstoretest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			dbURL := sqlstoretest.NewDatabaseURL(t, b)
			s, err := sqlstore.Open(ctx, dbURL)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if empty, err := s.IsEmpty(ctx); err != nil || !empty {
				t.Fatalf("IsEmpty before migrating: %v %v, want true", empty, err)
			}
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if empty, err := s.IsEmpty(ctx); err != nil || !empty {
				t.Fatalf("IsEmpty of a migrated database: %v %v, want true", empty, err)
			}
			admin := mustCreateUser(t, s, "admin@example.com", 0, fleetwatch.RoleAdmin)
			org := mustCreateOrganization(t, s, "Acme", admin.ID)
			mustCreateSite(t, s, org.ID, "one")
			if empty, err := s.IsEmpty(ctx); err != nil || empty {
				t.Fatalf("IsEmpty with a site: %v %v, want false", empty, err)
			}
			path := filepath.Join(t.TempDir(), "copy.db")
			if b == sqlstoretest.Postgres {
				if err := s.BackupTo(ctx, path); !errors.Is(err, sqlstore.ErrBackupPostgres) || !strings.Contains(err.Error(), "pg_dump") {
					t.Fatalf("BackupTo on PostgreSQL: %v, want ErrBackupPostgres naming pg_dump", err)
				}
				return
			}

			// Another process's write transaction is open during the copy.
			other, err := sql.Open("sqlite", "file:"+strings.TrimPrefix(dbURL, "sqlite://")+"?_pragma=busy_timeout(5000)")
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			tx, err := other.Begin()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Exec(`UPDATE organizations SET name = 'Uncommitted'`); err != nil {
				t.Fatal(err)
			}
			if err := s.BackupTo(ctx, path); err != nil {
				t.Fatal(err)
			}
			_ = tx.Rollback()
			if err := s.BackupTo(ctx, path); err == nil || !strings.Contains(err.Error(), "exists") {
				t.Fatalf("BackupTo over an existing file: %v", err)
			}
			if _, err := os.Stat(path + "-wal"); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the copy has a WAL beside it: %v", err)
			}
			c, err := sqlstore.Open(ctx, "sqlite://"+path)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			got, err := c.FindOrganizationByUUID(ctx, org.UUID)
			if err != nil || got.Name != "Acme" {
				t.Fatalf("organization in the copy: %+v %v, want Acme", got, err)
			}
			if _, n, err := c.FindUsers(ctx, fleetwatch.UserFilter{}); err != nil || n != 1 {
				t.Fatalf("users in the copy: %d %v, want 1", n, err)
			}
		})
	}
}
