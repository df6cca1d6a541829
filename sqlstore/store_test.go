package sqlstore_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

func TestOpen(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		if err := s.Ping(ctx); err != nil {
			t.Fatal(err)
		}
		if got := s.Dialect(); got != t.Name()[strings.LastIndex(t.Name(), "/")+1:] {
			t.Errorf("Dialect() = %q", got)
		}
		v, err := s.MigrationVersion(ctx)
		if err != nil {
			t.Fatal(err)
		} else if v < 1 {
			t.Errorf("MigrationVersion() = %d, want >= 1", v)
		}
		// Migrating again is a no-op.
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

func TestOpen_BadURL(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, u := range []string{"", "mysql://x", "sqlite://", "sqlite://:memory:"} {
		if s, err := sqlstore.Open(ctx, u); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", u)
		}
	}
}

// TestOpen_SQLiteFilesOwnerOnly: the database and the -wal and -shm files
// SQLite creates beside it hold password hashes and inventories; only
// their owner may read them, whatever the umask.
func TestOpen_SQLiteFilesOwnerOnly(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "fleetwatch.db")
	s, err := sqlstore.Open(ctx, "sqlite://"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", filepath.Base(f), st.Mode().Perm())
		}
	}
}

// TestOpen_SQLitePragmas: every connection of both pools runs in WAL mode
// with foreign keys on, and has its page cache (writer 64 MiB, readers
// 16 MiB; SQLite's default is 2 MiB); the writer keeps its statement
// journals in memory (temp_store 2).
func TestOpen_SQLitePragmas(t *testing.T) {
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "fleetwatch.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, c := range []struct {
		pool string
		db   interface {
			QueryRowContext(context.Context, string, ...any) *sql.Row
		}
		cache int
		temp  int
	}{{"writer", s.WriterDB(), -65536, 2}, {"reader", s.ReaderDB(), -16384, 0}} {
		var (
			journal            string
			fk, cacheKiB, temp int
		)
		if err := c.db.QueryRowContext(ctx, `SELECT journal_mode, foreign_keys, cache_size, temp_store
			FROM pragma_journal_mode, pragma_foreign_keys, pragma_cache_size, pragma_temp_store`).
			Scan(&journal, &fk, &cacheKiB, &temp); err != nil {
			t.Fatal(err)
		}
		if journal != "wal" || fk != 1 || cacheKiB != c.cache || temp != c.temp {
			t.Errorf("%s: journal_mode %s, foreign_keys %d, cache_size %d, temp_store %d; want wal, 1, %d, %d",
				c.pool, journal, fk, cacheKiB, temp, c.cache, c.temp)
		}
	}
}
